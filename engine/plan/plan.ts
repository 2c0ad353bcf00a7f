// The plan: for each stage instance its key, whether it is cached or must run, and why.
import type { DigestCache } from "../../cache/digest-cache.js";
import type { RunRecord } from "../../cache/runs.js";
import type { ObjectStore, RunStore } from "../../cache/store.js";
import type { Dag, StageInstance } from "../dag/types.js";
import { stageKey, type KeyComponents } from "../../core/key.js";
import type { PipelineSpec } from "../spec/types.js";
import { keyComponents } from "./components.js";
import { explainChange } from "./explain.js";

export interface PlanEntry {
  inst: StageInstance;
  key: string;
  components: KeyComponents;
  action: "cached" | "run";
  reasons: string[];
}

export interface Plan {
  pipeline: PipelineSpec;
  entries: PlanEntry[];
  byId: Map<string, PlanEntry>;
  /** The run the reasons compare against. */
  previous?: RunRecord;
}

export async function makePlan(pipeline: PipelineSpec, dag: Dag, store: ObjectStore & RunStore, digests: DigestCache, env = process.env): Promise<Plan> {
  const keys = new Map<StageInstance, string>();
  const published = store.publishedKeys();
  const entries: PlanEntry[] = [];
  for (const inst of dag.instances) {
    const components = await keyComponents(inst, (u) => keys.get(u)!, pipeline.dir, digests, env);
    const key = stageKey(components);
    keys.set(inst, key);
    entries.push({ inst, key, components, action: published.has(key) ? "cached" : "run", reasons: [] });
  }
  const plan: Plan = { pipeline, entries, byId: new Map(entries.map((e) => [e.inst.id, e])) };
  if (entries.some((e) => e.action === "run")) {
    plan.previous = store.runs.recent(pipeline.name, 1)[0];
    const componentsOf = (key: string) => store.readManifest(key)?.components;
    for (const e of entries) if (e.action === "run") e.reasons = whyRun(e, plan.previous, componentsOf);
  }
  return plan;
}

/** Reasons for a stage that is not in the store, compared against the previous run of the same pipeline. */
export function whyRun(e: PlanEntry, previous: RunRecord | undefined, componentsOf: (key: string) => KeyComponents | undefined): string[] {
  const prev = previous?.stages[e.inst.id];
  if (!previous) return ["never run"];
  if (!prev) return ["new stage (not in the previous run)"];
  if (prev.key === e.key) {
    if (prev.status === "failed") return [`previous attempt failed${prev.error ? `: ${prev.error.split("\n")[0]}` : ""}`];
    if (prev.status === "cancelled" || prev.status === "planned") return ["previous run stopped before it finished"];
    if (prev.status === "skipped") return ["skipped in the previous run (an upstream stage failed)"];
    return ["not in the store (removed, quarantined or gc'ed)"];
  }
  const before = prev.components ?? componentsOf(prev.key);
  if (!before) return ["key changed (the previous object is no longer in the store to compare with)"];
  const diff = explainChange(before, e.components, e.inst);
  return diff.length ? diff : ["key changed"];
}
