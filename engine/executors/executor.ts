// One interface for every place a stage can run. An executor makes one stage: its attempts, its retries under the
// stage's policy (retry.ts), and the object published under the stage's key in the store, so keys and bytes do not
// depend on where it ran. The scheduler (engine/run) picks one per stage (run/executors.ts) and knows nothing else.
import type { InputItem } from "../../core/input-item.js";
import type { PlanEntry } from "../plan/plan.js";
import type { ExecutorName } from "../spec/types.js";
import type { Resources } from "../stage.js";
import type { JobContext } from "./types.js";

/** One stage to make: its plan entry, its inputs (verified by the scheduler), and the resources it asks for. */
export interface ExecutorJob {
  entry: PlanEntry;
  inputs: Record<string, InputItem[]>;
  resources: Resources;
}

export interface Executor {
  readonly name: ExecutorName;
  /** Uses this machine's cpus/gpus/memory slots, so the scheduler reserves them (a cluster executor does not). */
  readonly localResources: boolean;
  /** Makes the stage (attempts, retries, publish); resolves with the seconds the successful attempt took. */
  run(job: ExecutorJob, ctx: JobContext): Promise<number>;
}
