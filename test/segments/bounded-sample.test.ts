import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SegmentsWriter, readSegments } from "../../lib/segments/format.js";
import { boundedSampleLines, sampleWindows } from "../../lib/segments/bounded-sample.js";

function sample(dir: string, meta: Awaited<ReturnType<SegmentsWriter["close"]>>, maxBases: number, windowBytes: number): string[] {
  const out: string[] = [];
  for (const lines of boundedSampleLines(dir, meta, maxBases, windowBytes)) {
    try {
      while (lines.next()) out.push(lines.line.toString("latin1", lines.lineStart, lines.lineEnd));
    } finally {
      lines.close();
    }
  }
  return out;
}

async function artifact(): Promise<{ dir: string; meta: Awaited<ReturnType<SegmentsWriter["close"]>>; all: string[] }> {
  const dir = join(mkdtempSync(join(tmpdir(), "sample-")), "s");
  const w = await new SegmentsWriter(dir, 7_000).open();
  // 4 shards of ~7 kbp; segment i starts with its index in base 4 (unique) and is 20–119 bases long
  for (let i = 0; i < 400; i++) {
    const s =
      i
        .toString(4)
        .padStart(5, "0")
        .replace(/\d/g, (d) => "ACGT"[Number(d)]) +
      "T" +
      "G".repeat(14 + ((i * 37) % 100));
    w.append(Buffer.from(s), 0, s.length);
  }
  const meta = await w.close();
  const all: string[] = [];
  for await (const s of readSegments(dir)) all.push(s);
  return { dir, meta, all };
}

test("an artifact within the bound is sampled whole, in order", async () => {
  const { dir, meta, all } = await artifact();
  assert.deepEqual(sample(dir, meta, meta.bases, 512), all);
});

test("a larger artifact: whole lines only, no line twice, from every shard, about maxBases, the same every time", async () => {
  const { dir, meta, all } = await artifact();
  assert.ok(meta.shards.length >= 4);
  const picked = sample(dir, meta, 4000, 256);
  assert.deepEqual(sample(dir, meta, 4000, 256), picked, "deterministic");
  const index = new Map(all.map((s, i) => [s, i]));
  const ids = picked.map((s) => index.get(s));
  assert.ok(
    ids.every((i) => i !== undefined),
    "every sampled line is a whole segment",
  );
  assert.equal(new Set(ids).size, ids.length, "no segment twice");
  assert.deepEqual(
    [...ids].sort((a, b) => a! - b!),
    ids,
    "in artifact order",
  );
  const bases = picked.reduce((n, s) => n + s.length, 0);
  assert.ok(bases > 3000 && bases < 4000 + 16 * 120, `${bases} bases for a bound of 4000`);
  let first = 0;
  for (const shard of meta.shards) {
    const inShard = ids.filter((i) => i! >= first && i! < first + shard.count);
    assert.ok(inShard.length > 0, "every shard contributes");
    assert.ok(inShard[inShard.length - 1]! - inShard[0]! > shard.count / 2, "spread over the shard, not a prefix");
    first += shard.count;
  }
});

test("sampleWindows: disjoint, evenly spaced, within the budget", () => {
  assert.deepEqual(sampleWindows(1000, 2000, 100), [{ offset: 0, bytes: 1000 }]);
  assert.deepEqual(sampleWindows(1000, 0, 100), []);
  const w = sampleWindows(1000, 250, 100);
  assert.deepEqual(w, [
    { offset: 0, bytes: 83 },
    { offset: 333, bytes: 83 },
    { offset: 666, bytes: 83 },
  ]);
});
