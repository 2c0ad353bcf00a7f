// A stage whose estimated output does not fit the free space of the store's filesystem fails before writing, naming
// both sizes, and publishes nothing. The store is a real 8 MiB tmpfs (mounting needs root: without it the test fails
// loudly, it does not skip).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dnaflow, tempProject } from "../helpers/cli.js";

test("strip-n whose output cannot fit the store's filesystem fails first, naming both sizes; nothing published", () => {
  const store = mkdtempSync(join(tmpdir(), "dnaflow-small-fs-"));
  const m = spawnSync("mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", store], { encoding: "utf8" });
  assert.equal(m.status, 0, `this test mounts an 8 MiB tmpfs as the store and needs root: ${m.stderr}`);
  try {
    let x = 7;
    const line = () => Array.from({ length: 60 }, () => "ACGT"[(x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 30]).join("");
    const fasta = ">chr1\n" + Array.from({ length: 200_000 }, line).join("\n") + "\n"; // 12 Mbp
    const dir = tempProject({ "g.fa": fasta, "p.yaml": `stages:\n  fragments:\n    uses: genome/strip-n@1\n    inputs: { fasta: g.fa }\n` });
    const r = dnaflow(["run", "p.yaml", "--store", store], { cwd: dir });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /genome\/strip-n: estimated output 12\.\d MB does not fit: [78]\.\d MB free on the store's filesystem/);
    assert.equal(readdirSync(join(store, "objects")).length, 0);
    assert.deepEqual(readdirSync(join(store, "attempts")), []);
    assert.doesNotMatch(r.stderr, /retrying/); // deterministic until space is freed: not retried at once
    writeFileSync(join(dir, "g.fa"), fasta.slice(0, 1_000_000)); // a genome that fits is made in the same store
    assert.equal(dnaflow(["run", "p.yaml", "--store", store], { cwd: dir }).code, 0);
    assert.equal(readdirSync(join(store, "objects")).length, 1);
  } finally {
    spawnSync("umount", [store]);
    rmSync(store, { recursive: true, force: true });
  }
});
