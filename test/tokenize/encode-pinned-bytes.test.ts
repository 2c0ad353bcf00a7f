// Pins tokenize/encode's output bytes from segments: sha256 of tokens.bin ‖ index.bin ‖ meta.json for every tokenizer
// kind, both packings, format 1 and format 2 (byte ranges) segments, on 1 and 3 cpus. Recorded from the encoder that
// read lines on the main thread (packer + writer per segment), before encoding moved to file windows on worker threads:
// a change here changes what every pretraining stage reads, so it must be deliberate.
// The input has what the line reader must get right: empty lines, CRLF, a line of "\r" only, N and IUPAC codes,
// lowercase, a segment longer than maxLength, and a last shard without a final newline. The CSV path (Packer) is
// pinned the same way, its cut rows and dropped block tail included.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runStage } from "../helpers/stage-harness.js";
import { fixture } from "../helpers/paths.js";
import train from "../../stages/tokenize/train.js";
import encode from "../../stages/tokenize/encode.js";
import { chr2, cutSegments } from "./data.js";
import { readSegmentsMeta, segmentTasks, shardWindows } from "../../lib/segments/format.js";
import { WindowLines, type ByteWindow } from "../../lib/sharded/window-lines.js";

const SHARD_BYTES = 1 << 18;

/** sha256 of the token shards' files, concatenated in the order given. */
function shardsDigest(dir: string, files: string[]): string {
  const h = createHash("sha256");
  for (const f of files) h.update(readFileSync(join(dir, f)));
  return h.digest("hex");
}

/** chr2 in 256–1024 bp pieces with edge cases spliced in. */
function lines(): string[] {
  const segs = cutSegments(chr2(), 9000, 100_000);
  const odd = ["", "AC", "N", "ACGTRYKMSWBDHVN", "acgtnnACGTACGT\r", "\r", chr2().slice(50_000, 51_500), "", "ACGTACGTAC-GT"];
  const out: string[] = [];
  segs.forEach((s, i) => {
    out.push(s);
    if (i % 97 === 5) out.push(odd[((i / 97) % odd.length) | 0]);
  });
  return out;
}

/** Format 1: shards of ~256 KB written byte for byte (the last one without a final newline); returns the shards' lines. */
function writeFormat1(dir: string, all: string[]): string[][] {
  mkdirSync(dir, { recursive: true });
  const shards: string[][] = [[]];
  let bytes = 0;
  for (const l of all) {
    if (bytes >= SHARD_BYTES) {
      shards.push([]);
      bytes = 0;
    }
    shards[shards.length - 1].push(l);
    bytes += l.length + 1;
  }
  const info = shards.map((ls, i) => {
    const file = `part-${String(i).padStart(5, "0")}.seq`;
    const text = ls.join("\n") + (i === shards.length - 1 ? "" : "\n");
    writeFileSync(join(dir, file), text, "latin1");
    return { file, count: ls.length, bases: ls.reduce((a, l) => a + l.length, 0) };
  });
  const meta = { format: "dnaflow.segments/1", count: all.length, bases: info.reduce((a, s) => a + s.bases, 0), shards: info };
  writeFileSync(join(dir, "meta.json"), JSON.stringify(meta));
  return shards;
}

/** Format 2 over the same shard files: every line but those with i % 7 === 3, as merged byte ranges. */
function writeFormat2(dir: string, from: string, shards: string[][]): void {
  mkdirSync(dir, { recursive: true });
  const meta = JSON.parse(readFileSync(join(from, "meta.json"), "utf8"));
  meta.format = "dnaflow.segments/2";
  shards.forEach((ls, s) => {
    const shard = meta.shards[s];
    copyFileSync(join(from, shard.file), join(dir, shard.file));
    const ranges: number[] = [];
    let at = 0;
    ls.forEach((l, i) => {
      const end = at + l.length + (i < ls.length - 1 || s < shards.length - 1 ? 1 : 0);
      if (i % 7 !== 3) {
        if (ranges.length && ranges[ranges.length - 1] === at) ranges[ranges.length - 1] = end;
        else ranges.push(at, end);
      }
      at = end;
    });
    const b = Buffer.alloc(16 * ranges.length);
    for (let r = 0; r < ranges.length; r += 2) {
      b.writeBigUInt64LE(BigInt(ranges[r]), 16 * r);
      b.writeBigUInt64LE(BigInt(ranges[r + 1]), 16 * r + 8);
    }
    shard.ranges = shard.file.replace(/\.seq$/, ".ranges");
    writeFileSync(join(dir, shard.ranges), b);
  });
  writeFileSync(join(dir, "meta.json"), JSON.stringify(meta));
}

