// genome/split: divides a segments artifact into train / validation / test segments artifacts, by an exact seeded
// fraction or by holding out whole records (chromosomes). Origins are kept.
import { defineStage, StageInputError } from "../../engine/stage.js";
import { FractionAssigner, RecordAssigner, type SplitName } from "../../lib/genome/split-assigner.js";
import { readSegmentsMeta, readSegmentsWithOrigins, SegmentsWriter } from "../../lib/segments/format.js";

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
    const writers = Object.fromEntries(
      await Promise.all(SPLITS.map(async (s) => [s, await new SegmentsWriter(ctx.output(s), p.shardBases).open()] as const)),
    ) as Record<SplitName, SegmentsWriter>;
    let n = 0;
    for await (const { segment, origin } of readSegmentsWithOrigins(dir)) {
      if ((++n & 0xffff) === 0) {
        ctx.signal.throwIfAborted();
        ctx.progress(n, meta.count, "segments");
      }
      const split = fraction ? fraction.next() : records!.next(origin!.record);
      const b = Buffer.from(segment, "latin1");
      writers[split].append(b, 0, b.length, origin);
      if ((n & 0xfff) === 0) await writers[split].drain();
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
