// PipelineSpec → Dag: builtins resolved, matrices expanded, references bound, params validated, cycles reported.
import { existsSync } from "node:fs";
import { resolve as resolvePath } from "node:path";
import { ProblemList, type SourcePos } from "../../core/errors.js";
import type { Registry } from "../registry.js";
import { lookup, substituteDeep, type ExprRef, type Resolver } from "../spec/expressions.js";
import type { PipelineSpec, StageSpec } from "../spec/types.js";
import { parseSize } from "../spec/units.js";
import { resolveStageParams } from "../stage-params.js";
import type { PlanInput, Resources, StageDefinition } from "../stage.js";
import { didYouMean } from "../../core/suggest.js";
import { expandMatrix, type MatrixPoint } from "./matrix.js";
import { topoOrder } from "./order.js";
import { allEntries, parseInputs, type InputEntries, type InputEntry, type StageInputs } from "./references.js";
import { instanceId, type MatrixCoords } from "../../core/instance-id.js";
import type { BoundInput, Dag, StageInstance } from "./types.js";

/** Placeholders a run: command may use; filled with paths at run time, so they never enter the key. */
const RUNTIME_WORDS = new Set(["inputs", "outputs", "checkpoint", "workdir"]);

export function buildDag(p: PipelineSpec, registry: Registry): Dag {
  const problems = new ProblemList();
  const pos = (stageId: string, ...path: Array<string | number>): SourcePos => p.source.pos(["stages", stageId, ...path]);
  const defs = new Map<string, StageDefinition>();
  for (const s of p.stages) {
    if (!s.uses) continue;
    const r = registry.find(s.uses.name, s.uses.version);
    if ("error" in r) problems.add(`stage '${s.id}': ${r.error}`, pos(s.id, "uses"));
    else defs.set(s.id, r.def);
  }
  const stageById = new Map(p.stages.map((s) => [s.id, s]));
  const outputsOf = (id: string) => {
    const s = stageById.get(id);
    return s?.uses ? defs.get(id)?.outputs : s?.outputs;
  };
  const { entries, deps } = parseInputs(p.stages, outputsOf, problems, pos);
  for (const s of p.stages) checkInputNames(s, defs.get(s.id), entries.get(s.id)!, problems, pos);

  const ordered = topoOrder(
    p.stages.map((s) => s.id),
    deps,
  );
  if ("cycle" in ordered) {
    const [a, b] = ordered.cycle;
    const where = allEntries(entries.get(a)!).find((e) => e.kind === "ref" && e.stage === b)?.pos;
    problems.add(`dependency cycle: ${ordered.cycle.join(" → ")}`, where ?? pos(a));
    problems.throwIfAny(); // without an order nothing else can be checked
  }
  // Other problems so far are collected, not thrown: building instances finds more (params, matrix) to report at once.
  const order = (ordered as { order: string[] }).order;

  const instancesOf = new Map<string, StageInstance[]>();
  const all: StageInstance[] = [];
  for (const stageId of order) {
    const s = stageById.get(stageId)!;
    const points = expandMatrix(s, p.params, problems, (...path) => pos(stageId, ...path));
    const stageInputs = entries.get(stageId)!;
    checkRequiredInputs(s, defs.get(stageId), stageInputs, points, problems, pos);
    const badPicks = checkPicks(s, stageInputs, instancesOf, problems);
    const list = points.map((point) => buildInstance(p, s, point, defs.get(stageId), stageInputs, badPicks, instancesOf, problems, pos));
    instancesOf.set(stageId, list);
    all.push(...list);
  }
  problems.throwIfAny();
  return { instances: all, byId: new Map(all.map((i) => [i.id, i])) };
}

function checkInputNames(
  s: StageSpec,
  def: StageDefinition | undefined,
  inputs: StageInputs,
  problems: ProblemList,
  pos: (id: string, ...p: Array<string | number>) => SourcePos,
) {
  if (!def) return;
  const declared = Object.keys(def.inputs);
  const check = (names: string[], at: Array<string | number>, where: string) => {
    for (const name of names) {
      if (declared.includes(name)) continue;
      problems.add(
        `stage '${s.id}': ${where}${def.name} has no input '${name}'${didYouMean(name, declared)}; inputs: ${declared.join(", ") || "none"}`,
        pos(s.id, ...at, name),
      );
    }
  };
  check(Object.keys(s.inputs), ["inputs"], "");
  (s.matrix?.include ?? []).forEach((entry, i) => check(Object.keys(entry.inputs), ["matrix", "include", i, "inputs"], `matrix.include[${i}]: `));
}

