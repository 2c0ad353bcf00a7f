// The contract between the engine and a builtin stage. A builtin is one file that default-exports defineStage({...}).
import type { JSONSchemaType } from "./json-schema.js";
import type { InputItem } from "../core/input-item.js";
import type { JsonValue } from "../core/json.js";

/** One upstream stage of a stage's inputs, as its key sees it (engine/executors/lineage.ts). */
export interface LineageEntry {
  uses?: string;
  run?: string[];
  params: Record<string, JsonValue>;
}

export interface Resources {
  cpus: number;
  gpus: number;
  /** Bytes. */
  memory: number;
}

export interface StageContext<P = Record<string, unknown>> {
  /** Params after defaults, validated against the stage's schema. */
  readonly params: P;
  /** Path of the single artifact bound to an input. Throws if the input is bound to several (use inputs()). */
  input(name: string): string;
  /** All artifacts bound to an input: several when it fans in over a matrix. */
  inputs(name: string): InputItem[];
  /** True when an optional input is bound. */
  hasInput(name: string): boolean;
  /**
   * Path where the stage writes a declared output: create a file or a directory there. It lives inside the attempt
   * directory and is published atomically only after run() resolves.
   */
  output(name: string): string;
  /** Persistent across failed attempts of the same key: long stages keep resumable state here. */
  readonly checkpointDir: string;
  /** Scratch space inside the attempt, removed after the attempt. */
  readonly workDir: string;
  /** Resources granted by the scheduler. */
  readonly resources: Resources;
  /** Every upstream stage with its params, topologically (keyed facts only; for model cards and provenance). */
  readonly lineage?: LineageEntry[];
  /**
   * Report progress; the engine renders bars and ETA. `unit` is e.g. "bytes", "bases", "steps". `metrics` (e.g. loss,
   * tokensPerS) reach `dnaflow watch` through the run's progress records.
   */
  progress(done: number, total?: number, unit?: string, metrics?: Record<string, number | string | null>): void;
  /** A line into the stage log. */
  log(message: string): void;
  /** Metadata recorded in the manifest (e.g. record stats, checksums). Merged across calls. */
  setMeta(meta: Record<string, JsonValue>): void;
  /** Aborted on cancel (Ctrl-C, timeout, fail-fast). Long loops must check it. */
  readonly signal: AbortSignal;
}

export interface InputSpec {
  /** Optional inputs may be left unbound. */
  optional?: boolean;
  /** Accepts several artifacts (fan-in over a matrix). */
  many?: boolean;
  description?: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the registry holds definitions of every params type
export interface StageDefinition<P = any> {
  /** Family/name, e.g. "genome/strip-n". */
  name: string;
  /** Interface major version: users pin it with `uses: name@version`. */
  version: number;
  /** Bump whenever the output bytes for the same params and inputs change. Part of the key. */
  revision?: number;
  description: string;
  /** JSON Schema of `with:` params (an object schema); defaults are applied before the key is computed. */
  params: JSONSchemaType;
  /**
   * Top-level params that cannot change the output bytes (network retries, timeouts, backoff): validated, defaulted
   * and passed to run() like the rest, but left out of the key and the lineage, so tuning them reuses what is cached.
   */
  unkeyed?: readonly string[];
  inputs: Record<string, InputSpec>;
  outputs: string[];
  /**
   * The stage runs the Python worker (engine/python/run-worker.ts): the worker's pinned requirements and source become
   * part of its key, so a changed pin or worker fix makes it again.
   */
  usesWorker?: boolean;
  /**
   * The stage's output names where each input artifact came from (the upstream instance id and its matrix
   * coordinates, or a file's name), as a report's rows do: these labels become part of its key, so renaming an upstream
   * stage or an axis value makes it again instead of leaving bytes under a key that no longer describe them.
   */
  keysInputLabels?: boolean;
  /**
   * The stage's manifest meta may name an output file to print (`show`) and one to point at (`link`) when a run that
   * includes it ends. Declared, so the CLI reads only these manifests, not every finished stage's.
   */
  showsResults?: boolean;
  /** Default resources; a pipeline may override them per stage. */
  resources?: Partial<{ cpus: number; gpus: number; memory: string | number }>;
  /**
   * Optional checks at plan time, on the resolved params and what the inputs are bound to, so a mistake fails
   * `plan` with file:line:col instead of minutes into a run. Only what is knowable without running anything; a
   * check that cannot decide returns nothing. `path` points into `with:` (e.g. ["task"]).
   */
  planCheck?(view: PlanView<P>): Array<{ message: string; path?: string[] }>;
  run(ctx: StageContext<P>): Promise<void>;
}

/** What a plan-time check sees of one bound input: an upstream builtin instance (its params and inputs) or a file. */
export type PlanInput =
  { kind: "stage"; uses?: string; output: string; params: Record<string, unknown>; inputs: Record<string, PlanInput[]> } | { kind: "file"; path: string };

export interface PlanView<P = Record<string, unknown>> {
  params: P;
  /** Bound inputs by name (absent: unbound). */
  inputs: Record<string, PlanInput[]>;
}

/** Manifest meta key for warnings a stage wants the user to see: each becomes a warning event on the terminal too. */
export const WARNINGS_META = "warnings";

export function defineStage<P = Record<string, unknown>>(def: StageDefinition<P>): StageDefinition<P> {
  if (!/^[a-z0-9-]+(\/[a-z0-9-]+)+$/.test(def.name)) throw new Error(`stage name '${def.name}' must be family/name`);
  if (!Number.isInteger(def.version) || def.version < 1) throw new Error(`stage ${def.name}: version must be an integer >= 1`);
  return def;
}
