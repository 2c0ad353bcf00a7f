// tokenize/encode with a `sequences:` CSV reads it like data/benchmark does (csv-parse): a UTF-8 BOM, quoted values
// and CRLF line ends give the same shards as the plain file; bad rows fail with file:line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runStage } from "../helpers/stage-harness.js";
import { fixture } from "../helpers/paths.js";
import train from "../../stages/tokenize/train.js";
import encode from "../../stages/tokenize/encode.js";
import { StageInputError } from "../../core/errors.js";
import { readTokenRows, readTokenShardsMeta } from "../../lib/tokenizers/token-shards-reader.js";

const plain = readFileSync(fixture("tokenize", "gue", "prom_core_tata_test.csv"), "utf8");
const lines = plain.trim().split("\n");
const tmp = () => mkdtempSync(join(tmpdir(), "enc-csv-"));
let tokDir: Promise<string> | undefined;
const tokenizer = () => (tokDir ??= runStage(train, { params: { kind: "kmer-overlapping", k: 6 } }).then((r) => r.outputs.tokenizer));

async function encodeCsv(text: string, name = "t.csv") {
  const f = join(tmp(), name);
  writeFileSync(f, text);
  const r = await runStage(encode, { params: { packing: "rows", maxLength: 128 }, inputs: { tokenizer: await tokenizer(), sequences: f } });
  return { f, dir: r.outputs.tokens };
}

const bytes = (dir: string) => ["tokens.bin", "index.bin", "labels.bin"].map((f) => readFileSync(join(dir, f)));

test("BOM, quoted values and CRLF give the same shards as the plain GUE file", async () => {
  const base = await encodeCsv(plain);
  const meta = await readTokenShardsMeta(base.dir);
  assert.equal(meta.count, lines.length - 1);
  const quoted =
    lines
      .map((l, i) =>
        i === 0
          ? `"sequence","label"`
          : l
              .split(",")
              .map((c) => `"${c}"`)
              .join(","),
      )
      .join("\r\n") + "\r\n";
  for (const [name, text] of [
    ["BOM", "\ufeff" + plain],
    ["quoted", quoted],
    ["CRLF", plain.replace(/\n/g, "\r\n")],
    ["BOM + quoted + CRLF", "\ufeff" + quoted],
  ]) {
    const other = await encodeCsv(text);
    bytes(other.dir).forEach((b, i) => assert.ok(b.equals(bytes(base.dir)[i]), `${name}: file ${i} identical`));
  }
  const rows = await readTokenRows(base.dir);
  assert.ok(
    rows[0].every((id) => id !== 1),
    "no [UNK]: no quote characters were encoded",
  );
});

test("a quoted sequence is encoded without its quotes; extra columns in any order are fine", async () => {
  const { dir } = await encodeCsv(`id,label,sequence\n7,1,"ACGTACGT"\n8,0,ACGTACGT\n`);
  const rows = await readTokenRows(dir);
  assert.deepEqual([...rows[0]], [...rows[1]]);
  assert.equal(rows[0].length, 3 + 2);
  assert.deepEqual(
    [...readFileSync(join(dir, "labels.bin"))].filter((_, i) => i % 4 === 0),
    [1, 0],
  );
});

for (const [name, text, message] of [
  ["label not an integer", "sequence,label\nACGTAC,1\nACGTAC,x\n", /t\.csv:3: label 'x' is not an integer/],
  ["empty label", "sequence,label\r\nACGTAC,1\r\nACGTAC,\r\n", /t\.csv:3: label '' is not an integer/],
  ["no sequence column", "\ufeffseq,label\nACGTAC,1\n", /t\.csv:1: header has no 'sequence' column \(found: seq,label\)/],
  ["unterminated quote", `sequence,label\nACGTAC,1\n"ACGTAC,0\n`, /t\.csv:\d+: .*[Qq]uote/],
  ["missing sequence cell", "label,sequence\n1,ACGTAC\n0\n", /t\.csv:3: missing sequence cell/],
  ["empty file", "", /t\.csv:1: empty file/],
] as Array<[string, string, RegExp]>) {
  test(`bad CSV (${name}) fails with file:line, as bad input`, async () => {
    await assert.rejects(encodeCsv(text), (e: Error) => {
      assert.ok(e instanceof StageInputError, `${e.name}: ${e.message}`);
      assert.match(e.message, message);
      return true;
    });
  });
}

test("a directory of CSVs must agree on having labels", async () => {
  const d = join(tmp(), "csvs");
  mkdirSync(d);
  writeFileSync(join(d, "a.csv"), "sequence,label\nACGTAC,1\n");
  writeFileSync(join(d, "b.csv"), "sequence\nACGTAC\n");
  await assert.rejects(
    runStage(encode, { params: {}, inputs: { tokenizer: await tokenizer(), sequences: d } }),
    /b\.csv:1: has no 'label' column, unlike .*a\.csv/,
  );
});
