// Task selection by glob: "prom/*", "tf/0", "**"; a leading suite name ("gue/prom/*") names the task list.
import { closest } from "fastest-levenshtein";
import { StageInputError } from "../../engine/stage.js";

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
    for (const r of res) if (r.re.test(t)) (r.hits++, (any = true));
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