/** A required input must reach every combination: from the stage's inputs:, or from an include entry matching it. */
function checkRequiredInputs(
  s: StageSpec,
  def: StageDefinition | undefined,
  inputs: StageInputs,
  points: MatrixPoint[],
  problems: ProblemList,
  pos: (id: string, ...p: Array<string | number>) => SourcePos,
) {
  if (!def) return;
  for (const [name, spec] of Object.entries(def.inputs)) {
    if (spec.optional || name in inputs.base) continue;
    const lacking = points.filter((pt) => !pt.include.some((i) => name in inputs.include[i]));
    if (!lacking.length) continue;
    if (lacking.length === points.length) {
      problems.add(`stage '${s.id}': ${def.name} needs input '${name}'`, pos(s.id));
      continue;
    }
    const shown =
      lacking
        .slice(0, 3)
        .map((pt) => instanceId(s.id, pt.coords))
        .join(", ") + (lacking.length > 3 ? `, … (${lacking.length} in all)` : "");
    problems.add(
      `stage '${s.id}': ${def.name} needs input '${name}' in every combination; neither inputs: nor a matrix.include entry gives it to ${shown}`,
      pos(s.id, "matrix", "include"),
    );
  }
}

/** Picks (stages.ID[axis=value]) naming a value the upstream stage has no instance with; reported once per stage. */
function checkPicks(s: StageSpec, inputs: StageInputs, instancesOf: Map<string, StageInstance[]>, problems: ProblemList): Set<InputEntry> {
  const bad = new Set<InputEntry>();
  for (const [name, list] of [inputs.base, ...inputs.include].flatMap((m) => Object.entries(m))) {
    for (const e of list) {
      if (e.kind !== "ref") continue;
      for (const [axis, value] of Object.entries(e.pick)) {
        const values = [...new Set((instancesOf.get(e.stage) ?? []).map((u) => String(u.coords[axis])))];
        if (!values.length || values.includes(value)) continue;
        const hint = /^-?[\d.]+$/.test(value) ? "" : didYouMean(value, values);
        problems.add(`stage '${s.id}': input '${name}': stage '${e.stage}' has no instance with ${axis}=${value}${hint}; ${axis}: ${values.join(", ")}`, e.pos);
        bad.add(e);
      }
    }
  }
  return bad;
}

