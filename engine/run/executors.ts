// Where a stage's attempt runs. Every executor ends in the same place: the object published under the stage's key
// in the store, by the same code (runJob), so keys and bytes do not depend on where a stage ran.
import type { PlanEntry } from "../plan/plan.js";
import type { ExecutorName } from "../spec/types.js";
import type { InputItem } from "../../core/input-item.js";
import type { Resources } from "../stage.js";
import type { JobContext } from "../executors/types.js";
import { runJob } from "./job.js";
import { runSlurmJob } from "../executors/slurm/run.js";

/** Makes one stage (attempts, retries, publish); resolves with the seconds the successful attempt took. */
export type JobRunner = (entry: PlanEntry, inputs: Record<string, InputItem[]>, resources: Resources, ctx: JobContext) => Promise<number>;

export interface ExecutorInfo {
  run: JobRunner;
  /** Uses this machine's cpus/gpus/memory slots (a cluster executor does not). */
  localResources: boolean;
}

export const executors: Partial<Record<ExecutorName, ExecutorInfo>> = {
  local: { run: runJob, localResources: true },
  slurm: { run: runSlurmJob, localResources: false },
};

export function executorFor(entry: PlanEntry, fallback: ExecutorName): ExecutorInfo {
  const name = entry.inst.spec.executor ?? fallback;
  const ex = executors[name];
  if (!ex) throw new Error(`executor '${name}' is not available`);
  return ex;
}
