// What an executor gets to run one attempt of one stage, and how it reports back.
import type { DigestCache } from "../../cache/digest-cache.js";
import type { Attempt, Store } from "../../cache/store.js";
import type { EventSink } from "../run/events.js";
import type { StageInstance } from "../dag/types.js";
import type { InputItem } from "../../core/input-item.js";
import type { Resources } from "../stage.js";
import type { JsonValue } from "../../core/json.js";
import type { OutputDigest } from "./protocol.js";

export interface ExecRequest {
  inst: StageInstance;
  key: string;
  attempt: Attempt;
  inputs: Record<string, InputItem[]>;
  checkpointDir: string;
  resources: Resources;
  pipelineDir: string;
  /** Entry file that runs one builtin in a child process (engine/cli/builtin-child.ts). */
  builtinChild: string;
  signal: AbortSignal;
  onProgress(done: number, total?: number, unit?: string, metrics?: Record<string, number | string | null>): void;
  onMeta(meta: Record<string, JsonValue>): void;
  /** Digests of output files the stage computed while writing them (taken when the file's stamp still matches). */
  onDigests(files: OutputDigest[]): void;
  /** Called with the child's process group once it is spawned (recorded for orphan cleanup). */
  onSpawn(pgid: number): void;
}

/** A stage attempt that failed; `inputError` marks deterministic bad-input failures (not worth retrying). */
export class StageFailure extends Error {
  override name = "StageFailure";
  constructor(
    message: string,
    readonly inputError = false,
  ) {
    super(message);
  }
}

/** What an executor (executor.ts: local.ts, slurm/run.ts) gets besides the job itself. */
export interface JobContext {
  store: Store;
  digests: DigestCache;
  pipelineName: string;
  pipelineDir: string;
  /** Absolute path of the pipeline file (executors that run a stage elsewhere load it again there). */
  pipelineFile: string;
  signal: AbortSignal;
  emit: EventSink;
  /** Entry file of the builtin child process; the CLI composes it with the registry of builtins. */
  builtinChild: string;
  /** The invocation's store/--set/--profile, so `dnaflow exec-stage` elsewhere plans the same keys. */
  cli?: { store: string; cache?: string; set: string[]; profile?: string };
}

export class Cancelled extends Error {
  override name = "Cancelled";
}