function buildInstance(
  p: PipelineSpec,
  s: StageSpec,
  point: MatrixPoint,
  def: StageDefinition | undefined,
  stageInputs: StageInputs,
  badPicks: Set<InputEntry>,
  instancesOf: Map<string, StageInstance[]>,
  problems: ProblemList,
  pos: (stageId: string, ...path: Array<string | number>) => SourcePos,
): StageInstance {
  const { coords, values } = point;
  const id = instanceId(s.id, coords);
  // The stage's inputs, each replaced by the one of the last matching include entry that names it.
  const inputEntries: InputEntries = { ...stageInputs.base };
  for (const i of point.include) Object.assign(inputEntries, stageInputs.include[i]);
  const valueResolver =
    (allowRuntime: boolean): Resolver =>
    (ref: ExprRef) => {
      const [head, ...rest] = ref.path;
      if (!ref.valid) return { error: `malformed expression '\${{ ${ref.text} }}'` };
      if (head === "params") {
        const r = lookup(p.params, rest);
        return r.found ? { value: r.value } : { error: `unknown param '${rest.join(".")}'${didYouMean(rest[r.at] ?? "", r.keys)}` };
      }
      if (head === "matrix") {
        if (!(rest[0] in values)) return { error: `no matrix axis '${rest.join(".")}'${didYouMean(rest[0] ?? "", Object.keys(coords))}` };
        const r = lookup(values, rest);
        return r.found ? { value: r.value } : { error: `matrix value '${coords[rest[0]]}' of axis '${rest[0]}' has no field '${rest.slice(1).join(".")}'` };
      }
      if (allowRuntime && RUNTIME_WORDS.has(head)) {
        if (head === "inputs" && !(rest[0] in inputEntries)) {
          if (stageInputs.include.some((m) => rest[0] in m))
            return { error: `no input '${rest[0]}' in ${id}: matrix.include entries give it to other combinations only` };
          return { error: `no input '${rest[0]}'${didYouMean(rest[0] ?? "", Object.keys(inputEntries))}` };
        }
        if (head === "outputs" && !(s.outputs ?? []).includes(rest[0])) return { error: `no output '${rest[0]}'${didYouMean(rest[0] ?? "", s.outputs ?? [])}` };
        return { keep: true };
      }
      if (head === "stages") return { error: "stage outputs are bound through inputs:, then used as ${{ inputs.NAME }}" };
      return { error: `unknown expression '\${{ ${ref.text} }}' (use params.*, matrix.*${allowRuntime ? ", inputs.*, outputs.*, checkpoint, workdir" : ""})` };
    };
  const sub = (v: unknown, where: Array<string | number>, runtime = false) =>
    substituteDeep(v, valueResolver(runtime), (msg, path) => problems.add(`stage '${s.id}': ${msg}`, pos(s.id, ...where, ...path)));
  const mapping = (where: Array<string | number>, label: string, v: unknown): Record<string, unknown> => {
    const m = sub(v, where);
    if (m !== null && typeof m === "object" && !Array.isArray(m)) return m as Record<string, unknown>;
    problems.add(`stage '${s.id}': ${label}: must be a mapping, got ${JSON.stringify(m)}`, pos(s.id, ...where));
    return {};
  };

  let params = mapping(["with"], "with", s.with);
  /** Where each top-level param was written, when a matching include entry's with: replaced the stage's. */
  const paramAt = new Map<string, Array<string | number>>();
  for (const i of point.include) {
    const entry = s.matrix!.include[i];
    if (entry.with === undefined) continue;
    const at = ["matrix", "include", i, "with"];
    const replaced = mapping(at, `matrix.include[${i}].with`, entry.with);
    for (const k of Object.keys(replaced)) paramAt.set(k, at);
    params = { ...params, ...replaced };
  }
  const paramPath = (path: Array<string | number>) => [...(paramAt.get(String(path[0])) ?? ["with"]), ...path];
  if (def) {
    const r = resolveStageParams(def, params);
    params = r.params;
    const allowed = Object.keys((def.params as { properties?: object }).properties ?? {});
    for (const pr of r.problems) {
      const path = pr.pointer.split("/").slice(1);
      const hint = pr.unknownKey ? didYouMean(pr.unknownKey, allowed) : "";
      const where = path.length
        ? paramPath(path)
            .join(".")
            .replace(/\.include\.(\d+)\./, ".include[$1].")
        : "with";
      problems.add(`stage '${s.id}': ${where}: ${pr.message}${hint}`, p.source.pos(["stages", s.id, ...paramPath(path)], { key: !!pr.unknownKey }));
    }
  }
  const run = s.run
    ? { argv: s.run.argv ? (sub(s.run.argv, ["run"], true) as unknown[]).map(argText) : undefined, command: s.run.command, shell: s.run.shell }
    : undefined;
  const env = Object.fromEntries(Object.entries(sub(s.env, ["env"]) as Record<string, unknown>).map(([k, v]) => [k, argText(v)]));

  const inputs: Record<string, BoundInput[]> = {};
  for (const [name, list] of Object.entries(inputEntries)) {
    inputs[name] = list.flatMap((e) => bindEntry(p, s, coords, e, badPicks, instancesOf, valueResolver(false), problems));
    const spec = def?.inputs[name];
    if (spec && !spec.many && inputs[name].length > 1) {
      const from = list.find((e) => e.kind === "ref");
      const hint =
        from?.kind === "ref" ? ` (is a matrix axis missing on this stage, or a pick such as stages.${from.stage}[axis=value].outputs.${from.output}?)` : "";
      problems.add(`stage '${id}': input '${name}' receives ${inputs[name].length} artifacts, but ${def!.name} takes one${hint}`, list[0]?.pos);
    }
  }
  const deps = new Map<string, StageInstance>();
  for (const b of Object.values(inputs).flat()) if (b.kind === "stage") deps.set(b.from.id, b.from);
  if (def?.planCheck) {
    for (const c of def.planCheck({ params, inputs: planInputs(inputs, 1) }))
      problems.add(`stage '${id}': ${c.message}`, p.source.pos(["stages", s.id, ...(c.path?.length ? paramPath(c.path) : ["with"])]));
  }

  return {
    id,
    stageId: s.id,
    coords,
    spec: s,
    def,
    params,
    run,
    inputs,
    outputs: def?.outputs ?? s.outputs ?? [],
    resources: resources(sub(s.resources, ["resources"]) as Record<string, unknown>, def, id, problems, () => pos(s.id, "resources")),
    retries: s.retries,
    timeoutMs: s.timeoutMs,
    env,
    passEnv: s.passEnv,
    deps: [...deps.values()],
  };
}

