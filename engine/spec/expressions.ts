// ${{ ... }} expressions: dotted paths into params, matrix, stages.<id>.outputs.<name>, inputs, outputs.
// Deliberately not a general language: a pipeline's meaning must stay readable and hashable.

const EXPR = /\$\{\{\s*([^}]*?)\s*\}\}/g;
const WHOLE = /^\$\{\{\s*([^}]*?)\s*\}\}$/;
const PATH = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;

export interface ExprRef {
  /** The text inside ${{ }}. */
  text: string;
  /** Path segments, e.g. ["stages","segment","outputs","segments"]. */
  path: string[];
  valid: boolean;
}

export function hasExpr(s: string): boolean {
  return s.includes("${{");
}

export function exprsIn(s: string): ExprRef[] {
  return [...s.matchAll(EXPR)].map((m) => ({ text: m[1], path: m[1].split("."), valid: PATH.test(m[1]) }));
}

/** The single expression when `s` is exactly one `${{ ... }}`, else undefined. */
export function wholeExpr(s: string): ExprRef | undefined {
  const m = WHOLE.exec(s);
  return m ? { text: m[1], path: m[1].split("."), valid: PATH.test(m[1]) } : undefined;
}

export type Resolver = (ref: ExprRef) => { value: unknown } | { keep: true } | { error: string };

/**
 * Substitutes expressions in a string. A string that is one whole expression takes the value's own type
 * (a number stays a number); inside a longer string values are formatted as text. `keep` leaves it as written.
 */
export function substituteString(s: string, resolve: Resolver, onError: (msg: string) => void): unknown {
  const whole = wholeExpr(s);
  if (whole) {
    const r = resolve(whole);
    if ("error" in r) return (onError(r.error), s);
    return "keep" in r ? s : r.value;
  }
  return s.replace(EXPR, (all, text: string) => {
    const r = resolve({ text, path: text.split("."), valid: PATH.test(text) });
    if ("error" in r) return (onError(r.error), all);
    if ("keep" in r) return all;
    return typeof r.value === "string" ? r.value : JSON.stringify(r.value);
  });
}

/** Deep substitution in YAML data; `onError` gets the JSON path of the failing string. */
export function substituteDeep(
  v: unknown,
  resolve: Resolver,
  onError: (msg: string, path: Array<string | number>) => void,
  path: Array<string | number> = [],
): unknown {
  if (typeof v === "string") return hasExpr(v) ? substituteString(v, resolve, (m) => onError(m, path)) : v;
  if (Array.isArray(v)) return v.map((x, i) => substituteDeep(x, resolve, onError, [...path, i]));
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = substituteDeep(x, resolve, onError, [...path, k]);
    return out;
  }
  return v;
}

/** Looks up a dotted path in a nested object. */
export function lookup(root: unknown, path: string[]): { found: true; value: unknown } | { found: false; at: number; keys: string[] } {
  let v: any = root;
  for (let i = 0; i < path.length; i++) {
    if (v === null || typeof v !== "object" || !(path[i] in v)) {
      return { found: false, at: i, keys: v && typeof v === "object" ? Object.keys(v) : [] };
    }
    v = v[path[i]];
  }
  return { found: true, value: v };
}
