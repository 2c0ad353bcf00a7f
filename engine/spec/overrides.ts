// Param overrides from profiles and `--set a.b=value`: the path must exist, and the value keeps the default's type.
import { parse as parseYaml } from "yaml";
import type { ProblemList, SourcePos } from "../../core/errors.js";
import { didYouMean } from "../../core/suggest.js";

export interface Override {
  path: string[];
  value: unknown;
  /** Where it came from, for messages: "--set model.layers=2" or "profile toy". */
  origin: string;
  pos?: SourcePos;
}

/** Parses one `--set key=value`; the value is read as a YAML scalar/flow value (2 → number, [1,2] → list). */
export function parseSetArg(arg: string, problems: ProblemList): Override | undefined {
  const eq = arg.indexOf("=");
  if (eq <= 0) {
    problems.add(`--set '${arg}': expected KEY=VALUE, e.g. --set model.layers=2`);
    return undefined;
  }
  const key = arg.slice(0, eq).trim();
  const raw = arg.slice(eq + 1);
  if (!/^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/.test(key)) {
    problems.add(`--set '${arg}': '${key}' is not a dotted param name`);
    return undefined;
  }
  let value: unknown;
  // YAML would fold a newline into a space (or choke on other control characters): such a value is kept exactly, as text.
  // eslint-disable-next-line no-control-regex -- control characters are what this looks for
  if (/[\x00-\x1f\x7f]/.test(raw)) return { path: key.split("."), value: raw, origin: `--set ${JSON.stringify(arg).slice(1, -1)}` };
  try {
    value = raw === "" ? "" : parseYaml(raw);
  } catch (e) {
    problems.add(`--set '${arg}': cannot parse value: ${(e as Error).message.split("\n")[0]}`);
    return undefined;
  }
  if (hasNonFinite(value)) {
    problems.add(`--set ${arg}: '${raw}' is not a finite number (a float that overflows is Infinity, which no param can hold)`);
    return undefined;
  }
  return { path: key.split("."), value, origin: `--set ${arg}` };
}

/** Flattens a profile's entries ({"model.layers": 2} or {model: {layers: 2}}) into overrides against `params`. */
export function profileOverrides(
  profile: Record<string, unknown>,
  params: Record<string, unknown>,
  origin: string,
  posOf: (key: string[]) => SourcePos,
): Override[] {
  const out: Override[] = [];
  const walk = (obj: Record<string, unknown>, prefix: string[], rawPrefix: string[]) => {
    for (const [k, v] of Object.entries(obj)) {
      const path = [...prefix, ...k.split(".")];
      const target = getPath(params, path);
      if (v && typeof v === "object" && !Array.isArray(v) && target && typeof target === "object" && !Array.isArray(target)) {
        walk(v as Record<string, unknown>, path, [...rawPrefix, k]);
      } else {
        out.push({ path, value: v, origin, pos: posOf([...rawPrefix, k]) });
      }
    }
  };
  walk(profile, [], []);
  return out;
}

function hasNonFinite(v: unknown): boolean {
  if (typeof v === "number") return !Number.isFinite(v);
  return v !== null && typeof v === "object" && Object.values(v).some(hasNonFinite);
}

function getPath(obj: unknown, path: string[]): unknown {
  let v: any = obj;
  for (const p of path) v = v && typeof v === "object" ? v[p] : undefined;
  return v;
}

const kind = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "list" : typeof v === "object" ? "mapping" : typeof v);

/** Applies overrides in order onto a copy of `params`; unknown paths and type changes are problems. */
export function applyOverrides(params: Record<string, unknown>, overrides: Override[], problems: ProblemList): Record<string, unknown> {
  const out = structuredClone(params);
  for (const o of overrides) {
    let parent: any = out;
    let ok = true;
    for (let i = 0; i < o.path.length - 1; i++) {
      const next = parent[o.path[i]];
      if (!next || typeof next !== "object" || Array.isArray(next)) {
        problems.add(`${o.origin}: unknown param '${o.path.slice(0, i + 1).join(".")}'${didYouMean(o.path[i], Object.keys(parent))}`, o.pos);
        ok = false;
        break;
      }
      parent = next;
    }
    if (!ok) continue;
    const last = o.path[o.path.length - 1];
    if (!(last in parent)) {
      problems.add(`${o.origin}: unknown param '${o.path.join(".")}'${didYouMean(last, Object.keys(parent))} (declare it under params: first)`, o.pos);
      continue;
    }
    const was = parent[last];
    if (was !== null && kind(was) !== kind(o.value)) {
      problems.add(
        `${o.origin}: '${o.path.join(".")}' is a ${kind(was)} (default ${JSON.stringify(was)}), got ${kind(o.value)} ${JSON.stringify(o.value)}`,
        o.pos,
      );
      continue;
    }
    parent[last] = o.value;
  }
  return out;
}
