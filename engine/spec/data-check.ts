// Checks on the parsed data before anything walks it in full: alias expansion bounded (an "alias bomb" of a few lines
// expands to 10^8 values; js-yaml shares aliased objects, so only a full walk would hang), numbers finite (1e400 is
// Infinity, which JSON and keys turn into null), and `${{` closed.
import type { ProblemList } from "../../core/errors.js";
import type { SourceDoc } from "./source.js";

/** Most values the data may expand to: ten per byte of text (aliases add no bytes), at least 50,000. */
export function expansionLimit(textLength: number): number {
  return Math.max(50_000, 10 * textLength);
}

/** Adds problems with positions; returns false when the data must not be walked any further (an alias bomb). */
export function checkData(data: unknown, src: SourceDoc, text: string, problems: ProblemList): boolean {
  // Each walk only when the text can need it (an anchor, `.inf`/`.nan`, a `${{`): a 10,000-stage file costs nothing.
  const anchors = /&[^\s&]/.test(text);
  if (anchors && !boundedAliases(data, src, text.length, problems)) return false;
  const numbers = /\.(inf|Inf|INF|nan|NaN|NAN)\b/.test(text);
  const exprs = text.includes("${{");
  if (!numbers && !exprs) return true;
  const seen = new Set<object>();
  const path: Array<string | number> = []; // one stack, copied only for a problem
  const walk = (v: unknown, inStages: boolean): void => {
    if (typeof v === "number") {
      if (numbers && !Number.isFinite(v)) {
        const at = [...path];
        problems.add(
          `${at.join(".") || "value"}: ${Number.isNaN(v) ? "NaN" : "an infinite number"} (${String(src.textAt(at))}) is not allowed: numbers must be finite`,
          src.pos(at),
        );
      }
    } else if (typeof v === "string") {
      if (exprs && inStages && v.includes("${{") && unterminatedExpr(v)) {
        const at = [...path];
        problems.add(`${at.join(".")}: unterminated expression '${unterminatedExpr(v)}': a \${{ needs its closing }}`, src.pos(at));
      }
    } else if (v !== null && typeof v === "object") {
      if (anchors) {
        if (seen.has(v)) return; // shared through an alias: checked once
        seen.add(v);
      }
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          path.push(i);
          walk(v[i], inStages);
          path.pop();
        }
      } else {
        for (const k in v) {
          path.push(k);
          walk((v as Record<string, unknown>)[k], inStages || (path.length === 1 && (k === "stages" || k === "defaults")));
          path.pop();
        }
      }
    }
  };
  walk(data, false);
  return true;
}

/** False (with a problem) when aliases expand the data past the limit. */
function boundedAliases(data: unknown, src: SourceDoc, textLength: number, problems: ProblemList): boolean {
  const limit = expansionLimit(textLength);
  const sizes = new Map<object, number>();
  const size = (v: unknown): number => {
    if (v === null || typeof v !== "object") return 1;
    const known = sizes.get(v);
    if (known !== undefined) return known;
    sizes.set(v, 1); // a cycle (only possible with aliases to an ancestor) counts once
    let n = 1;
    for (const x of Object.values(v)) n = Math.min(n + size(x), Number.MAX_SAFE_INTEGER);
    sizes.set(v, n);
    return n;
  };
  const total = size(data);
  if (total > limit) {
    // Point at the smallest subtree that is over the limit on its own: that is where the aliases multiply.
    const path: Array<string | number> = [];
    let node: any = data;
    for (;;) {
      const entry = Object.entries(node).find(([, x]) => x !== null && typeof x === "object" && size(x) > limit);
      if (!entry) break;
      path.push(Array.isArray(node) ? Number(entry[0]) : entry[0]);
      node = entry[1];
    }
    const count = total >= Number.MAX_SAFE_INTEGER ? "more than 2^53" : total.toLocaleString("en-US");
    problems.add(
      `aliases expand the file to ${count} values, over the limit of ${limit.toLocaleString("en-US")} (10 per byte of the file); they multiply here: an alias bomb? Write the values out or nest fewer aliases`,
      src.pos(path),
    );
    return false;
  }
  return true;
}

/** The text from an unclosed `${{` to the end of the string (shortened), or undefined if every `${{` is closed. */
export function unterminatedExpr(s: string): string | undefined {
  let i = s.indexOf("${{");
  while (i >= 0) {
    const close = s.indexOf("}}", i + 3);
    const next = s.indexOf("${{", i + 3);
    if (close < 0 || (next >= 0 && next < close)) {
      const rest = s.slice(i, next >= 0 ? next : undefined);
      return rest.length > 40 ? `${rest.slice(0, 40)}…` : rest;
    }
    i = s.indexOf("${{", close + 2);
  }
  return undefined;
}
