// Pipeline file → validated, normalized PipelineSpec (or a SpecError listing every problem with file:line:col).
import { readFileSync } from "node:fs";
import { basename, dirname, extname, relative, resolve } from "node:path";
import { ProblemList, SpecError, type SpecProblem } from "../../core/errors.js";
import { didYouMean } from "../../core/suggest.js";
import { applyOverrides, parseSetArg, profileOverrides, type Override } from "./overrides.js";
import { checkData } from "./data-check.js";
import { inputLists, normalizeMatrix } from "./matrix-normalize.js";
import { checkSchema } from "./schema-check.js";
import { SourceDoc } from "./source.js";
import type { PipelineSpec, RetryPolicy, SlurmOptions, StageSpec } from "./types.js";
import { parseDuration } from "./units.js";

export interface LoadOptions {
  set?: string[];
  profile?: string;
}

export function loadPipeline(path: string, opts: LoadOptions = {}): PipelineSpec {
  const file = resolve(path);
  const shown = relative(process.cwd(), file) || file;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new SpecError([{ file: shown, message: `cannot read pipeline: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }]);
  }
  return parsePipeline(text, file, shown, opts);
}

export function parsePipeline(text: string, file: string, shown: string, opts: LoadOptions = {}): PipelineSpec {
  const problems = new ProblemList();
  const src = SourceDoc.parse(shown, text, problems);
  problems.throwIfAny(); // syntax errors make positions of everything else unreliable
  const data = src.toJS() as Record<string, any>;
  if (!data || typeof data !== "object" || Array.isArray(data)) {
    throw new SpecError([{ file: shown, line: 1, col: 1, message: "a pipeline is a mapping with a 'stages:' key" }]);
  }
  if (!checkData(data, src, text, problems)) problems.throwIfAny();
  if (checkSchema(data, src, problems)) return normalize(data, src, file, shown, opts, problems);
  // The schema found problems: go on as far as the data allows, so that what later phases find (overrides, stage
  // rules, references) comes in the same report instead of one fix later.
  let partial: PipelineSpec | undefined;
  try {
    partial = normalize(data, src, file, shown, opts, problems, { keepGoing: true });
  } catch (e) {
    if (e instanceof SpecError) throw e;
    // Data too malformed for the later phases: the schema's problems say why.
  }
  problems.throwIfAny(partial);
  throw new Error("unreachable: the schema check failed without problems");
}

function normalize(
  data: Record<string, any>,
  src: SourceDoc,
  file: string,
  shown: string,
  opts: LoadOptions,
  problems: ProblemList,
  o: { keepGoing?: boolean } = {},
): PipelineSpec {
  const overrides: Override[] = [];
  if (opts.profile !== undefined) {
    const profiles = (data.profiles ?? {}) as Record<string, Record<string, unknown>>;
    if (!(opts.profile in profiles)) {
      problems.add(
        `unknown profile '${opts.profile}'${didYouMean(opts.profile, Object.keys(profiles))}; defined: ${Object.keys(profiles).join(", ") || "none"}`,
        { file: shown },
      );
    } else {
      overrides.push(
        ...profileOverrides(profiles[opts.profile], data.params ?? {}, `profile ${opts.profile}`, (k) =>
          src.pos(["profiles", opts.profile!, ...k], { key: true }),
        ),
      );
    }
  }
  for (const s of opts.set ?? []) {
    const o = parseSetArg(s, problems);
    if (o) overrides.push(o);
  }
  const params = applyOverrides((data.params ?? {}) as Record<string, unknown>, overrides, problems);

  const defaults = (data.defaults ?? {}) as Record<string, any>;
  const warnings = new Map<string, SpecProblem>();
  const stages: StageSpec[] = Object.entries(data.stages as Record<string, any>).map(([id, s]) =>
    normalizeStage(id, s, { ...defaults, executor: data.executor, slurm: data.slurm }, src, problems, warnings),
  );
  const spec: PipelineSpec = {
    file,
    dir: dirname(file),
    name: data.name ?? basename(file, extname(file)),
    description: data.description,
    params,
    stages,
    source: src,
    profile: opts.profile,
    warnings: [...warnings.values()],
  };
  if (!o.keepGoing) problems.throwIfAny(spec);
  return spec;
}

function normalizeStage(
  id: string,
  s: Record<string, any>,
  defaults: Record<string, any>,
  src: SourceDoc,
  problems: ProblemList,
  warnings: Map<string, SpecProblem>,
): StageSpec {
  const at = (...p: Array<string | number>) => src.pos(["stages", id, ...p]);
  let uses: StageSpec["uses"];
  if (s.uses) {
    const [name, v] = String(s.uses).split("@");
    uses = { name, version: Number(v) };
  }
  let run: StageSpec["run"];
  if (s.run !== undefined) {
    const shell = s.shell === true;
    if (typeof s.run === "string" && !shell) {
      problems.add(`stage '${id}': run: is a string; write an argv list (run: [cmd, arg, ...]) or set shell: true explicitly`, at("run"));
    }
    if (Array.isArray(s.run) && shell) problems.add(`stage '${id}': shell: true needs run: as one string`, at("shell"));
    if (shell && typeof s.run === "string" && s.run.includes("${{")) {
      // Splicing values into shell text is how injection happens: shell commands read $DNAFLOW_* variables instead.
      problems.add(
        `stage '${id}': no \${{ }} expressions in a shell command; use the environment ($DNAFLOW_PARAM_*, $DNAFLOW_INPUT_*, $DNAFLOW_OUTPUT_*)`,
        at("run"),
      );
    }
    run = Array.isArray(s.run) ? { argv: s.run, shell: false } : { command: String(s.run), shell };
  } else if (s.shell !== undefined) {
    problems.add(`stage '${id}': shell: only applies to run: stages`, at("shell"));
  }
  if (uses && s.outputs) problems.add(`stage '${id}': outputs: are declared by the builtin ${s.uses}; remove them`, at("outputs"));
  if (run && !s.outputs?.length) problems.add(`stage '${id}': a run: stage must declare outputs: [name, ...]`, at());

  const inputs = inputLists(s.inputs);
  const matrix = s.matrix ? normalizeMatrix(id, s.matrix, src, problems) : undefined;

  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...(defaults.env ?? {}), ...(s.env ?? {}) })) env[k] = String(v);
  return {
    id,
    uses,
    run,
    with: s.with ?? {},
    inputs,
    outputs: s.outputs,
    matrix,
    resources: { ...(defaults.resources ?? {}), ...(s.resources ?? {}) },
    retries: retryPolicy(s.retries !== undefined ? ["stages", id, "retries"] : ["defaults", "retries"], s.retries ?? defaults.retries, src, problems, warnings),
    timeoutMs: parseDuration(s.timeout ?? defaults.timeout),
    env,
    passEnv: [...new Set([...(defaults.passEnv ?? []), ...(s.passEnv ?? [])])],
    executor: s.executor ?? defaults.executor,
    slurm: slurmOptions({ ...(defaults.slurm ?? {}), ...(s.slurm ?? {}) }),
  };
}

function slurmOptions(o: Record<string, any>): SlurmOptions {
  return { partition: o.partition, account: o.account, qos: o.qos, timeMs: parseDuration(o.time), extraArgs: o.extraArgs };
}

/**
 * `retries: N` or `{ max: N, backoff: 30s }`: N retries after the first failure. The old `{ attempts: N }` (the same N)
 * still loads, with a warning naming where it is written and what to write instead.
 */
function retryPolicy(path: string[], v: unknown, src: SourceDoc, problems: ProblemList, warnings: Map<string, SpecProblem>): RetryPolicy {
  if (typeof v === "number") return { max: v, backoffMs: 1000 };
  if (v && typeof v === "object") {
    const o = v as { max?: number; attempts?: number; backoff?: unknown };
    if (o.attempts !== undefined) {
      const at = src.pos([...path, "attempts"], { key: true });
      if (o.max !== undefined) problems.add(`${path.join(".")}: 'attempts' is the old name of 'max'; write only max: ${o.max}`, at);
      const instead = `{ max: ${o.max ?? o.attempts}${o.backoff !== undefined ? `, backoff: ${src.textAt([...path, "backoff"]) || String(o.backoff)}` : ""} }`;
      const w = { ...at, message: `${path.join(".")}: 'attempts' is deprecated (it counts retries after the first failure); write retries: ${instead}` };
      warnings.set(`${at.line}:${at.col}`, w);
    }
    return { max: o.max ?? o.attempts ?? 1, backoffMs: parseDuration(o.backoff) ?? 1000 };
  }
  return { max: 0, backoffMs: 1000 };
}
