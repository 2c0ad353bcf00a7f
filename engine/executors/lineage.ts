// The keyed recipe behind a stage's inputs: every upstream stage (builtin name@version or run: argv) with its params,
// in topological order. Only what the key covers, never stage ids or file names (renaming a stage keeps its key, so
// anything a stage writes from this stays byte-identical). Model cards name their training data from it.
import type { StageInstance } from "../dag/types.js";
import { canonicalJson } from "../../core/key.js";
import type { LineageEntry } from "../stage.js";
import { keyedParams } from "../stage-params.js";

export function lineageOf(inst: StageInstance): LineageEntry[] {
  const out: LineageEntry[] = [];
  const seen = new Set<string>();
  const visited = new Set<StageInstance>();
  const visit = (i: StageInstance) => {
    if (visited.has(i)) return;
    visited.add(i);
    for (const d of i.deps) visit(d);
    if (i === inst) return;
    const e: LineageEntry = i.def
      ? { uses: `${i.def.name}@${i.def.version}`, params: keyedParams(i.def, i.params) as LineageEntry["params"] }
      : { run: i.run?.argv ?? [i.run?.command ?? ""], params: i.params as LineageEntry["params"] };
    const c = canonicalJson(e);
    if (seen.has(c)) return;
    seen.add(c);
    out.push(e);
  };
  visit(inst);
  return out;
}
