// The layer rules (.dependency-cruiser.cjs): the repository obeys them, and a wrong import is caught — checked on a
// small tree in a temp directory, so the real sources are never touched.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url)); // dist/test/ → the repository
const DEPCRUISE = join(ROOT, "node_modules", "dependency-cruiser", "bin", "dependency-cruise.mjs");
const CONFIG = join(ROOT, ".dependency-cruiser.cjs");

function depcruise(cwd: string, dirs: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [DEPCRUISE, "--config", CONFIG, "--output-type", "err-long", ...dirs], { cwd, encoding: "utf8" });
  return { status: r.status, out: r.stdout + r.stderr };
}

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "dnaflow-layers-"));
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext" } }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

test("the repository's imports obey the layer rules", () => {
  const r = depcruise(ROOT, ["core", "lib", "cache", "engine", "stages", "test", "bench"]);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /no dependency violations found/);
});

test("an upward, a sideways and a circular import are each caught; downward ones are not", () => {
  const dir = tree({
    "core/errors.ts": "export class StageInputError extends Error {}\n",
    "engine/stage.ts": 'import { StageInputError } from "../core/errors.js";\nexport const x = StageInputError;\n',
    "lib/parse.ts": 'import type { x } from "../engine/stage.js";\nexport type Y = typeof x;\n', // up: lib → engine
    "cache/store.ts": 'import { StageInputError } from "../core/errors.js";\nexport const e = StageInputError;\n', // down: fine
    "engine/dag/render.ts": 'import { p } from "../plan/plan.js";\nexport const r = p;\n', // up: dag → plan
    "engine/plan/plan.ts": 'import { x } from "../stage.js";\nexport const p = x;\n', // down: fine
    "engine/reporters/tty.ts": 'import { j } from "../executors/job.js";\nexport const t = j;\n', // sideways: same rank
    "engine/executors/job.ts": "export const j = 1;\n",
    "lib/a.ts": 'import { b } from "./b.js";\nexport const a = () => b;\n',
    "lib/b.ts": 'import { a } from "./a.js";\nexport const b = () => a;\n',
  });
  const r = depcruise(dir, ["core", "lib", "cache", "engine"]);
  assert.notEqual(r.status, 0, r.out);
  assert.match(r.out, /layer-8:lib\/.*lib\/parse\.ts → engine\/stage\.ts/s);
  assert.match(r.out, /layer-4:engine\/dag\/.*engine\/dag\/render\.ts → engine\/plan\/plan\.ts/s);
  assert.match(r.out, /layer-2:engine\/reporters\/.*engine\/reporters\/tty\.ts → engine\/executors\/job\.ts/s);
  assert.match(r.out, /no-circular/);
  assert.doesNotMatch(r.out, /cache\/store\.ts →/);
  assert.doesNotMatch(r.out, /engine\/plan\/plan\.ts → engine\/stage\.ts/);
});
