// dnaflow plan FILE [--explain]: what would run and why, without running anything.
import { relative } from "node:path";
import { canonicalJson } from "../../../core/key.js";
import { load, type CommonOptions } from "../context.js";

export async function planCmd(file: string, opts: CommonOptions & { explain?: boolean; json?: boolean }): Promise<number> {
  const { plan, store } = await load(file, opts);
  if (opts.json) {
    const rows = plan.entries.map((e) => ({
      id: e.inst.id,
      key: e.key,
      action: e.action,
      reasons: e.reasons,
      ...(opts.explain ? { components: e.components } : {}),
    }));
    process.stdout.write(JSON.stringify({ pipeline: plan.pipeline.name, store: store.location, previousRun: plan.previous?.id, stages: rows }, null, 2) + "\n");
    return 0;
  }
  const toRun = plan.entries.filter((e) => e.action === "run").length;
  const width = Math.min(48, Math.max(...plan.entries.map((e) => e.inst.id.length)));
  const out: string[] = [
    `${plan.pipeline.name}: ${plan.entries.length} stage(s), ${plan.entries.length - toRun} cached, ${toRun} to run (store ${relative(process.cwd(), store.location) || "."})`,
  ];
  if (opts.explain && plan.previous) out.push(`compared with run ${plan.previous.id} (${plan.previous.outcome})`);
  for (const e of plan.entries) {
    const head = `  ${e.action === "cached" ? "cached" : "run   "}  ${e.inst.id.padEnd(width)}  ${e.key.slice(0, 10)}`;
    if (!opts.explain) {
      out.push(e.reasons.length ? `${head}  ${e.reasons[0]}${e.reasons.length > 1 ? ` (+${e.reasons.length - 1} more)` : ""}` : head);
      continue;
    }
    out.push(head);
    for (const r of e.action === "run" ? e.reasons : ["unchanged: in the store"]) out.push(`          · ${r}`);
    out.push(`          key components: ${canonicalJson(e.components)}`);
  }
  process.stdout.write(out.join("\n") + "\n");
  return 0;
}
