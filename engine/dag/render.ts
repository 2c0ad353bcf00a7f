// `dnaflow dag`: the instance graph as Mermaid (renders on GitHub) or Graphviz DOT.
import type { StageInstance } from "./types.js";

/** What is drawn of a plan: each instance with its key and whether it is cached (a Plan fits; dag/ sits below plan/). */
export interface RenderablePlan {
  entries: ReadonlyArray<{ inst: StageInstance; key: string; action: "cached" | "run" }>;
}

const mermaidId = (i: number) => `s${i}`;
const label = (s: string) => s.replace(/"/g, "'");

export function toMermaid(plan: RenderablePlan): string {
  const idx = new Map(plan.entries.map((e, i) => [e.inst.id, i]));
  const lines = ["flowchart TD"];
  plan.entries.forEach((e, i) => {
    const what = e.inst.def ? e.inst.def.name : "run";
    lines.push(`  ${mermaidId(i)}["${label(e.inst.id)}<br/><small>${label(what)} · ${e.key.slice(0, 8)}</small>"]:::${e.action}`);
  });
  for (const e of plan.entries) for (const d of e.inst.deps) lines.push(`  ${mermaidId(idx.get(d.id)!)} --> ${mermaidId(idx.get(e.inst.id)!)}`);
  lines.push("  classDef cached fill:#e6f4ea,stroke:#34a853", "  classDef run fill:#fef7e0,stroke:#f9ab00");
  return lines.join("\n") + "\n";
}

export function toDot(plan: RenderablePlan): string {
  const q = (s: string) => JSON.stringify(s);
  const lines = ["digraph dnaflow {", "  rankdir=TB;", '  node [shape=box, style="rounded,filled", fontname="Helvetica"];'];
  for (const e of plan.entries) {
    const what = e.inst.def ? e.inst.def.name : "run";
    lines.push(
      `  ${q(e.inst.id)} [label=${q(`${e.inst.id}\n${what} · ${e.key.slice(0, 8)}`)}, fillcolor=${e.action === "cached" ? q("#e6f4ea") : q("#fef7e0")}];`,
    );
  }
  for (const e of plan.entries) for (const d of e.inst.deps) lines.push(`  ${q(d.id)} -> ${q(e.inst.id)};`);
  lines.push("}");
  return lines.join("\n") + "\n";
}
