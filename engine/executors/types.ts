// What an executor gets to run one attempt of one stage, and how it reports back.
import type { Attempt } from "../../cache/store.js";
import type { StageInstance } from "../dag/types.js";
import type { InputItem, JsonValue, Resources } from "../stage.js";

export interface ExecRequest {
  inst: StageInstance;
  key: string;
  attempt: Attempt;
  inputs: Record<string, InputItem[]>;
  checkpointDir: string;
  resources: Resources;
  pipelineDir: string;
  signal: AbortSignal;
  onProgress(done: number, total?: number, unit?: string, metrics?: Record<string, number | string | null>): void;
  onMeta(meta: Record<string, JsonValue>): void;
  /** Called with the child's process group once it is spawned (recorded for orphan cleanup). */
  onSpawn(pgid: number): void;
}

/** A stage attempt that failed; `inputError` marks deterministic bad-input failures (not worth retrying). */
export class StageFailure extends Error {
  override name = "StageFailure";
  constructor(message: string, readonly inputError = false) {
    super(message);
  }
}
