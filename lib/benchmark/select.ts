// Task selection by glob: "prom/*", "tf/0", "**"; a leading suite name ("gue/prom/*") names the task list.
import { statSync } from "node:fs";
import { closest } from "fastest-levenshtein";
import { StageInputError } from "../../core/errors.js";
import { didYouMean } from "../../core/suggest.js";
import { discoverTasks } from "./source.js";

/** `*` matches within one path segment, `**` across segments, `?` one character. */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*" && glob[i + 1] === "*") {
      re += ".*";
      i++;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/**
 * Splits a leading suite name off patterns: ["gue/prom/*", "gue/tf/0"] → { suite: "gue", patterns: ["prom/*", "tf/0"] }.
 * A pattern's first segment is a suite name only when it is one of `known`; all patterns naming one must agree.
 */
export function splitSuitePrefix(patterns: string[], known: string[]): { suite?: string; patterns: string[] } {
  let suite: string | undefined;
  const out = patterns.map((p) => {
    const [first, ...rest] = p.split("/");
    if (!known.includes(first)) return p;
    if (suite && suite !== first) throw new StageInputError(`tasks: patterns name two task lists ('${suite}' and '${first}')`);
    suite = first;
    return rest.length ? rest.join("/") : "**";
  });
  return { suite, patterns: out };
}

/** Tasks matching any pattern, in the order of `available`. A pattern matching nothing is an error with a suggestion. */
export function selectTasks(available: string[], patterns: string[], where: string): string[] {
  const res = patterns.map((p) => ({ p, re: globToRegExp(p), hits: 0 }));
  const picked = available.filter((t) => {
    let any = false;
    for (const r of res) {
      if (!r.re.test(t)) continue;
      r.hits++;
      any = true;
    }
    return any;
  });
  const none = res.filter((r) => r.hits === 0);
  if (none.length) {
    const list = available.length > 12 ? `${available.slice(0, 12).join(", ")}, … (${available.length} in all)` : available.join(", ");
    const hint = (p: string) => (available.length ? ` (did you mean '${closest(p, available)}'?)` : "");
    throw new StageInputError(`tasks: ${none.map((r) => `'${r.p}'${hint(r.p)}`).join(", ")} matches no task in ${where}; tasks there: ${list || "none"}`);
  }
  return picked;
}

/**
 * Selected tasks that a named suite does not list (`suite: gue` with a task GUE does not have), as one message with a
 * did-you-mean per task, or undefined when all are listed.
 */
export function tasksNotInSuite(selected: string[], suite: { name: string; tasks: Array<{ name: string }> }): string | undefined {
  const names = suite.tasks.map((t) => t.name);
  const bad = selected.filter((t) => !names.includes(t));
  if (!bad.length) return undefined;
  return `tasks: ${bad.map((t) => `'${t}'${didYouMean(t, names)}`).join(", ")} ${bad.length > 1 ? "are" : "is"} not in the task list '${suite.name}' (${names.length} tasks: ${names.slice(0, 6).join(", ")}, …); drop suite: ${suite.name} to use tasks outside it`;
}

/**
 * The task names a data/benchmark stage will produce, when that is knowable at plan time: a local task folder
 * (`source` input) and patterns that each match. Undefined when it is not (a URL, an archive, a pattern matching
 * nothing — the benchmark stage reports that itself).
 */
export function plannedTaskNames(sourceDir: string, patterns: string[], known: string[], name?: string): string[] | undefined {
  try {
    if (!statSync(sourceDir, { throwIfNoEntry: false })?.isDirectory()) return undefined;
    const { patterns: ps } = splitSuitePrefix(patterns, known);
    return selectTasks([...discoverTasks(sourceDir, (rel) => rel, name).keys()], ps, sourceDir);
  } catch {
    return undefined;
  }
}