const PINNED: Record<string, string> = {
  "bpe blocks f1": "ca620884a9dbc235bb94bb45a53d7e8ce6e78c53eb051b15dc66e39393c91cf2",
  "bpe blocks f2": "e6be15cc29245e80823776f6f321a896d6dbc949ebf36da7b127880e01592a5a",
  "bpe rows f1": "14644f16e38281dc656293973fec42e4f16eb0d330b52182e88492fb9b443d2a",
  "bpe rows f2": "cf7e6269ae42b63abfe51762b3eb7d709e2d39ff418b97c6a3d31ba95f0a80d9",
  "kmer3-nonoverlapping blocks f1": "03b61b2915ce95ad8088e621df96ba4e4b2135a92c85e8177624d94532228081",
  "kmer3-nonoverlapping blocks f2": "705b85d30f77de78d7397844a8bea1543dc1ad0ca6acba1034540011efde7e3c",
  "kmer3-nonoverlapping rows f1": "d86fd80a2dc3e0edc902d0e5009a912d0d1d86f5b1ee0e9cf2e82497baa07013",
  "kmer3-nonoverlapping rows f2": "62fb8acf8eadabf9d6b03e2544d69823c68f81799dab870e5b77ebff2112c18d",
  "kmer6 blocks f1": "509f904ecde91f1186aa92bafed7c18e0a25d1ba16e5d2e036dcce119cdfbe4b",
  "kmer6 blocks f2": "2a462dd18b1c917720747a245ec4403144157528028a5452ade06d284cc4cc27",
  "kmer6 rows f1": "a7a42229d1f9ea0a6a47e8c48d3f08ddd86742a8fccad5a0a571f68d30a45cee",
  "kmer6 rows f2": "afd085d57bc1d066137d62614e6b98eaa1c6ae2f09b3bf944508e3d27b3d150c",
  "nucleotide blocks f1": "6e9173cf807dd025348d0a66876575c7884df495c75efb1d2c0c84962481b6d3",
  "nucleotide blocks f2": "f7d3f2b065baf4dc43325f8f6990d12737c8c882cf27f5b8aabaf02966369b1f",
  "nucleotide rows f1": "c76de9cd379da97fc42ac32ec70ece3739a1a2a9e46091d38e0f7dd86ab05b4f",
  "nucleotide rows f2": "151261c25968affef5d32330c25a039be9a4f732233d383636c4fa2281a5909b",
};

test("tokenize/encode from segments writes the recorded bytes: every kind, both packings, formats 1 and 2, 1 and 3 cpus", async () => {
  const root = mkdtempSync(join(tmpdir(), "encode-pins-"));
  const shards = writeFormat1(join(root, "f1"), lines());
  writeFormat2(join(root, "f2"), join(root, "f1"), shards);
  const tokenizers: Record<string, string> = { bpe: fixture("tokenize", "encode-pins", "bpe-200.json") };
  for (const [name, params] of [
    ["kmer6", { kind: "kmer-overlapping", k: 6 }],
    ["kmer3-nonoverlapping", { kind: "kmer-nonoverlapping", k: 3 }],
    ["nucleotide", { kind: "single-nucleotide" }],
  ] as const)
    tokenizers[name] = (await runStage(train, { params, inputs: { segments: join(root, "f1") } })).outputs.tokenizer;
  const got: Record<string, string> = {};
  for (const [name, tokenizer] of Object.entries(tokenizers))
    for (const packing of ["blocks", "rows"])
      for (const format of ["f1", "f2"])
        for (const cpus of [1, 3]) {
          const r = await runStage(encode, { params: { maxLength: 128, packing }, inputs: { tokenizer, segments: join(root, format) }, cpus });
          const key = `${name} ${packing} ${format}`;
          const digest = shardsDigest(r.outputs.tokens, ["tokens.bin", "index.bin", "meta.json"]);
          if (cpus === 1) got[key] = digest;
          else assert.equal(digest, got[key], `${key}: 3 cpus = 1 cpu`);
        }
  assert.deepEqual(got, PINNED);
});

