// Known benchmark task lists (YAML data in stages/data/suites/, shipped with the package): names, class counts, splits.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";

export interface SuiteTask {
  name: string;
  classes?: number;
  length?: number;
  kind?: "classification" | "regression";
}

export interface Suite {
  name: string;
  description: string;
  /** Split files every task has; a base URL download fetches exactly these. */
  splits: string[];
  metric: string;
  tasks: SuiteTask[];
}

let cache: Map<string, Suite> | undefined;

/** The folder holding the suite YAML files: <package root>/stages/data/suites. */
export function suitesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "stages", "data", "suites");
    if (existsSync(join(dir, "package.json")) && existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error("benchmark suites: stages/data/suites not found above " + fileURLToPath(import.meta.url));
    dir = up;
  }
}

export function suites(): Map<string, Suite> {
  if (cache) return cache;
  cache = new Map();
  const dir = suitesDir();
  for (const f of readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()) {
    const s = yaml.load(readFileSync(join(dir, f), "utf8")) as Suite;
    cache.set(s.name, s);
  }
  return cache;
}

export const suiteNames = () => [...suites().keys()];
