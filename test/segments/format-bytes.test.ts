// Pins the bytes of the three sharded artifacts (segments, fragments, token shards): sha256 of every file a small,
// fixed input produces, recorded from the writers before they shared lib/sharded/. A change here is a format change:
// it changes every downstream key's input digest, so it must be deliberate (and bump the writing stage's revision).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SegmentsWriter } from "../../lib/segments/format.js";
import { FragmentsWriter } from "../../lib/genome/fragments-format.js";
import { TokenShardsWriter } from "../../lib/tokenizers/token-shards-writer.js";
import { TOKEN_SHARDS_FORMAT, type TokenShardsMeta } from "../../lib/tokenizers/token-shards-format.js";

function hashes(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((f) => [
        f,
        createHash("sha256")
          .update(readFileSync(join(dir, f)))
          .digest("hex"),
      ]),
  );
}

const tmp = () => join(mkdtempSync(join(tmpdir(), "bytes-")), "a");

test("segments artifact bytes (two shards, origins, info)", async () => {
  const dir = tmp();
  const w = await new SegmentsWriter(dir, 12).open();
  await w.write("ACGTACGTAC", { record: "chr1", start: 0, end: 10, strand: "+" });
  await w.write("ggttNN", { record: "chr1", start: 10, end: 16, strand: "-" });
  w.append(Buffer.from("xxTTTTyy"), 2, 6, { record: "chr2", start: 5, end: 9, strand: "+" });
  w.appendRaw(Buffer.from("CCCC"), 0, 4, { bytes: Buffer.from("chrM\t1\t5\t.\t0\t+"), start: 0, end: 14 });
  await w.close({ seed: 7, source: { name: "x" } });
  assert.deepEqual(hashes(dir), {
    "meta.json": "0d49a141a5e35025c22d0b0ccdfb0d5531dd4cc236baa84e6f91054caecf8ed4",
    "part-00000.bed": "cb25dbac8aece9d79e39b29f70bca67773c50aebed53a177549e637e7de06486",
    "part-00000.seq": "3cd1ae7427893be73aa9a50d8592e85afb252eda124debc76f374d124fcbfd3c",
    "part-00001.bed": "285dbfa3eb99d4433fd3434adbcfbc4a95231c04f0bcf6dbfaca347ef399c5c4",
    "part-00001.seq": "70c858a2e9e6843f342b9e1177fbac33fd23896a464c7c2e4f2967a46aaaeabc",
  });
});

test("fragments artifact bytes (two shards, info)", async () => {
  const dir = tmp();
  const w = await new FragmentsWriter(dir, 8).open();
  const add = (record: string, start: number, bases: string) => {
    w.fragmentStart(record, start);
    const b = Buffer.from(`--${bases}--`);
    w.fragmentBases(b, 2, 2 + Math.floor(bases.length / 2));
    w.fragmentBases(b, 2 + Math.floor(bases.length / 2), 2 + bases.length);
    w.fragmentEnd(bases.length);
  };
  add("chr1", 0, "ACGTAC");
  add("chr1", 100, "GGGTTT");
  add("chr2", 3, "acgtnacgt");
  await w.close({ minRun: 5 });
  assert.deepEqual(hashes(dir), {
    "meta.json": "a1929d70e6d109490d79dbe8d353c9e3aa1b7a5bc373c38bce3d73cfb0224575",
    "part-00000.bed": "feaeb1cba7c0fae6e39350fe86cedad994b88b2ef7b831043fe087c29392790d",
    "part-00000.fa": "fabecfaff6fa55ed93392532433a6821bfda85cf3aa54a6f481168ed171266b0",
    "part-00001.bed": "6650629eb1f256b10b02417a8ac9d126f3644457e48eca9823b8504dec04ff6e",
    "part-00001.fa": "f29f55b6c6a61f1c211853dafc58a474e8b046e998f8a83bcb47812bd55a0ef8",
  });
});

test("token shards artifact bytes (uint16 with labels, uint32)", async () => {
  const meta = (dtype: "uint16" | "uint32", count: number, totalTokens: number, labels: boolean): TokenShardsMeta => ({
    format: TOKEN_SHARDS_FORMAT,
    dtype,
    indexDtype: "uint64",
    count,
    totalTokens,
    vocabSize: dtype === "uint16" ? 4101 : 70000,
    specialIds: { pad: 0, unk: 1, cls: 2, sep: 3, mask: 4 },
    specialTokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"],
    maxLength: 8,
    packing: "rows",
    tokenizerKind: "kmer",
    tokenizerDigest: "0".repeat(64),
    sequences: count,
    bases: 40,
    droppedTokens: 0,
    truncatedRows: 1,
    labels,
  });
  const a = tmp();
  const w = await new TokenShardsWriter(a, "uint16", true).open();
  w.writeRow(Uint32Array.of(2, 10, 11, 12, 3), 1);
  w.writeRow(Uint32Array.of(2, 4100, 3), 0);
  w.writeRow(Uint32Array.of(), 5);
  await w.close(meta("uint16", w.count, w.totalTokens, true));
  assert.deepEqual(hashes(a), {
    "index.bin": "62626d1d66e2c1f2edba458a168c612651548ae512dab8f06defad0eeb1d6d43",
    "labels.bin": "f2546bc5f83f6bb680a9b2876723fb458c4c54534391b821e802d5d34967a0fd",
    "meta.json": "564f8538cbdf262277aa2f8d427590dfe9d91c6d54929d7327b0a3d140c995c8",
    "tokens.bin": "02587ff3e93e5dcf9bbd0b230264e7cb761718218445a1146046f097d3e6ac27",
  });
  const b = tmp();
  const w2 = await new TokenShardsWriter(b, "uint32").open();
  w2.writeRow(Uint32Array.of(2, 69999, 65536, 3));
  await w2.close(meta("uint32", w2.count, w2.totalTokens, false));
  assert.deepEqual(hashes(b), {
    "index.bin": "f7548c023e431138b11357593f5cceb9dd35eb0b0a2041f0b1560212eeb6f13e",
    "meta.json": "0e5027634b899ac08535879ecebd2bda9a06655b7e19962dc6196cc810e4fbe2",
    "tokens.bin": "c5b71dfd50e05d28f3ff1a5557a3d3cb4a4f9822f0807e7d6c0b887c9bd67d4a",
  });
});
