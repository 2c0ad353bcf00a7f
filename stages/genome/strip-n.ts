// genome/strip-n: reads a genome (FASTA, gzip/bgzip FASTA or .2bit), keeps the chosen records, splits them at runs
// of N and writes the fragments of at least minLength bases (format: lib/genome/fragments-format.ts).
import { stat } from "node:fs/promises";
import { t, type Static } from "../../core/schema.js";
import { defineStage } from "../../engine/stage.js";
import { StageInputError } from "../../core/errors.js";
import { FragmentsWriter } from "../../lib/genome/fragments-format.js";
import { NSplitter } from "../../lib/genome/n-splitter.js";
import { readFasta } from "../../lib/genome/read-fasta.js";
import { filterRecords, recordFilter, type RecordSummary } from "../../lib/genome/record-filter.js";
import { ensureInputSpace } from "../space-check.js";
import { treeBytes } from "../../lib/os/disk-space.js";

const stripNParams = t.params({
  minLength: t.integer({ minimum: 1, default: 256, description: "Drop fragments shorter than this." }),
  include: t.array(t.string(), { default: [], description: "Keep only records whose name matches one of these regexes." }),
  exclude: t.array(t.string(), { default: [], description: "Drop records whose name matches one of these regexes." }),
  keepSoftMask: t.boolean({ default: false, description: "Keep lowercase (soft-masked) bases lowercase." }),
  ambiguous: t.enum(["n", "error"], { default: "n", description: "IUPAC ambiguity codes: read as N, or fail." }),
  shardBases: t.integer({ minimum: 1, default: 268435456, description: "Start a new shard after this many bases." }),
});

export type StripNParams = Static<typeof stripNParams>;

export default defineStage<StripNParams>({
  name: "genome/strip-n",
  version: 1,
  revision: 1, // meta.json no longer records the input's absolute path
  description: "Split every FASTA record at runs of N; keep fragments of at least minLength bases.",
  params: stripNParams,
  inputs: { fasta: { description: "FASTA (plain, gzip or bgzip) or .2bit" } },
  outputs: ["fragments"],
  resources: { cpus: 2, memory: "512MB" },
  async run(ctx) {
    const p = ctx.params;
    const path = ctx.input("fasta");
    const keep = recordFilter(p);
    // Fragments are about the FASTA's bases: its size, or ~4× a gzip's / 2bit's (2 bits a base).
    ensureInputSpace(ctx.output("fragments"), treeBytes(path) * (/\.(gz|bgz|2bit)$/i.test(path) ? 4 : 1), "genome/strip-n");
    const writer = await new FragmentsWriter(ctx.output("fragments"), p.shardBases).open();
    const splitter = new NSplitter(writer, p.minLength, p.keepSoftMask);
    const records: RecordSummary[] = [];
    const size = (await stat(path)).size;
    let lastLog = Date.now();
    await readFasta(path, filterRecords(splitter, keep, records), {
      keepSoftMask: p.keepSoftMask,
      ambiguous: p.ambiguous,
      signal: ctx.signal,
      afterChunk: () => writer.drain(),
      onProgress: (done) => {
        ctx.progress(done, size, "bytes");
        if (Date.now() - lastLog > 10_000) {
          lastLog = Date.now();
          ctx.log(`read ${done} of ${size} bytes; ${splitter.stats.keptBases} bases kept so far`);
        }
      },
    });
    const kept = records.filter((r) => r.kept);
    if (!kept.length) throw new StageInputError(`${path}: no record matches include ${JSON.stringify(p.include)} / exclude ${JSON.stringify(p.exclude)}`);
    if (!splitter.stats.fragments) throw new StageInputError(`${path}: no N-free fragment of at least ${p.minLength} bases`);
    const s = splitter.stats;
    // meta.json is published content: no path (the key has the input's digest, not its name or place).
    const info = {
      records: records.map((r) => ({ ...r })),
      recordsKept: kept.length,
      recordsDropped: records.length - kept.length,
      fragments: s.fragments,
      basesKept: s.keptBases,
      basesDroppedN: s.nBases,
      basesDroppedShort: s.shortBases,
      fragmentsDroppedShort: s.shortFragments,
      basesInDroppedRecords: records.filter((r) => !r.kept).reduce((a, r) => a + r.length, 0),
    };
    await writer.close(info);
    ctx.setMeta({ ...info, source: path }); // the manifest may say where this run read it
    ctx.log(`${s.fragments} fragments, ${s.keptBases} bases kept; dropped ${s.nBases} N and ${s.shortBases} in ${s.shortFragments} short fragments`);
  },
});
