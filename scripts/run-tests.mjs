// Runs every compiled test file with node's built-in runner (its summary is what CI reads).
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

function find(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? find(p) : p.endsWith(".test.js") ? [p] : [];
  });
}
const filter = process.argv.slice(2);
const files = find("dist/test").filter((f) => !filter.length || filter.some((x) => f.includes(x))).sort();
if (!files.length) { console.error("no test files found"); process.exit(1); }
const r = spawnSync(process.execPath, ["--test", "--test-concurrency=2", ...files], { stdio: "inherit" });
process.exit(r.status ?? 1);
