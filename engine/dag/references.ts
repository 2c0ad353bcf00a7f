// Parses the entries of a stage's `inputs:`: references to other stages' outputs, or external paths.
import type { ProblemList, SourcePos } from "../../core/errors.js";
import { exprsIn, hasExpr, wholeExpr } from "../spec/expressions.js";
import type { StageSpec } from "../spec/types.js";
import { didYouMean } from "../../core/suggest.js";

/** `pos` is a getter: computing positions is only worth it for entries that turn out to be wrong. */
export type InputEntry =
  | { kind: "ref"; stage: string; output: string; readonly pos: SourcePos }
  | { kind: "path"; text: string; readonly pos: SourcePos };

const REF_FORM = "${{ stages.ID.outputs.NAME }}";

/** Parses every input entry of every stage; returns entries by stage and input name, and stage-level dependencies. */
export function parseInputs(
  stages: StageSpec[],
  outputsOf: (id: string) => string[] | undefined,
  problems: ProblemList,
  pos: (stageId: string, ...path: Array<string | number>) => SourcePos,
): { entries: Map<string, Record<string, InputEntry[]>>; deps: Map<string, string[]> } {
  const ids = new Set(stages.map((s) => s.id));
  const entries = new Map<string, Record<string, InputEntry[]>>();
  const deps = new Map<string, string[]>();
  for (const s of stages) {
    const mine: Record<string, InputEntry[]> = {};
    const d = new Set<string>();
    for (const [name, list] of Object.entries(s.inputs)) {
      mine[name] = [];
      list.forEach((text, i) => {
        const at = () => pos(s.id, "inputs", name, i);
        const e = parseEntry(s.id, name, text, ids, outputsOf, problems, at);
        if (!e) return;
        mine[name].push(e);
        if (e.kind === "ref") d.add(e.stage);
      });
    }
    entries.set(s.id, mine);
    deps.set(s.id, [...d]);
  }
  return { entries, deps };
}

function parseEntry(
  self: string,
  input: string,
  text: string,
  ids: Set<string>,
  outputsOf: (id: string) => string[] | undefined,
  problems: ProblemList,
  at: () => SourcePos,
): InputEntry | undefined {
  const expr = wholeExpr(text);
  if (!expr || expr.path[0] !== "stages") {
    // Paths may use params (${{ params.genome }}); those are substituted per instance later.
    if (hasExpr(text) && exprsIn(text).some((x) => x.path[0] !== "params" && x.path[0] !== "matrix")) {
      problems.add(`stage '${self}': input '${input}': expected ${REF_FORM} or a path, got '${text}'`, at());
      return undefined;
    }
    return { kind: "path", text, get pos() { return at(); } };
  }
  const [, stage, word, output] = expr.path;
  if (!expr.valid || expr.path.length !== 4 || word !== "outputs") {
    problems.add(`stage '${self}': input '${input}': malformed reference '${expr.text}', expected ${REF_FORM}`, at());
    return undefined;
  }
  if (!ids.has(stage)) {
    problems.add(`stage '${self}': input '${input}' references unknown stage '${stage}'${didYouMean(stage, ids)}`, at());
    return undefined;
  }
  const outs = outputsOf(stage);
  if (outs && !outs.includes(output)) {
    problems.add(`stage '${self}': input '${input}': stage '${stage}' has no output '${output}'${didYouMean(output, outs)}; outputs: ${outs.join(", ")}`, at());
    return undefined;
  }
  return { kind: "ref", stage, output, get pos() { return at(); } };
}
