// A stage's `matrix:` as written → MatrixSpec: axes, `exclude` and `include` entries, with the checks that need no
// params (axis names). Axis values may come from params, so whether an entry's values exist is checked when the DAG
// expands the matrix (engine/dag/matrix.ts).
import type { ProblemList } from "../../core/errors.js";
import { didYouMean } from "../../core/suggest.js";
import type { SourceDoc } from "./source.js";
import type { MatrixInclude, MatrixSpec, Scalar } from "./types.js";

/** Keys of an include entry that are not axis values: what the matched combinations use instead of the stage's. */
const OVERRIDES = ["with", "inputs"] as const;

/** `inputs:` as written (one entry or a list) → name → entries. */
export function inputLists(raw: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries((raw ?? {}) as Record<string, string | string[]>)) out[k] = Array.isArray(v) ? v : [v];
  return out;
}

export function normalizeMatrix(id: string, raw: Record<string, any>, src: SourceDoc, problems: ProblemList): MatrixSpec {
  const at = (path: Array<string | number>, key = false) => src.pos(["stages", id, "matrix", ...path], { key });
  const { exclude = [], include = [], ...axes } = raw;
  const names = Object.keys(axes);
  if (!names.length) problems.add(`stage '${id}': matrix needs at least one axis besides exclude and include`, at([]));
  for (const name of names) {
    if ((OVERRIDES as readonly string[]).includes(name)) {
      problems.add(
        `stage '${id}': matrix axis name '${name}' is reserved (a matrix.include entry's ${name}: overrides the stage's); rename the axis`,
        at([name], true),
      );
    }
  }
  (exclude as Array<Record<string, unknown>>).forEach((ex, i) => {
    for (const k of Object.keys(ex)) {
      if (!(k in axes)) problems.add(`stage '${id}': matrix.exclude names unknown axis '${k}'${didYouMean(k, names)}`, at(["exclude", i, k], true));
    }
  });
  const entries = (include as unknown[]).map((entry, i): MatrixInclude => {
    // Not a mapping: the schema check said so; an entry that matches nothing keeps the indexes of the others.
    if (!entry || typeof entry !== "object" || Array.isArray(entry)) return { match: {}, inputs: {} };
    const { with: withValue, inputs, ...match } = entry as Record<string, unknown>;
    const where = `stage '${id}': matrix.include[${i}]`;
    for (const k of Object.keys(match)) {
      if (!(k in axes)) problems.add(`${where} names unknown axis '${k}'${didYouMean(k, [...names, ...OVERRIDES])}`, at(["include", i, k], true));
    }
    if (!Object.keys(match).length) {
      problems.add(`${where} names no axis value, so it would apply to every combination: put its with:/inputs: on the stage itself`, at(["include", i]));
    }
    if (withValue === undefined && inputs === undefined) {
      problems.add(`${where} changes nothing: give the matched combinations with: keys or inputs:`, at(["include", i]));
    }
    return { match: match as Record<string, Scalar>, with: withValue, inputs: inputLists(inputs) };
  });
  return { axes, exclude, include: entries };
}
