// A stage's input paths: external files as written, upstream outputs at their published paths in the store. Each
// upstream output is checked first by `checkUpstream` (the runner verifies and repairs; `dnaflow exec-stage` on a
// cluster node only verifies), so the paths handed to a stage are always those of intact objects.
import type { Store } from "../../cache/store.js";
import type { Plan, PlanEntry } from "../plan/plan.js";
import type { InputItem } from "../../core/input-item.js";

export async function stageInputs(
  e: PlanEntry,
  plan: Pick<Plan, "byId">,
  store: Pick<Store, "outputPath">,
  checkUpstream: (up: PlanEntry, output: string) => Promise<void>,
): Promise<Record<string, InputItem[]>> {
  const out: Record<string, InputItem[]> = {};
  for (const [name, list] of Object.entries(e.inst.inputs)) {
    out[name] = [];
    for (const b of list) {
      if (b.kind === "file") {
        out[name].push({ path: b.path, matrix: {} });
        continue;
      }
      const up = plan.byId.get(b.from.id)!;
      await checkUpstream(up, b.output);
      out[name].push({ path: store.outputPath(up.key, b.output), from: up.inst.id, matrix: up.inst.coords });
    }
  }
  return out;
}
