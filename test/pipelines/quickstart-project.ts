// Shared by the quickstart byte-comparison and kill-fuzz tests: a copy of pipelines/quickstart.yaml with the bundled
// data it reads, laid out as in the repository (so its relative paths hold) under a fresh temp directory, and a
// byte-level comparison of two stores' published outputs.
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { repoRoot } from "../helpers/paths.js";

const GENOME = join("test", "fixtures", "genome", "chr2_1-2333275.fa.gz");

/** A temp directory holding pipelines/quickstart.yaml (through `edit`), pipelines/data and the genome fixture. */
export function quickstartProject(edit: (yaml: string) => string = (y) => y): { dir: string; file: string } {
  const root = repoRoot();
  const dir = mkdtempSync(join(tmpdir(), "quickstart-copy-"));
  mkdirSync(join(dir, "pipelines"));
  mkdirSync(join(dir, "test", "fixtures", "genome"), { recursive: true });
  cpSync(join(root, "pipelines", "data"), join(dir, "pipelines", "data"), { recursive: true });
  cpSync(join(root, GENOME), join(dir, GENOME));
  const file = join(dir, "pipelines", "quickstart.yaml");
  const text = readFileSync(join(root, "pipelines", "quickstart.yaml"), "utf8");
  const edited = edit(text);
  writeFileSync(file, edited);
  return { dir, file };
}

/** Replaces exactly one occurrence of `from` (so a changed quickstart.yaml fails loudly here, not silently later). */
export function replaceOnce(text: string, from: string, to: string): string {
  const i = text.indexOf(from);
  if (i < 0 || text.indexOf(from, i + 1) >= 0) throw new Error(`quickstart.yaml: expected exactly one '${from}'`);
  return text.slice(0, i) + to + text.slice(i + from.length);
}

/** sha256 of every published output file: `<key>/out/<output>/<path>` → digest. */
export function publishedBytes(store: string): Map<string, string> {
  const out = new Map<string, string>();
  const objects = join(store, "objects");
  if (!existsSync(objects)) return out;
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(objects, p), createHash("sha256").update(readFileSync(p)).digest("hex"));
    }
  };
  for (const key of readdirSync(objects)) if (existsSync(join(objects, key, "out"))) walk(join(objects, key, "out"));
  return out;
}

/** Every file that is missing on one side or differs, by `<key>/out/...` path (empty when the stores agree). */
export function byteDifferences(a: Map<string, string>, b: Map<string, string>): string[] {
  const diffs: string[] = [];
  for (const [p, h] of a) if (b.get(p) !== h) diffs.push(b.has(p) ? `differs: ${p}` : `only in the first store: ${p}`);
  for (const p of b.keys()) if (!a.has(p)) diffs.push(`only in the second store: ${p}`);
  return diffs.sort();
}
