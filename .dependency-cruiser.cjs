// The layer rules `npm run lint:deps` enforces (README "Architecture"): every import points down this list, never
// up and never sideways to another folder of the same rank. test/ and bench/ may import anything.
//
//   0  engine/cli                                  composes everything (the builtin registry included)
//   1  stages/            engine/run/              builtins | scheduling, which executor runs a stage
//   2  engine/executors/  engine/reporters/        the Executor interface: local, Slurm | terminal and JSON views
//   3  engine/plan/                                keys and cached/run decisions
//   4  engine/dag/                                 instances, matrices, references
//   5  engine/spec/       engine/python/           pipeline language | the worker's interpreter
//   6  engine/*.ts                                 the stage contract, the registry type, params checking
//   7  cache/                                      stores, manifests, digests, leases
//   8  lib/                                        algorithms, independent of the engine
//   9  core/                                       shared vocabulary: errors, JSON, instance ids, key, usage
//
// One known exception: engine/run/events.ts is the run's event vocabulary, and executors (Slurm progress) and
// reporters read it; it is allowed by name until it moves below them.
const LAYERS = [
  ["^engine/cli/"],
  ["^stages/", "^engine/run/"],
  ["^engine/executors/", "^engine/reporters/"],
  ["^engine/plan/"],
  ["^engine/dag/"],
  ["^engine/spec/", "^engine/python/"],
  ["^engine/[^/]+$"],
  ["^cache/"],
  ["^lib/"],
  ["^core/"],
];
const EVENTS = "^engine/run/events[.]ts$";
const either = (paths) => `(${paths.join("|")})`;

const forbidden = [];
LAYERS.forEach((group, rank) => {
  const above = LAYERS.slice(0, rank).flat();
  group.forEach((from) => {
    const peers = group.filter((p) => p !== from);
    const to = [...above, ...peers];
    if (!to.length) return;
    const lower = rank === 2; // executors and reporters may read the event vocabulary (see above)
    forbidden.push({
      name: `layer-${rank}:${from.replace(/[^a-z/*.]/g, "")}`,
      comment: `${from} may import only what lies below it (.dependency-cruiser.cjs, README "Architecture")`,
      severity: "error",
      from: { path: from },
      to: { path: either(to), ...(lower ? { pathNot: EVENTS } : {}) },
    });
  });
});
forbidden.push({
  name: "no-circular",
  comment: "modules that import each other cannot be layered: split out what both need",
  severity: "error",
  from: {},
  to: { circular: true },
});

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: "node_modules" },
    includeOnly: "^(core|lib|cache|engine|stages|test|bench)/",
    // `import type` counts: a type import up the layers is as much a wrong dependency as a value import.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
