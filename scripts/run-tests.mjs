// npm test: every compiled node:test file (node's runner prints the summary CI reads), then the Python worker's
// pytest suite. Arguments filter node test files by substring: `npm test -- engine/`.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

function find(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? find(p) : p.endsWith(".test.js") ? [p] : [];
  });
}
const filter = process.argv.slice(2);
const files = find("dist/test")
  .filter((f) => !filter.length || filter.some((x) => f.includes(x)))
  .sort();
if (!files.length) {
  console.error("no test files found");
  process.exit(1);
}
const node = spawnSync(process.execPath, ["--test", "--test-concurrency=2", ...files], { stdio: "inherit" });
let status = node.status ?? 1;
if (!filter.length && existsSync("worker/tests")) {
  const py = process.env.DNAFLOW_PYTHON || "python3";
  const r = spawnSync(py, ["-m", "pytest", "-q", "worker/tests"], { stdio: "inherit" });
  // pytest exits 5 when it collects nothing: that is a broken suite here, not a pass.
  if (r.status !== 0) status = status || r.status || 1;
}
process.exit(status);
