// Bad data through the built CLI: benchmark CSVs that cannot make a task, a FASTA with a BOM, a corrupt .2bit header.
// Each: exit 1, one message naming the file (and line), no stack trace, nothing published.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { dnaflow, objectKeys, tempProject } from "../helpers/cli.js";
import { encodeTwoBit } from "../genome/twobit-writer.js";

const rows = (labels: Array<number | string>) => "sequence,label\n" + labels.map((l, i) => `${"ACGT".repeat(4 + (i % 3))},${l}\n`).join("");

function runBenchmark(files: Record<string, string>) {
  const dir = tempProject({ "p.yaml": "stages:\n  bench:\n    uses: data/benchmark@1\n    inputs: { source: tasks }\n" });
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, "tasks", name)), { recursive: true });
    writeFileSync(join(dir, "tasks", name), text);
  }
  const r = dnaflow(["run", "p.yaml"], { cwd: dir });
  return { ...r, dir };
}

function assertFails(r: ReturnType<typeof runBenchmark>, message: RegExp): void {
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, message);
  assert.doesNotMatch(r.stderr, /^\s+at /m, "no stack trace");
  assert.deepEqual(objectKeys(join(r.dir, ".dnaflow")), [], "nothing published");
}

test("benchmark: a task without test.csv is an error naming the folder", () => {
  const r = runBenchmark({ "t/train.csv": rows([0, 1, 0, 1]), "t/dev.csv": rows([0, 1]) });
  assertFails(r, /✗ bench attempt 1: \S+\/tasks\/t: task 't' has no test\.csv \(a task needs train\.csv and test\.csv; dev\.csv is optional\)/);
});

test("benchmark: a header-only split is an error at line 1", () => {
  const r = runBenchmark({ "t/train.csv": rows([0, 1, 0, 1]), "t/test.csv": "sequence,label\n" });
  assertFails(r, /\/tasks\/t\/test\.csv:1: no rows, only a header/);
});

test("benchmark: a class label only in test is an error at its line", () => {
  const r = runBenchmark({ "t/train.csv": rows([0, 1, 0, 1]), "t/test.csv": rows([1, 0, 2, 0]) });
  assertFails(r, /\/tasks\/t\/test\.csv:4: class label 2 does not occur in train\.csv \(its classes: 0, 1\): a model cannot learn it/);
});

test("benchmark: a one-class task is an error", () => {
  const r = runBenchmark({ "t/train.csv": rows([0, 0, 0]), "t/test.csv": rows([0, 0]) });
  assertFails(r, /\/tasks\/t\/train\.csv: task 't' has a single class \(0\): there is nothing to classify, and MCC is undefined/);
});

test("benchmark: a class label of 1000000000 is refused at once, not a heap OOM", () => {
  const t0 = Date.now();
  const r = runBenchmark({ "t/train.csv": rows([0, 1, 1000000000, 1]), "t/test.csv": rows([0, 1]) });
  assertFails(
    r,
    /\/tasks\/t\/train\.csv:4: class label 1000000000 would make 1,000,000,001 classes \(labels are class indices 0, 1, …; at most 10,000\); for real-valued targets set kind: regression/,
  );
  assert.ok(Date.now() - t0 < 30_000, "fails fast");
});

test("benchmark: an unclosed quote is reported on the line where it opens", () => {
  const text = rows([0, 1, 0, 1, 0]).split("\n");
  text[2] = `"${text[2]}`; // line 3
  const r = runBenchmark({ "t/train.csv": text.join("\n"), "t/test.csv": rows([0, 1]) });
  assertFails(r, /\/tasks\/t\/train\.csv:3: a quoted field opens here and is never closed \(missing "\)/);
});

function runStripN(name: string, bytes: Buffer) {
  const dir = tempProject({ "p.yaml": `stages:\n  strip:\n    uses: genome/strip-n@1\n    with: { minLength: 1 }\n    inputs: { fasta: ${name} }\n` });
  writeFileSync(join(dir, name), bytes);
  return { ...dnaflow(["run", "p.yaml"], { cwd: dir }), dir };
}

test("FASTA starting with a UTF-8 BOM: the BOM is named", () => {
  const r = runStripN("bom.fa", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(">chr1\nACGTACGT\n")]));
  assertFails(
    r,
    /\/bom\.fa: the file starts with a UTF-8 byte order mark \(bytes EF BB BF\): FASTA is plain ASCII; remove the BOM \(line 1, column 1, byte offset 0\)/,
  );
});

test(".2bit with an absurd record length or N-block count: corrupt .2bit file, naming it", () => {
  const good = encodeTwoBit([["chr1", "ACGTACGTNNACGT"]]);
  const record = good.readUInt32LE(16 + 1 + 4 + 4 - 4); // offset field of the only index entry
  const hugeLength = Buffer.from(good);
  hugeLength.writeUInt32LE(0xfffffff0, record);
  assertFails(runStripN("len.2bit", hugeLength), /\/len\.2bit: corrupt \.2bit file: record 'chr1' claims 4294967280 bases, but the file has only \d+ bytes/);
  const hugeBlocks = Buffer.from(good);
  hugeBlocks.writeUInt32LE(0x7ffffff0, record + 4);
  assertFails(runStripN("blocks.2bit", hugeBlocks), /\/blocks\.2bit: corrupt \.2bit file \(/);
});