test("segmentTasks: tasks of any size read exactly the lines of each shard's windows, in order (formats 1 and 2)", async () => {
  const root = mkdtempSync(join(tmpdir(), "encode-tasks-"));
  const shards = writeFormat1(join(root, "f1"), lines());
  writeFormat2(join(root, "f2"), join(root, "f1"), shards);
  const read = (path: string, windows: ByteWindow[]) => {
    const out: string[] = [];
    const l = new WindowLines(path, windows, 1 << 10);
    while (l.next()) out.push(l.line.toString("latin1", l.lineStart, l.lineEnd));
    l.close();
    return out;
  };
  for (const format of ["f1", "f2"]) {
    const dir = join(root, format);
    const meta = await readSegmentsMeta(dir);
    const whole = meta.shards.flatMap((s) => read(join(dir, s.file), shardWindows(dir, s).seq));
    assert.ok(whole.includes("acgtnnACGTACGT") && whole.includes(""), "the reader drops \\r and keeps empty lines");
    for (const bytes of [1, 97, 1000, 70_000, 1 << 22]) {
      const tasks = segmentTasks(dir, meta, bytes);
      assert.deepEqual(
        tasks.flatMap((t) => read(t.path, t.windows)),
        whole,
        `${format}, tasks of ${bytes} bytes`,
      );
      if (bytes === 1000) assert.ok(tasks.length > 1500 && tasks.every((t) => t.windows.reduce((a, w) => a + w.bytes, 0) <= 1000));
    }
  }
});

/** Recorded from the CSV path's Packer before its blocks moved onto BlockCutter and its cut onto cutRow. */
const PINNED_CSV: Record<string, string> = {
  "bpe blocks": "233475925307f30920644d11c88519bb2ee78333a5c19b2bb76756292b6a000e",
  "bpe rows": "db40e8f3df37360b0d55c0a305987a8fc02207fb0eeb526b4e4cb176a40b37e5",
  "kmer6 blocks": "c15e0b64f19a94cd559044e8c728d661b8e6d8ebec6af65d242961abf2394881",
  "kmer6 rows": "5517902a89169c50721a58421f05cfa82e0a0ecd349a5ed0764494ae8dd77fec",
};

test("tokenize/encode from a sequences CSV writes the recorded bytes: kmer6 and BPE, both packings, labels in rows", async () => {
  const root = mkdtempSync(join(tmpdir(), "encode-pins-csv-"));
  const seqs = lines().filter((l) => /^[ACGTNacgtn]+$/.test(l)); // a CSV cell holds no \r
  writeFileSync(join(root, "train.csv"), "sequence,label\n" + seqs.map((s, i) => `${s},${i % 3}`).join("\n") + "\n");
  const shards = join(root, "f1");
  writeFormat1(shards, lines());
  const tokenizers: Record<string, string> = {
    bpe: fixture("tokenize", "encode-pins", "bpe-200.json"),
    kmer6: (await runStage(train, { params: { kind: "kmer-overlapping", k: 6 }, inputs: { segments: shards } })).outputs.tokenizer,
  };
  const got: Record<string, string> = {};
  for (const [name, tokenizer] of Object.entries(tokenizers))
    for (const packing of ["blocks", "rows"]) {
      const r = await runStage(encode, { params: { maxLength: 128, packing }, inputs: { tokenizer, sequences: join(root, "train.csv") } });
      got[`${name} ${packing}`] = shardsDigest(r.outputs.tokens, ["tokens.bin", "index.bin", "meta.json", ...(packing === "rows" ? ["labels.bin"] : [])]);
      const meta = JSON.parse(readFileSync(join(r.outputs.tokens, "meta.json"), "utf8"));
      assert.ok(packing === "rows" ? meta.truncatedRows > 0 : meta.droppedTokens > 0, `${name} ${packing}: the cut is exercised`);
    }
  assert.deepEqual(got, PINNED_CSV);
});
