// Why a stage must run: the differences between its key components now and in the last recorded run.
import type { KeyComponents } from "../../core/key.js";
import type { StageInstance } from "../dag/types.js";

const show = (v: unknown) => (v === undefined ? "∅" : JSON.stringify(v));
const short = (d: string) => d.replace(/^tree:/, "").slice(0, 12);

function diffValues(prefix: string, a: unknown, b: unknown, out: string[]): void {
  const isObj = (v: unknown) => v !== null && typeof v === "object" && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])].sort();
    for (const k of keys) diffValues(`${prefix}.${k}`, (a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], out);
  } else if (JSON.stringify(a) !== JSON.stringify(b)) {
    out.push(`${prefix} ${show(a)} → ${show(b)}`);
  }
}

/** Either kind of stage component (builtin or command), so one side can be compared field by field with the other. */
type EitherStage = { uses?: string; version?: number; revision?: number; run?: string[] | string; scripts?: Record<string, string> };

/** Human-readable differences, most specific first. `inst` names upstream stages for their keys. */
export function explainChange(before: KeyComponents, now: KeyComponents, inst: StageInstance): string[] {
  const out: string[] = [];
  if (before.format !== now.format) out.push(`store format ${before.format} → ${now.format}`);
  const [sb, sn] = [before.stage as EitherStage, now.stage as EitherStage];
  if (sn.uses !== undefined) {
    if (sb.uses !== sn.uses) out.push(`stage changed: ${sb.uses ?? "run: command"} → ${sn.uses}`);
    else {
      if (sb.version !== sn.version) out.push(`${sn.uses} version ${sb.version} → ${sn.version}`);
      if (sb.revision !== sn.revision) out.push(`${sn.uses} revision ${sb.revision} → ${sn.revision} (its output bytes changed)`);
    }
  } else {
    if (JSON.stringify(sb.run) !== JSON.stringify(sn.run)) out.push(`command changed: ${show(sb.run)} → ${show(sn.run)}`);
    for (const s of new Set([...Object.keys(sb.scripts ?? {}), ...Object.keys(sn.scripts ?? {})])) {
      if (sb.scripts?.[s] !== sn.scripts?.[s]) out.push(`script ${s} changed`);
    }
  }
  diffValues("params", before.params, now.params, out);
  for (const name of new Set([...Object.keys(before.inputs), ...Object.keys(now.inputs)])) {
    const [ib, inow] = [before.inputs[name] ?? [], now.inputs[name] ?? []];
    const bound = inst.inputs[name] ?? [];
    if (ib.length !== inow.length) out.push(`input ${name}: ${ib.length} → ${inow.length} artifacts`);
    inow.forEach((x, i) => {
      const y = ib[i] as { content?: string; upstream?: string; output?: string } | undefined;
      const b = bound[i];
      if ("content" in x) {
        if (y?.content !== x.content)
          out.push(`input ${name} (${b?.kind === "file" ? b.shown : "file"}) content changed (${y?.content ? short(y.content) : "∅"} → ${short(x.content)})`);
      } else if (y?.upstream !== x.upstream || y?.output !== x.output) {
        out.push(`upstream ${b?.kind === "stage" ? b.from.id : "stage"} changed`);
      }
    });
  }
  diffValues("outputs", before.outputs, now.outputs, out);
  diffValues("env", before.env, now.env, out);
  if (before.worker !== now.worker) out.push("Python worker changed (requirements or source)");
  if (JSON.stringify(before.inputLabels) !== JSON.stringify(now.inputLabels))
    out.push("where its inputs come from changed (an upstream id or matrix value it writes)");
  return out;
}
