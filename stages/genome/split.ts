// genome/split: divides a segments artifact into train / validation / test segments artifacts, by an exact seeded
// fraction or by holding out whole records (chromosomes). Origins are kept.
import { defineStage } from "../../engine/stage.js";
import { StageInputError } from "../../core/errors.js";
import { FractionAssigner, RecordAssigner, type SplitName } from "../../lib/genome/split-assigner.js";
import { join } from "node:path";
import { readSegmentsMeta, SegmentsWriter } from "../../lib/segments/format.js";
import { LineScanner } from "../../lib/sharded/line-scanner.js";
import { ensureInputSpace } from "../space-check.js";
import { treeBytes } from "../../lib/os/disk-space.js";

export interface SplitParams {
  by: "fraction" | "record";
  validation: number;
  test: number;
  validationRecords: string[];
  testRecords: string[];
  seed: number;
  shardBases: number;
}

const SPLITS: SplitName[] = ["train", "validation", "test"];

/** The record name of a BED line: the bytes before its first tab. */
function recordOf(bed: { bytes: Buffer; start: number; end: number }): string {
  const tab = bed.bytes.indexOf(9, bed.start);
  return bed.bytes.toString("latin1", bed.start, tab >= 0 && tab < bed.end ? tab : bed.end);
}

export default defineStage<SplitParams>({
  name: "genome/split",
  version: 1,
  description: "Split segments into train/validation/test by seeded fraction or by holding out whole records.",
  params: {
    properties: {
      by: { enum: ["fraction", "record"], default: "fraction" },
      validation: { type: "number", minimum: 0, maximum: 1, default: 0.05, description: "Fraction of segments (by: fraction)." },
      test: { type: "number", minimum: 0, maximum: 1, default: 0, description: "Fraction of segments (by: fraction)." },
      validationRecords: { type: "array", items: { type: "string" }, default: [], description: "Record names held out for validation (by: record)." },
      testRecords: { type: "array", items: { type: "string" }, default: [], description: "Record names held out for test (by: record)." },
      seed: { type: "integer", default: 42 },
      shardBases: { type: "integer", minimum: 1, default: 67108864 },
    },
    additionalProperties: false,
  },
  inputs: { segments: { description: "output of genome/segment" } },
  outputs: ["train", "validation", "test"],
  resources: { cpus: 1, memory: "256MB" },
  async run(ctx) {
    const p = ctx.params;
    const dir = ctx.input("segments");
    const meta = await readSegmentsMeta(dir);
    if (p.by === "fraction" && p.validation + p.test >= 1) throw new StageInputError(`genome/split: validation + test must be below 1`);
    if (p.by === "record") {
      if (!p.validationRecords.length && !p.testRecords.length) throw new StageInputError(`genome/split: by: record needs validationRecords or testRecords`);
      if (meta.shards.some((s) => !s.origins)) throw new StageInputError(`${dir}: segments have no origins (.bed); cannot hold out records`);
    }
    const fraction = p.by === "fraction" ? new FractionAssigner(meta.count, p.validation, p.test, p.seed) : undefined;
    let records: RecordAssigner | undefined;
    try {
      records = p.by === "record" ? new RecordAssigner(p.validationRecords, p.testRecords) : undefined;
    } catch (e) {
      throw new StageInputError(`genome/split: ${(e as Error).message}`);
    }
    ensureInputSpace(ctx.output("train"), treeBytes(dir), "genome/split"); // the three splits together: the input's bytes
    const writers = Object.fromEntries(
      await Promise.all(SPLITS.map(async (s) => [s, await new SegmentsWriter(ctx.output(s), p.shardBases).open()] as const)),
    ) as Record<SplitName, SegmentsWriter>;
    // Lines are routed as bytes (no string per segment): the split runs at disk speed. The output bytes are what
    // decoding every segment and origin and writing them again gave.
    let n = 0;
    for (const shard of meta.shards) {
      const seq = new LineScanner(join(dir, shard.file));
      const bed = shard.origins ? new LineScanner(join(dir, shard.origins)) : undefined;
      try {
        while (seq.next()) {
          if (seq.lineEnd === seq.lineStart) continue;
          let origin: { bytes: Buffer; start: number; end: number } | undefined;
          if (bed) {
            do if (!bed.next()) throw new StageInputError(`${join(dir, shard.origins!)}: fewer origins than segments`);
            while (bed.lineEnd === bed.lineStart);
            origin = { bytes: bed.line, start: bed.lineStart, end: bed.lineEnd };
          }
          if ((++n & 0xffff) === 0) {
            ctx.signal.throwIfAborted();
            ctx.progress(n, meta.count, "segments");
          }
          if (fraction && n > meta.count) break; // reported below
          const split = fraction ? fraction.next() : records!.next(recordOf(origin!));
          writers[split].appendRaw(seq.line, seq.lineStart, seq.lineEnd, origin);
          if ((n & 0xfff) === 0) await writers[split].drain();
        }
      } finally {
        seq.close();
        bed?.close();
      }
    }
    if (n !== meta.count) throw new StageInputError(`${dir}: meta.json counts ${meta.count} segments, shards hold ${n}`);
    const missing = records?.missing() ?? [];
    if (missing.length) throw new StageInputError(`genome/split: held-out records not found in the segments: ${missing.join(", ")}`);
    const counts: Record<string, number> = {};
    for (const s of SPLITS) counts[s] = (await writers[s].close({ split: s, params: { ...p }, source: meta.info ?? null })).count;
    ctx.setMeta({ counts });
    ctx.log(`train ${counts.train}, validation ${counts.validation}, test ${counts.test} segments`);
  },
});
