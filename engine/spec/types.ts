// The validated pipeline, normalized: what the DAG builder consumes.
import type { SourceDoc } from "./source.js";
import type { SpecProblem } from "../../core/errors.js";

export type Scalar = string | number | boolean;

export interface RetryPolicy {
  /** Retries after the first failure: a stage with `max: 3` runs at most 4 times. */
  max: number;
  /** The wait before the first retry; doubled before each further one. */
  backoffMs: number;
}

export interface RawResources {
  cpus?: unknown;
  gpus?: unknown;
  memory?: unknown;
}

export type ExecutorName = "local" | "slurm";

export interface SlurmOptions {
  partition?: string;
  account?: string;
  qos?: string;
  /** Wall-time limit in ms (default: the stage's timeout, else none). */
  timeMs?: number;
  extraArgs?: string[];
}

/** One `matrix.include` entry: the combinations it applies to, and what they use instead of the stage's own. */
export interface MatrixInclude {
  /** Axis → value, as in `exclude`: the entry applies to every combination with all of them. */
  match: Record<string, Scalar>;
  /** Top-level `with:` keys that replace the stage's (a mapping, or one expression naming one). */
  with?: unknown;
  /** Inputs that replace (or add to) the stage's, entries as written. */
  inputs: Record<string, string[]>;
}

export interface MatrixSpec {
  axes: Record<string, unknown>;
  exclude: Array<Record<string, unknown>>;
  include: MatrixInclude[];
}

export interface StageSpec {
  id: string;
  uses?: { name: string; version: number };
  run?: { argv?: unknown[]; command?: string; shell: boolean };
  with: Record<string, unknown>;
  /** Input name → entries (references or paths) as written. */
  inputs: Record<string, string[]>;
  /** Declared outputs (run: stages). */
  outputs?: string[];
  matrix?: MatrixSpec;
  resources: RawResources;
  retries: RetryPolicy;
  timeoutMs?: number;
  env: Record<string, string>;
  passEnv: string[];
  /** Where it runs (stage, else pipeline, else --executor, else local). Not part of the key. */
  executor?: ExecutorName;
  slurm: SlurmOptions;
}

export interface PipelineSpec {
  /** Absolute path of the pipeline file. */
  file: string;
  /** Directory relative paths resolve against. */
  dir: string;
  name: string;
  description?: string;
  params: Record<string, unknown>;
  stages: StageSpec[];
  source: SourceDoc;
  /** Profile applied, if any. */
  profile?: string;
  /** Deprecated spellings that still load (file:line:col each); the CLI prints them as warnings. */
  warnings: SpecProblem[];
}
