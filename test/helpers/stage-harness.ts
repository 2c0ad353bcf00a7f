// Runs one builtin stage outside the engine, for unit tests of stages: temp dirs, defaults applied, outputs checked.
import { mkdtempSync, mkdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { InputItem } from "../../core/input-item.js";
import type { StageContext, StageDefinition } from "../../engine/stage.js";
import type { JsonValue } from "../../core/json.js";
import { resolveStageParams } from "../../engine/stage-params.js";

export interface HarnessResult {
  outputs: Record<string, string>;
  meta: Record<string, JsonValue>;
  logs: string[];
  progress: Array<[number, number | undefined]>;
  dir: string;
}

export async function runStage(
  def: StageDefinition,
  opts: { params?: Record<string, unknown>; inputs?: Record<string, string | InputItem[]>; dir?: string; signal?: AbortSignal; cpus?: number } = {},
): Promise<HarnessResult> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "dnaflow-stage-"));
  const { params, problems } = resolveStageParams(def, opts.params ?? {});
  if (problems.length) throw new Error(problems.map((p) => `${p.pointer || "/"}: ${p.message}`).join("; "));
  const out = join(dir, "outputs");
  const checkpointDir = join(dir, "checkpoint");
  const workDir = join(dir, "work");
  for (const d of [out, checkpointDir, workDir]) mkdirSync(d, { recursive: true });
  const bound: Record<string, InputItem[]> = {};
  for (const [k, v] of Object.entries(opts.inputs ?? {})) bound[k] = typeof v === "string" ? [{ path: v, matrix: {} }] : v;
  const meta: Record<string, JsonValue> = {};
  const logs: string[] = [];
  const progress: Array<[number, number | undefined]> = [];
  const ctx: StageContext = {
    params,
    input(name) {
      const items = bound[name];
      if (!items?.length) throw new Error(`input '${name}' is not bound`);
      if (items.length > 1) throw new Error(`input '${name}' has ${items.length} artifacts; use inputs()`);
      return items[0].path;
    },
    inputs: (name) => bound[name] ?? [],
    hasInput: (name) => (bound[name]?.length ?? 0) > 0,
    output: (name) => {
      if (!def.outputs.includes(name)) throw new Error(`stage ${def.name} has no output '${name}'`);
      return join(out, name);
    },
    checkpointDir,
    workDir,
    resources: { cpus: opts.cpus ?? 2, gpus: 0, memory: 4 << 30 },
    progress: (d, t) => void progress.push([d, t]),
    log: (m) => void logs.push(m),
    setMeta: (m) => Object.assign(meta, m),
    signal: opts.signal ?? new AbortController().signal,
  };
  await def.run(ctx);
  const outputs: Record<string, string> = {};
  for (const name of def.outputs) {
    const p = join(out, name);
    if (!existsSync(p)) throw new Error(`stage ${def.name} did not write output '${name}'`);
    outputs[name] = p;
  }
  return { outputs, meta, logs, progress, dir };
}
