// Parses the entries of a stage's `inputs:` (and of its `matrix.include` entries' `inputs:`): references to other
// stages' outputs, or external paths.
import type { ProblemList, SourcePos } from "../../core/errors.js";
import { exprsIn, hasExpr, wholeExpr } from "../spec/expressions.js";
import type { StageSpec } from "../spec/types.js";
import { didYouMean } from "../../core/suggest.js";

/** `pos` is a getter: computing positions is only worth it for entries that turn out to be wrong. */
export type InputEntry =
  | {
      kind: "ref";
      stage: string;
      output: string;
      /** `stages.ID[axis=value,…]`: the upstream instances to bind, whatever this instance's own coordinates (values as text, as in instance ids). */
      pick: Record<string, string>;
      readonly pos: SourcePos;
    }
  | { kind: "path"; text: string; readonly pos: SourcePos };

export type InputEntries = Record<string, InputEntry[]>;

/** A stage's inputs as parsed: its own, and those of each `matrix.include` entry (by index). */
export interface StageInputs {
  base: InputEntries;
  include: InputEntries[];
}

const REF_FORM = "${{ stages.ID.outputs.NAME }}";
/** stages.ID.outputs.NAME, or stages.ID[axis=value,…].outputs.NAME (a pick value may hold dots: 0.5, a.b). */
const REF = /^stages\.([A-Za-z_][A-Za-z0-9_-]*)(?:\[([^\]]*)\])?\.outputs\.([A-Za-z0-9_-]+)$/;
const PICK_PART = /^([A-Za-z_][A-Za-z0-9_]*)=([^,=]+)$/;

/** Parses every input entry of every stage; returns entries by stage and input name, and stage-level dependencies. */
export function parseInputs(
  stages: StageSpec[],
  outputsOf: (id: string) => string[] | undefined,
  problems: ProblemList,
  pos: (stageId: string, ...path: Array<string | number>) => SourcePos,
): { entries: Map<string, StageInputs>; deps: Map<string, string[]> } {
  const byId = new Map(stages.map((s) => [s.id, s]));
  const entries = new Map<string, StageInputs>();
  const deps = new Map<string, string[]>();
  for (const s of stages) {
    const d = new Set<string>();
    const parseAll = (inputs: Record<string, string[]>, at: Array<string | number>): InputEntries => {
      const mine: InputEntries = {};
      for (const [name, list] of Object.entries(inputs)) {
        mine[name] = [];
        list.forEach((text, i) => {
          const e = parseEntry(s.id, name, text, byId, outputsOf, problems, () => pos(s.id, ...at, name, i));
          if (!e) return;
          mine[name].push(e);
          if (e.kind === "ref") d.add(e.stage);
        });
      }
      return mine;
    };
    const base = parseAll(s.inputs, ["inputs"]);
    const include = (s.matrix?.include ?? []).map((entry, i) => parseAll(entry.inputs, ["matrix", "include", i, "inputs"]));
    entries.set(s.id, { base, include });
    deps.set(s.id, [...d]);
  }
  return { entries, deps };
}

/** Every entry of a stage, its own and its include entries'. */
export function allEntries(inputs: StageInputs): InputEntry[] {
  return [inputs.base, ...inputs.include].flatMap((m) => Object.values(m).flat());
}

function parseEntry(
  self: string,
  input: string,
  text: string,
  stages: Map<string, StageSpec>,
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
    return {
      kind: "path",
      text,
      get pos() {
        return at();
      },
    };
  }
  const m = REF.exec(expr.text);
  if (!m) {
    problems.add(`stage '${self}': input '${input}': malformed reference '${expr.text}', expected ${REF_FORM}`, at());
    return undefined;
  }
  const [, stage, pickText, output] = m;
  const upstream = stages.get(stage);
  if (!upstream) {
    problems.add(`stage '${self}': input '${input}' references unknown stage '${stage}'${didYouMean(stage, stages.keys())}`, at());
    return undefined;
  }
  const outs = outputsOf(stage);
  if (outs && !outs.includes(output)) {
    problems.add(`stage '${self}': input '${input}': stage '${stage}' has no output '${output}'${didYouMean(output, outs)}; outputs: ${outs.join(", ")}`, at());
    return undefined;
  }
  const pick =
    pickText === undefined ? {} : parsePick(pickText, (msg) => problems.add(`stage '${self}': input '${input}': ${stage}[${pickText}]: ${msg}`, at()));
  if (!pick) return undefined;
  // Axis names are known before the matrix expands (their values may come from params: checked when binding).
  const axes = Object.keys(upstream.matrix?.axes ?? {});
  for (const axis of Object.keys(pick)) {
    if (!axes.includes(axis)) {
      const has = axes.length ? `; its axes: ${axes.join(", ")}` : ": it has no matrix";
      problems.add(`stage '${self}': input '${input}': stage '${stage}' has no matrix axis '${axis}'${didYouMean(axis, axes)}${has}`, at());
      return undefined;
    }
  }
  return {
    kind: "ref",
    stage,
    output,
    pick,
    get pos() {
      return at();
    },
  };
}

/** "split=train,seed=1" → { split: "train", seed: "1" }; undefined (after `fail`) when malformed. */
function parsePick(text: string, fail: (msg: string) => void): Record<string, string> | undefined {
  const pick: Record<string, string> = {};
  for (const part of text.split(",").map((p) => p.trim())) {
    const m = PICK_PART.exec(part);
    if (!m) return (fail(`expected [axis=value,…] naming upstream instances, got '${part}'`), undefined);
    const [, axis, value] = m;
    if (axis in pick) return (fail(`names axis '${axis}' twice`), undefined);
    pick[axis] = value.trim();
  }
  return pick;
}
