// Every malformed input ends in a StageInputError that names the file and where; genome/strip-n publishes nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { StageInputError } from "../../core/errors.js";
import stripN from "../../stages/genome/strip-n.js";
import { runStage } from "../helpers/stage-harness.js";
import { CHR2, tempFile } from "./helpers.js";

async function rejects(name: string, content: string | Buffer, pattern: RegExp) {
  const path = tempFile(name, content);
  await assert.rejects(runStage(stripN, { params: { minLength: 1 }, inputs: { fasta: path } }), (e: Error) => {
    assert.ok(e instanceof StageInputError, `${e.name}: ${e.message}`);
    assert.ok(e.message.startsWith(path), `names the file: ${e.message}`);
    assert.match(e.message, pattern);
    return true;
  });
}

test("empty file", () => rejects("empty.fa", "", /empty file/));
test("no header at all", () => rejects("nohdr.fa", "\n\n", /no FASTA header/));
test("sequence before the first header", () => rejects("before.fa", "ACGT\n>r\nACGT\n", /sequence before the first header \(line 1/));
test("binary junk", () => rejects("junk.fa", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]), /invalid byte 0x89.*line 1, column 1, byte offset 0/));
test("non-ACGTN letter names record, line, column and offset", () =>
  rejects("letters.fa", ">chr1\nACGT\nACXT\n", /invalid byte 'X' \(0x58\) in sequence \(record 'chr1', line 3, column 3, byte offset 13\)/));
test("'>' inside a sequence line", () => rejects("gt.fa", ">a\nAC>GT\n", /'>' inside a sequence line \(record 'a', line 2/));
test("a record with no bases", () => rejects("nobases.fa", ">a\nACGT\n>b\n>c\nAC\n", /record 'b' has no bases \(line 3\)/));
test("duplicate record names", () => rejects("dup.fa", ">a x\nACGT\n>b\nAC\n>a y\nGG\n", /duplicate record name 'a' \(line 5\)/));
test("header without a name", () => rejects("noname.fa", ">\nACGT\n", /header without a record name \(line 1\)/));
test("truncated gzip", () => {
  const gz = readFileSync(CHR2);
  return rejects("trunc.fa.bin", gz.subarray(0, gz.length >> 1), /truncated or corrupt gzip/);
});
test("include filter matching nothing", async () => {
  await assert.rejects(runStage(stripN, { params: { include: ["^chrZ$"] }, inputs: { fasta: CHR2 } }), /no record matches include/);
});
