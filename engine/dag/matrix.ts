// Expands a stage's matrix into coordinate combinations (axis declaration order), minus `exclude` entries.
import type { ProblemList, SourcePos } from "../errors.js";
import { wholeExpr } from "../spec/expressions.js";
import type { StageSpec } from "../spec/types.js";
import type { MatrixCoords } from "../stage.js";
import { didYouMean } from "../suggest.js";

type Value = string | number | boolean;

export function expandMatrix(
  stage: StageSpec,
  params: Record<string, unknown>,
  problems: ProblemList,
  pos: (...path: Array<string | number>) => SourcePos,
): MatrixCoords[] {
  if (!stage.matrix) return [{}];
  const axes: Array<[string, Value[]]> = [];
  for (const [axis, raw] of Object.entries(stage.matrix.axes)) {
    const values = axisValues(raw, params);
    if ("error" in values) {
      problems.add(`stage '${stage.id}': matrix.${axis}: ${values.error}`, pos("matrix", axis));
      continue;
    }
    const dup = values.list.find((v, i) => values.list.indexOf(v) !== i);
    if (dup !== undefined) problems.add(`stage '${stage.id}': matrix.${axis} lists ${JSON.stringify(dup)} twice`, pos("matrix", axis));
    axes.push([axis, values.list]);
  }
  let combos: MatrixCoords[] = [{}];
  for (const [axis, values] of axes) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [axis]: v })));
  const kept = combos.filter((c) => !stage.matrix!.exclude.some((ex) => Object.entries(ex).every(([k, v]) => c[k] === v)));
  if (!kept.length && combos.length) problems.add(`stage '${stage.id}': matrix.exclude removes every combination`, pos("matrix", "exclude"));
  return kept;
}

function axisValues(raw: unknown, params: Record<string, unknown>): { list: Value[] } | { error: string } {
  if (Array.isArray(raw)) return { list: raw as Value[] };
  const expr = typeof raw === "string" ? wholeExpr(raw) : undefined;
  if (!expr || expr.path[0] !== "params") return { error: "must be a list of values or ${{ params.NAME }} naming a list" };
  let v: any = params;
  for (let i = 1; i < expr.path.length; i++) {
    if (!v || typeof v !== "object" || !(expr.path[i] in v)) {
      return { error: `unknown param '${expr.path.slice(1).join(".")}'${didYouMean(expr.path[i], Object.keys(v ?? {}))}` };
    }
    v = v[expr.path[i]];
  }
  if (!Array.isArray(v) || !v.length || v.some((x) => x === null || typeof x === "object")) {
    return { error: `param '${expr.path.slice(1).join(".")}' must be a non-empty list of scalars, got ${JSON.stringify(v)}` };
  }
  return { list: v };
}
