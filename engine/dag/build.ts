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
import { parseInputs, type InputEntry } from "./references.js";
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
  for (const s of p.stages) checkInputNames(s, defs.get(s.id), problems, pos);

  const ordered = topoOrder(p.stages.map((s) => s.id), deps);
  if ("cycle" in ordered) {
    const [a, b] = ordered.cycle;
    const where = Object.values(entries.get(a) ?? {}).flat().find((e) => e.kind === "ref" && e.stage === b)?.pos;
    problems.add(`dependency cycle: ${ordered.cycle.join(" → ")}`, where ?? pos(a));
    problems.throwIfAny(); // without an order nothing else can be checked
  }
  // Other problems so far are collected, not thrown: building instances finds more (params, matrix) to report at once.
  const order = (ordered as { order: string[] }).order;

  const instancesOf = new Map<string, StageInstance[]>();
  const all: StageInstance[] = [];
  for (const stageId of order) {
    const s = stageById.get(stageId)!;
    const list = expandMatrix(s, p.params, problems, (...path) => pos(stageId, ...path)).map((point) =>
      buildInstance(p, s, point, defs.get(stageId), entries.get(stageId)!, instancesOf, problems, pos),
    );
    instancesOf.set(stageId, list);
    all.push(...list);
  }
  problems.throwIfAny();
  return { instances: all, byId: new Map(all.map((i) => [i.id, i])) };
}

function checkInputNames(s: StageSpec, def: StageDefinition | undefined, problems: ProblemList, pos: (id: string, ...p: Array<string | number>) => SourcePos) {
  if (!def) return;
  const declared = Object.keys(def.inputs);
  for (const name of Object.keys(s.inputs)) {
    if (!declared.includes(name)) {
      problems.add(`stage '${s.id}': ${def.name} has no input '${name}'${didYouMean(name, declared)}; inputs: ${declared.join(", ") || "none"}`, pos(s.id, "inputs", name));
    }
  }
  for (const [name, spec] of Object.entries(def.inputs)) {
    if (!spec.optional && !(name in s.inputs)) problems.add(`stage '${s.id}': ${def.name} needs input '${name}'`, pos(s.id));
  }
}

function buildInstance(
  p: PipelineSpec,
  s: StageSpec,
  point: MatrixPoint,
  def: StageDefinition | undefined,
  inputEntries: Record<string, InputEntry[]>,
  instancesOf: Map<string, StageInstance[]>,
  problems: ProblemList,
  pos: (stageId: string, ...path: Array<string | number>) => SourcePos,
): StageInstance {
  const { coords, values } = point;
  const id = instanceId(s.id, coords);
  const valueResolver = (allowRuntime: boolean): Resolver => (ref: ExprRef) => {
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
      if (head === "inputs" && !(rest[0] in s.inputs)) return { error: `no input '${rest[0]}'${didYouMean(rest[0] ?? "", Object.keys(s.inputs))}` };
      if (head === "outputs" && !(s.outputs ?? []).includes(rest[0])) return { error: `no output '${rest[0]}'${didYouMean(rest[0] ?? "", s.outputs ?? [])}` };
      return { keep: true };
    }
    if (head === "stages") return { error: "stage outputs are bound through inputs:, then used as ${{ inputs.NAME }}" };
    return { error: `unknown expression '\${{ ${ref.text} }}' (use params.*, matrix.*${allowRuntime ? ", inputs.*, outputs.*, checkpoint, workdir" : ""})` };
  };
  const sub = (v: unknown, where: string, runtime = false) =>
    substituteDeep(v, valueResolver(runtime), (msg, path) => problems.add(`stage '${s.id}': ${msg}`, pos(s.id, where, ...path)));

  let params = sub(s.with, "with") as Record<string, unknown>;
  if (params === null || typeof params !== "object" || Array.isArray(params)) {
    problems.add(`stage '${s.id}': with: must be a mapping, got ${JSON.stringify(params)}`, pos(s.id, "with"));
    params = {};
  }
  if (def) {
    const r = resolveStageParams(def, params);
    params = r.params;
    const allowed = Object.keys((def.params as { properties?: object }).properties ?? {});
    for (const pr of r.problems) {
      const path = pr.pointer.split("/").slice(1);
      const hint = pr.unknownKey ? didYouMean(pr.unknownKey, allowed) : "";
      const where = path.length ? `with.${path.join(".")}` : "with";
      problems.add(`stage '${s.id}': ${where}: ${pr.message}${hint}`, p.source.pos(["stages", s.id, "with", ...path], { key: !!pr.unknownKey }));
    }
  }
  const run = s.run
    ? { argv: s.run.argv ? (sub(s.run.argv, "run", true) as unknown[]).map(argText) : undefined, command: s.run.command, shell: s.run.shell }
    : undefined;
  const env = Object.fromEntries(Object.entries(sub(s.env, "env") as Record<string, unknown>).map(([k, v]) => [k, argText(v)]));

  const inputs: Record<string, BoundInput[]> = {};
  for (const [name, list] of Object.entries(inputEntries)) {
    inputs[name] = list.flatMap((e) => bindEntry(p, s, coords, e, instancesOf, sub, problems));
    const spec = def?.inputs[name];
    if (spec && !spec.many && inputs[name].length > 1) {
      problems.add(`stage '${id}': input '${name}' receives ${inputs[name].length} artifacts, but ${def!.name} takes one (is a matrix axis missing on this stage?)`, list[0]?.pos);
    }
  }
  const deps = new Map<string, StageInstance>();
  for (const b of Object.values(inputs).flat()) if (b.kind === "stage") deps.set(b.from.id, b.from);
  if (def?.planCheck) {
    for (const c of def.planCheck({ params, inputs: planInputs(inputs, 1) }))
      problems.add(`stage '${id}': ${c.message}`, p.source.pos(["stages", s.id, "with", ...(c.path ?? [])]));
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
    resources: resources(sub(s.resources, "resources") as Record<string, unknown>, def, id, problems, () => pos(s.id, "resources")),
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
  instancesOf: Map<string, StageInstance[]>,
  sub: (v: unknown, where: string) => unknown,
  problems: ProblemList,
): BoundInput[] {
  if (e.kind === "ref") {
    // An upstream instance matches when it agrees on every matrix axis both stages have; others fan in.
    const matches = (instancesOf.get(e.stage) ?? []).filter((u) =>
      Object.keys(u.coords).every((axis) => !(axis in coords) || coords[axis] === u.coords[axis]),
    );
    if (!matches.length) problems.add(`stage '${s.id}': no instance of '${e.stage}' matches ${JSON.stringify(coords)}`, e.pos);
    return matches.map((from) => ({ kind: "stage" as const, from, output: e.output }));
  }
  const text = String(sub(e.text, "inputs"));
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
