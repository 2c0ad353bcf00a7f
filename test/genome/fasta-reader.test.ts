import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import type { FastaRecordStats } from "../../lib/genome/fasta-parser.js";
import { readFasta } from "../../lib/genome/read-fasta.js";
import { CHR2, CHRM, parseAll, tempDir, tempFile } from "./helpers.js";
import { encodeTwoBit } from "./twobit-writer.js";

async function statsOf(path: string, opts: { keepSoftMask?: boolean } = {}) {
  const stats: FastaRecordStats[] = [];
  let bases = "";
  await readFasta(
    path,
    {
      recordStart: () => {},
      bases: (b, s, e) => void (bases.length < 20_000 && (bases += b.toString("latin1", s, Math.min(e, s + 20_000)))),
      recordEnd: (s) => void stats.push(s),
    },
    { keepSoftMask: opts.keepSoftMask ?? false, ambiguous: "n" },
  );
  return { stats, head: bases };
}

test("bgzip chr2 fixture: length matches its .fai, one 10 kb N run, soft-masked count from SOURCES.md", async () => {
  const fai = readFileSync(CHR2 + ".fai", "utf8")
    .trim()
    .split("\t");
  const { stats, head } = await statsOf(CHR2);
  assert.equal(stats.length, 1);
  assert.equal(stats[0].name, fai[0]);
  assert.equal(stats[0].length, Number(fai[1]));
  assert.equal(stats[0].n, 10_000);
  assert.equal(stats[0].softMasked, 831_507);
  assert.match(head.slice(0, 10_000), /^N{10000}$/);
  assert.match(head.slice(10_000), /^[ACGT]+$/, "uppercased by default");
});

test("keepSoftMask keeps lowercase bases", async () => {
  const { head } = await statsOf(CHR2, { keepSoftMask: true });
  assert.match(head.slice(10_000), /[acgt]/);
});

test("chrM: 16,569 bp with one N at 3107 (1-based)", async () => {
  const { stats } = await statsOf(CHRM);
  assert.deepEqual(stats, [{ name: "chrM:1-16569", length: 16_569, n: 1, softMasked: 0 }]);
  const { seqs } = parseAll(readFileSync(CHRM));
  assert.equal(seqs.get("chrM:1-16569")!.indexOf("N"), 3106);
});

test("line length, CRLF, blank lines and chunk boundaries do not change the bases", () => {
  const seq = "ACGTacgtNNnnRYACGT".repeat(37);
  const wrap = (w: number, eol: string) => `>r1 desc${eol}${seq.match(new RegExp(`.{1,${w}}`, "g"))!.join(eol)}${eol}`;
  const variants = [wrap(60, "\n"), wrap(7, "\r\n"), wrap(1000, "\n") + "\n\n", "\n" + wrap(13, "\n").replace(/\n/g, "\n\n")];
  const expected = seq.toUpperCase().replace(/[RY]/g, "N");
  for (const v of variants)
    for (const chunk of [1, 5, 64, 1 << 20]) {
      const { seqs, stats } = parseAll(Buffer.from(v, "latin1"), { chunk });
      assert.equal(seqs.get("r1"), expected, `variant ${JSON.stringify(v.slice(0, 20))} chunk ${chunk}`);
      assert.equal(stats[0].n, 37 * 6);
      assert.equal(stats[0].softMasked, 37 * 6);
    }
});

test("multi-member gzip (as bgzip writes) reads as one stream", async () => {
  const dir = tempDir();
  const p = join(dir, "multi.fa.gz");
  writeFileSync(p, Buffer.concat([gzipSync(">a\nACGT\nAC"), gzipSync("GT\n>b\nTTTT\n")]));
  const { stats } = await statsOf(p);
  assert.deepEqual(
    stats.map((s) => [s.name, s.length]),
    [
      ["a", 8],
      ["b", 4],
    ],
  );
});

test("gzip and plain inputs give the same bases", async () => {
  const plain = tempFile("chr2.fa", gunzipSync(readFileSync(CHR2)));
  assert.deepEqual(await statsOf(plain), await statsOf(CHR2));
});

test("IUPAC codes are N by default and an error under ambiguous: error", () => {
  assert.equal(parseAll(Buffer.from(">x\nACRYKM\n")).seqs.get("x"), "ACNNNN");
  assert.throws(() => parseAll(Buffer.from(">x\nACGT\nACRT\n"), { ambiguous: "error" }), /IUPAC ambiguity code 'R'.*record 'x', line 3, column 3/);
});

test(".2bit input (via @gmod/twobit) reads like the FASTA it encodes", async () => {
  const seq1 = "ACGTNNNNacgtTTGCA".repeat(100);
  const p = tempFile(
    "g.2bit",
    encodeTwoBit([
      ["chrA", seq1],
      ["chrB", "GGGCCCAAAT"],
    ]),
  );
  const { stats, head } = await statsOf(p, { keepSoftMask: true });
  assert.deepEqual(
    stats.map((s) => [s.name, s.length, s.n, s.softMasked]),
    [
      ["chrA", 1700, 400, 400],
      ["chrB", 10, 0, 0],
    ],
  );
  assert.equal(head, seq1 + "GGGCCCAAAT");
});