/** Bound inputs as a plan-time check sees them: upstream builtins with their params, and `depth` levels of their inputs. */
function planInputs(inputs: Record<string, BoundInput[]>, depth: number): Record<string, PlanInput[]> {
  return Object.fromEntries(
    Object.entries(inputs).map(([name, list]) => [
      name,
      list.map((b): PlanInput =>
        b.kind === "file"
          ? { kind: "file", path: b.path }
          : { kind: "stage", uses: b.from.def?.name, output: b.output, params: b.from.params, inputs: depth > 0 ? planInputs(b.from.inputs, depth - 1) : {} },
      ),
    ]),
  );
}

function bindEntry(
  p: PipelineSpec,
  s: StageSpec,
  coords: MatrixCoords,
  e: InputEntry,
  badPicks: Set<InputEntry>,
  instancesOf: Map<string, StageInstance[]>,
  resolve: Resolver,
  problems: ProblemList,
): BoundInput[] {
  if (e.kind === "ref") {
    // An upstream instance matches when it agrees on every matrix axis both stages have, and on each picked axis
    // (stages.ID[axis=value]) whatever this instance's own value; others fan in.
    const matches = (instancesOf.get(e.stage) ?? []).filter((u) =>
      Object.keys(u.coords).every((axis) => (axis in e.pick ? String(u.coords[axis]) === e.pick[axis] : !(axis in coords) || coords[axis] === u.coords[axis])),
    );
    if (!matches.length && !badPicks.has(e)) {
      const picked = Object.keys(e.pick).length
        ? ` and [${Object.entries(e.pick)
            .map(([a, v]) => `${a}=${v}`)
            .join(",")}]`
        : "";
      problems.add(`stage '${s.id}': no instance of '${e.stage}' matches ${JSON.stringify(coords)}${picked}`, e.pos);
    }
    return matches.map((from) => ({ kind: "stage" as const, from, output: e.output }));
  }
  const text = String(substituteDeep(e.text, resolve, (msg) => problems.add(`stage '${s.id}': ${msg}`, e.pos)));
  const path = resolvePath(p.dir, text);
  if (!existsSync(path)) {
    problems.add(`stage '${s.id}': input file not found: ${text}`, e.pos);
    return [];
  }
  return [{ kind: "file", path, shown: text }];
}

function resources(r: Record<string, unknown>, def: StageDefinition | undefined, id: string, problems: ProblemList, at: () => SourcePos): Resources {
  const d = def?.resources ?? {};
  const cpus = Number(r.cpus ?? d.cpus ?? 1);
  const gpus = Number(r.gpus ?? d.gpus ?? 0);
  const memory = parseSize(r.memory ?? d.memory ?? 0);
  if (!(cpus > 0)) problems.add(`stage '${id}': resources.cpus must be > 0, got ${JSON.stringify(r.cpus)}`, at());
  if (!Number.isInteger(gpus) || gpus < 0) problems.add(`stage '${id}': resources.gpus must be an integer >= 0`, at());
  if (memory === undefined) problems.add(`stage '${id}': resources.memory: cannot read ${JSON.stringify(r.memory)} (e.g. 4G)`, at());
  return { cpus, gpus, memory: memory ?? 0 };
}

function argText(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}
