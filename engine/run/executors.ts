// Which executor makes a stage: the stage's `executor:`, else the pipeline's, else --executor, else local. Never part
// of the key: every executor publishes the same object (engine/executors/executor.ts).
import type { PlanEntry } from "../plan/plan.js";
import type { ExecutorName } from "../spec/types.js";
import type { Executor } from "../executors/executor.js";
import { localExecutor } from "../executors/local.js";
import { slurmExecutor } from "../executors/slurm/run.js";

const executors: Record<ExecutorName, Executor> = { local: localExecutor, slurm: slurmExecutor };

export function executorFor(entry: PlanEntry, fallback: ExecutorName): Executor {
  const name = entry.inst.spec.executor ?? fallback;
  const ex = executors[name];
  if (!ex) throw new Error(`executor '${name}' is not available`);
  return ex;
}
