// Expands a stage's matrix into combinations (axis declaration order), minus `exclude` entries, and says which
// `include` entries apply to each. An axis value is a scalar, or a mapping with a `name` (e.g. a tokenizer with its
// params): coordinates use the name, expressions (${{ matrix.tokenizer.vocabSize }}) see the whole value.
import type { ProblemList, SourcePos } from "../../core/errors.js";
import { wholeExpr } from "../spec/expressions.js";
import type { StageSpec } from "../spec/types.js";
import type { MatrixCoords } from "../../core/instance-id.js";
import { didYouMean } from "../../core/suggest.js";

type Scalar = string | number | boolean;
type AxisValue = Scalar | { name: Scalar; [k: string]: unknown };

export interface MatrixPoint {
  /** Axis → name (ids, binding between stages, report coordinates). */
  coords: MatrixCoords;
  /** Axis → full value (expressions). */
  values: Record<string, unknown>;
  /** Indexes of the `matrix.include` entries that apply, in order (later ones win). */
  include: number[];
}

const nameOf = (v: AxisValue): Scalar => (v !== null && typeof v === "object" ? v.name : v);

export function expandMatrix(
  stage: StageSpec,
  params: Record<string, unknown>,
  problems: ProblemList,
  pos: (...path: Array<string | number>) => SourcePos,
): MatrixPoint[] {
  if (!stage.matrix) return [{ coords: {}, values: {}, include: [] }];
  const axes: Array<[string, AxisValue[]]> = [];
  for (const [axis, raw] of Object.entries(stage.matrix.axes)) {
    const values = axisValues(raw, params);
    if ("error" in values) {
      problems.add(`stage '${stage.id}': matrix.${axis}: ${values.error}`, pos("matrix", axis));
      continue;
    }
    const names = values.list.map(nameOf);
    const dup = names.find((v, i) => names.indexOf(v) !== i);
    if (dup !== undefined) problems.add(`stage '${stage.id}': matrix.${axis} lists ${JSON.stringify(dup)} twice`, pos("matrix", axis));
    axes.push([axis, values.list]);
  }
  let points: MatrixPoint[] = [{ coords: {}, values: {}, include: [] }];
  for (const [axis, list] of axes) {
    points = points.flatMap((p) => list.map((v) => ({ coords: { ...p.coords, [axis]: nameOf(v) }, values: { ...p.values, [axis]: v }, include: [] })));
  }
  const matches = (p: MatrixPoint, entry: Record<string, unknown>) => Object.entries(entry).every(([k, v]) => p.coords[k] === v);
  const kept = points.filter((p) => !stage.matrix!.exclude.some((ex) => matches(p, ex)));
  if (!kept.length && points.length) problems.add(`stage '${stage.id}': matrix.exclude removes every combination`, pos("matrix", "exclude"));
  stage.matrix.include.forEach((entry, i) => {
    const where = `stage '${stage.id}': matrix.include[${i}]`;
    // An axis the stage lacks was reported with the spec, one whose values could not be read above.
    if (Object.keys(entry.match).some((axis) => !axes.some(([a]) => a === axis))) return;
    // An axis value that does not exist would silently match nothing: name it, with the values there are.
    let known = true;
    for (const [axis, v] of Object.entries(entry.match)) {
      const names = axes.find(([a]) => a === axis)![1].map(nameOf);
      if (names.includes(v)) continue;
      const hint = typeof v === "string" ? didYouMean(v, names.map(String)) : "";
      problems.add(
        `${where}: axis '${axis}' has no value ${JSON.stringify(v)}${hint}; values: ${names.map((n) => JSON.stringify(n)).join(", ")}`,
        pos("matrix", "include", i, axis),
      );
      known = false;
    }
    if (!known || !kept.length) return;
    const hits = kept.filter((p) => matches(p, entry.match));
    if (!hits.length) problems.add(`${where} matches only combinations that matrix.exclude removes`, pos("matrix", "include", i));
    for (const p of hits) p.include.push(i);
  });
  return kept;
}

function axisValues(raw: unknown, params: Record<string, unknown>): { list: AxisValue[] } | { error: string } {
  let list: unknown = raw;
  let what = "values";
  const expr = typeof raw === "string" ? wholeExpr(raw) : undefined;
  if (expr) {
    if (expr.path[0] !== "params") return { error: "must be a list of values or ${{ params.NAME }} naming a list" };
    let v: any = params;
    for (let i = 1; i < expr.path.length; i++) {
      if (!v || typeof v !== "object" || !(expr.path[i] in v)) {
        return { error: `unknown param '${expr.path.slice(1).join(".")}'${didYouMean(expr.path[i], Object.keys(v ?? {}))}` };
      }
      v = v[expr.path[i]];
    }
    list = v;
    what = `param '${expr.path.slice(1).join(".")}'`;
  }
  if (!Array.isArray(list) || !list.length) return { error: `${what} must be a non-empty list, got ${JSON.stringify(list)}` };
  for (const v of list) {
    const ok = v !== null && (typeof v !== "object" || (!Array.isArray(v) && ["string", "number", "boolean"].includes(typeof (v as { name?: unknown }).name)));
    if (!ok) return { error: `${what}: each value is a scalar or a mapping with a 'name', got ${JSON.stringify(v)}` };
  }
  return { list: list as AxisValue[] };
}
