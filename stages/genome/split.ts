// genome/split: divides a segments artifact into train / validation / test segments artifacts, by an exact seeded
// fraction or by holding out whole records (chromosomes). Origins are kept. No segment bytes are copied: each split
// hard-links the input's shard files (copies them where links cannot be made) and lists its byte ranges of each.
import { t, type Static } from "../../core/schema.js";
import { defineStage } from "../../engine/stage.js";
import { StageInputError } from "../../core/errors.js";
import { FractionAssigner, RecordAssigner, type SplitName } from "../../lib/genome/split-assigner.js";
import { join } from "node:path";
import { mkdir, stat, writeFile } from "node:fs/promises";
import { readSegmentsMeta, SEGMENTS_FORMAT_RANGES, shardWindows, type SegmentShardInfo, type SegmentsMeta } from "../../lib/segments/format.js";
import { RangeBuilder } from "../../lib/segments/ranges.js";
import { writeArtifactMeta } from "../../lib/sharded/artifact-meta.js";
import { linkOrCopy } from "../../lib/sharded/link-or-copy.js";
import { WindowLines } from "../../lib/sharded/window-lines.js";
import { ensureInputSpace } from "../space-check.js";
import { treeBytes } from "../../lib/os/disk-space.js";

const splitParams = t.params({
  by: t.enum(["fraction", "record"], { default: "fraction" }),
  validation: t.number({ minimum: 0, maximum: 1, default: 0.05, description: "Fraction of segments (by: fraction)." }),
  test: t.number({ minimum: 0, maximum: 1, default: 0, description: "Fraction of segments (by: fraction)." }),
  validationRecords: t.array(t.string(), { default: [], description: "Record names held out for validation (by: record)." }),
  testRecords: t.array(t.string(), { default: [], description: "Record names held out for test (by: record)." }),
  seed: t.integer({ default: 42 }),
  shardBases: t.integer({
    minimum: 1,
    default: 67108864,
    description: "Unused since revision 2 (the splits share the input's shards); kept so pipelines that set it still load.",
  }),
});

export type SplitParams = Static<typeof splitParams>;

const SPLITS: SplitName[] = ["train", "validation", "test"];

/** Sizes of a shard's files when the artifact holds all of them (format 1, or a format 2 shard without ranges). */
async function wholeSizes(dir: string, shard: SegmentShardInfo): Promise<{ seq: number; bed: number }> {
  return { seq: (await stat(join(dir, shard.file))).size, bed: shard.origins ? (await stat(join(dir, shard.origins))).size : 0 };
}

/** The record name of a BED line: the bytes before its first tab. */
function recordOf(bed: { bytes: Buffer; start: number; end: number }): string {
  const tab = bed.bytes.indexOf(9, bed.start);
  return bed.bytes.toString("latin1", bed.start, tab >= 0 && tab < bed.end ? tab : bed.end);
}

export default defineStage<SplitParams>({
  name: "genome/split",
  version: 1,
  revision: 2, // 2: segments format 2 — hard-linked shards with byte ranges instead of copied segments
  description: "Split segments into train/validation/test by seeded fraction or by holding out whole records.",
  params: splitParams,
  unkeyed: ["shardBases"], // unused: it cannot change the output
  inputs: { segments: { description: "output of genome/segment" } },
  outputs: ["train", "validation", "test"],
  resources: { cpus: 1, memory: "256MB" },
  async run(ctx) {
    const p = ctx.params;
    // shardBases is left out of the recorded params, as it is of the key
    const { shardBases, ...recordedParams } = p;
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
    // Each split names the input's shards it draws from, shares their files (hard links: no segment bytes copied)
    // and, where it holds part of a shard, lists that part's byte ranges (segments format 2, lib/segments/ranges.ts).
    const outs = Object.fromEntries(SPLITS.map((s) => [s, { dir: ctx.output(s), shards: [] as SegmentShardInfo[] }])) as Record<
      SplitName,
      { dir: string; shards: SegmentShardInfo[] }
    >;
    for (const s of SPLITS) await mkdir(outs[s].dir, { recursive: true });
    const shared = { linked: 0, copied: 0 };
    let spaceChecked = false;
    const share = async (file: string, split: SplitName) => {
      const how = await linkOrCopy(join(dir, file), join(outs[split].dir, file), () => {
        if (!spaceChecked) ensureInputSpace(ctx.output("train"), treeBytes(dir), "genome/split"); // copies: the input's bytes
        spaceChecked = true;
      });
      shared[how]++;
    };
    let n = 0;
    for (const shard of meta.shards) {
      const windows = shardWindows(dir, shard);
      const seq = new WindowLines(join(dir, shard.file), windows.seq, 4 << 20);
      const bed = shard.origins ? new WindowLines(join(dir, shard.origins), windows.bed, 1 << 20) : undefined;
      const picked = Object.fromEntries(SPLITS.map((s) => [s, new RangeBuilder()])) as Record<SplitName, RangeBuilder>;
      try {
        while (seq.next()) {
          if (seq.lineEnd === seq.lineStart) continue;
          if (bed)
            do if (!bed.next()) throw new StageInputError(`${join(dir, shard.origins!)}: fewer origins than segments`);
            while (bed.lineEnd === bed.lineStart);
          if ((++n & 0xffff) === 0) {
            ctx.signal.throwIfAborted();
            ctx.progress(n, meta.count, "segments");
          }
          if (fraction && n > meta.count) break; // reported below
          const split = fraction ? fraction.next() : records!.next(recordOf({ bytes: bed!.line, start: bed!.lineStart, end: bed!.lineEnd }));
          picked[split].add(seq.lineOffset, seq.nextOffset, bed?.lineOffset ?? 0, bed?.nextOffset ?? 0, seq.lineEnd - seq.lineStart);
        }
      } finally {
        seq.close();
        bed?.close();
      }
      const whole = !shard.ranges && (await wholeSizes(dir, shard));
      for (const s of SPLITS) {
        const r = picked[s];
        if (!r.count) continue;
        const info: SegmentShardInfo = { file: shard.file, count: r.count, bases: r.bases, ...(shard.origins ? { origins: shard.origins } : {}) };
        await share(shard.file, s);
        if (shard.origins) await share(shard.origins, s);
        if (!(whole && r.covers(whole.seq, whole.bed))) {
          info.ranges = shard.file.replace(/\.seq$/, "") + ".ranges";
          await writeFile(join(outs[s].dir, info.ranges), r.bytes());
        }
        outs[s].shards.push(info);
      }
    }
    if (n !== meta.count) throw new StageInputError(`${dir}: meta.json counts ${meta.count} segments, shards hold ${n}`);
    const missing = records?.missing() ?? [];
    if (missing.length) throw new StageInputError(`genome/split: held-out records not found in the segments: ${missing.join(", ")}`);
    const counts: Record<string, number> = {};
    for (const s of SPLITS) {
      const shards = outs[s].shards;
      counts[s] = shards.reduce((a, x) => a + x.count, 0);
      const out: SegmentsMeta = {
        format: SEGMENTS_FORMAT_RANGES,
        count: counts[s],
        bases: shards.reduce((a, x) => a + x.bases, 0),
        shards,
        info: { split: s, params: recordedParams, source: meta.info ?? null },
      };
      await writeArtifactMeta(outs[s].dir, out);
    }
    ctx.setMeta({ counts, sharedFiles: shared });
    ctx.log(
      `train ${counts.train}, validation ${counts.validation}, test ${counts.test} segments; shard files ${shared.linked} linked, ${shared.copied} copied`,
    );
  },
});
