// Output digests computed while writing (lib/sharded/written-digests.ts → protocol event `digests` → the manifest):
// they equal the bytes on disk, the engine takes them only while a file's stamp is unchanged, a hard link to an input
// takes the input's digest, and a pipeline whose stages write through BufferedFile or link their inputs (genome/split)
// publishes manifests that agree with a fresh hash of every file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BufferedFile } from "../../lib/sharded/buffered-file.js";
import { writtenDigests } from "../../lib/sharded/written-digests.js";
import { fileStamp } from "../../lib/os/file-stamp.js";
import { manifestFiles } from "../../engine/executors/manifest-files.js";
import { dnaflow, tempProject } from "../helpers/cli.js";
import { CHRM_PIPELINE_STAGES, chrMPipeline } from "../helpers/chrm-pipeline.js";

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

test("BufferedFile records the sha256 of the bytes it wrote, across many buffer flushes and byte writes", async () => {
  const dir = mkdtempSync(join(tmpdir(), "written-digests-"));
  const path = join(dir, "out.bin");
  const f = new BufferedFile(path, 64);
  const chunk = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff);
  for (let i = 0; i < 5; i++) {
    f.write(chunk, i, chunk.length - i);
    f.writeByte(i);
    f.writeString("ACGT\n");
    await f.drain();
  }
  await f.close();
  const d = writtenDigests().find((w) => w.path === path);
  assert.ok(d, "recorded at close");
  assert.equal(d.sha256, sha(readFileSync(path)));
  assert.equal(d.stamp, fileStamp(path));
});

test("the manifest takes a written digest while the file's stamp matches, and hashes the file again once it changed", async () => {
  const dir = mkdtempSync(join(tmpdir(), "manifest-files-"));
  mkdirSync(join(dir, "tokens"));
  writeFileSync(join(dir, "tokens", "a.bin"), "aaaa");
  writeFileSync(join(dir, "tokens", "b.bin"), "bbbb");
  const recorded = "0".repeat(64); // not the file's digest: seen in the manifest only if the file was not read back
  const written = new Map([["tokens/a.bin", { path: "tokens/a.bin", stamp: fileStamp(join(dir, "tokens", "a.bin"))!, sha256: recorded }]]);
  assert.deepEqual(await manifestFiles(dir, written), [
    { path: "tokens/a.bin", size: 4, sha256: recorded },
    { path: "tokens/b.bin", size: 4, sha256: sha(Buffer.from("bbbb")) },
  ]);
  // Same size, new bytes after the digest was taken (as a stage rewriting a file after closing it): ctime moves.
  await new Promise((r) => setTimeout(r, 20));
  writeFileSync(join(dir, "tokens", "a.bin"), "AAAA");
  assert.deepEqual((await manifestFiles(dir, written))[0], { path: "tokens/a.bin", size: 4, sha256: sha(Buffer.from("AAAA")) });
});

test("a hard link to an input file takes the input's digest (same inode); a copy of it is hashed", async () => {
  const dir = mkdtempSync(join(tmpdir(), "manifest-links-"));
  const input = join(dir, "input.seq");
  writeFileSync(input, "ACGT\n");
  mkdirSync(join(dir, "out"));
  linkSync(input, join(dir, "out", "linked.seq"));
  writeFileSync(join(dir, "out", "copied.seq"), "ACGT\n");
  const verified = "1".repeat(64); // the digest memory's word for the input: seen only if the link was not hashed
  const inputs = new Map([[fileStamp(input, { ctime: false })!, verified]]);
  assert.deepEqual(await manifestFiles(join(dir, "out"), new Map(), inputs), [
    { path: "copied.seq", size: 5, sha256: sha(Buffer.from("ACGT\n")) },
    { path: "linked.seq", size: 5, sha256: verified },
  ]);
});

test("a pipeline's manifests (strip-n, segment, encode: hashed while written; split: hard links) agree with a fresh hash of every published file", () => {
  const dir = tempProject({ "p.yaml": chrMPipeline() });
  const r = dnaflow(["run", "p.yaml"], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const objects = join(dir, ".dnaflow", "objects");
  const keys = readdirSync(objects);
  assert.equal(keys.length, CHRM_PIPELINE_STAGES);
  let checked = 0;
  for (const k of keys) {
    const m = JSON.parse(readFileSync(join(objects, k, "manifest.json"), "utf8"));
    for (const f of m.files as Array<{ path: string; size: number; sha256: string }>) {
      const bytes = readFileSync(join(objects, k, "out", f.path));
      assert.equal(f.size, bytes.length, `${m.instance} ${f.path}`);
      assert.equal(f.sha256, sha(bytes), `${m.instance} ${f.path}`);
      checked++;
    }
  }
  assert.ok(checked >= 8, `${checked} files checked`);
  const v = dnaflow(["verify", "p.yaml"], { cwd: dir }); // rehashes every object
  assert.equal(v.code, 0, v.stdout + v.stderr);
});
