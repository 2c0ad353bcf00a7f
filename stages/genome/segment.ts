// genome/segment: cuts N-free fragments into seeded random-length segments (or fixed windows), optionally with
// reverse complements; writes the segments artifact (lib/segments/format.ts) with each segment's origin.
import { t, type Static } from "../../core/schema.js";
import { defineStage } from "../../engine/stage.js";
import { StageInputError } from "../../core/errors.js";
import { readFragments } from "../../lib/genome/fragments-format.js";
import { Segmenter } from "../../lib/genome/segmenter.js";
import { SegmentsWriter } from "../../lib/segments/format.js";
import { ensureInputSpace } from "../space-check.js";
import { treeBytes } from "../../lib/os/disk-space.js";

const segmentParams = t.params({
  mode: t.enum(["random", "window"], { default: "random" }),
  seed: t.integer({ default: 42, description: "Same seed, same segments on any machine." }),
  min: t.integer({ minimum: 1, default: 256, description: "Shortest segment; shorter fragment tails are dropped." }),
  max: t.integer({ minimum: 1, default: 1024, description: "Longest segment (random mode)." }),
  window: t.integer({ minimum: 1, default: 1000, description: "Window length (window mode)." }),
  stride: t.integer({ minimum: 1, default: 1000, description: "Step between window starts (window mode)." }),
  reverseComplement: t.enum(["none", "both", "random"], {
    default: "none",
    description: "both: add each segment's reverse complement; random: flip each with p=0.5.",
  }),
  shardBases: t.integer({ minimum: 1, default: 67108864 }),
});

export type SegmentParams = Static<typeof segmentParams>;

export default defineStage<SegmentParams>({
  name: "genome/segment",
  version: 1,
  description: "Cut fragments into random-length segments uniform in [min, max] (seeded) or fixed windows.",
  params: segmentParams,
  inputs: { fragments: { description: "output of genome/strip-n" } },
  outputs: ["segments"],
  resources: { cpus: 1, memory: "256MB" },
  async run(ctx) {
    const p = ctx.params;
    if (p.mode === "random" && p.min > p.max) throw new StageInputError(`genome/segment: min (${p.min}) is greater than max (${p.max})`);
    // Segments hold at most the fragments' bases (twice with reverseComplement: both), plus origins.
    ensureInputSpace(ctx.output("segments"), treeBytes(ctx.input("fragments")) * (p.reverseComplement === "both" ? 2 : 1) * 1.2, "genome/segment");
    const writer = await new SegmentsWriter(ctx.output("segments"), p.shardBases).open();
    const segmenter = new Segmenter(p, (bytes, start, end, record, recordStart, strand) =>
      writer.append(bytes, start, end, { record, start: recordStart, end: recordStart + end - start, strand }),
    );
    const fragments = await readFragments(ctx.input("fragments"), segmenter, {
      signal: ctx.signal,
      afterChunk: () => writer.drain(),
      onProgress: (done, total) => ctx.progress(done, total, "bases"),
    });
    if (!segmenter.stats.segments) throw new StageInputError(`${ctx.input("fragments")}: no segment of at least ${p.min} bases`);
    const info = { params: { ...p }, fragments: fragments.count, fragmentBases: fragments.bases, ...segmenter.stats };
    await writer.close(info);
    ctx.setMeta(info);
    ctx.log(`${segmenter.stats.segments} segments, ${segmenter.stats.bases} bases`);
  },
});
