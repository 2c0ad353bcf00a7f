// tokenize/train: builds a tokenizer (BPE trained on segments; k-mer and single-nucleotide from their fixed layout)
// and writes it as a Hugging Face tokenizer directory plus stats.json (for fixed vocabularies, from a bounded sample).
import { mkdir, writeFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { defineStage, type StageContext } from "../../engine/stage.js";
import { StageInputError } from "../../core/errors.js";
import type { JsonValue } from "../../core/json.js";
import { readSegments, readSegmentsMeta, segmentLines } from "../../lib/segments/format.js";
import type { LineSource } from "../../lib/sharded/line-source.js";
import { boundedSampleLines, isSampled, SAMPLE_MAX_BASES } from "../../lib/segments/bounded-sample.js";
import { specialIdsOf } from "../../lib/tokenizers/alphabet.js";
import { BpeCorpus } from "../../lib/tokenizers/bpe-corpus.js";
import { trainBpe, type BpeTrainStats } from "../../lib/tokenizers/bpe-trainer.js";
import { FixedVocabStats, StatsCollector } from "../../lib/tokenizers/corpus-stats.js";
import { createFixedTokenizer } from "../../lib/tokenizers/create.js";
import { specialTokensMap, tokenizerConfig } from "../../lib/tokenizers/hf-companion-files.js";
import { tokenizerJsonText } from "../../lib/tokenizers/hf-json.js";
import { IdBuffer } from "../../lib/tokenizers/id-buffer.js";
import { KmerOverlappingTokenizer } from "../../lib/tokenizers/kmer-overlapping.js";
import { VOCAB_TXT, vocabTxt } from "../../lib/tokenizers/vocab-txt.js";
import { keepSegment } from "../../lib/tokenizers/sampling.js";
import type { DnaTokenizer } from "../../lib/tokenizers/tokenizer.js";
import { bpeParams, trainParamsSchema, type TrainParams } from "./train-params.js";

export default defineStage<TrainParams>({
  name: "tokenize/train",
  version: 1,
  // 1: overlapping k-mers in DNABERT's id order by default, and vocab.txt beside tokenizer.json
  // 2: k-mer and single-nucleotide stats from a bounded sample (64 Mbp) of the segments, not the whole corpus
  revision: 2,
  description: "Train (BPE) or build (k-mer, single-nucleotide) a tokenizer; writes tokenizer.json + stats.json.",
  params: trainParamsSchema,
  inputs: { segments: { optional: true, description: "segments artifact: the BPE training corpus; optional stats corpus for other kinds" } },
  outputs: ["tokenizer"],
  resources: { cpus: 1, memory: "8GiB" },
  async run(ctx) {
    const p = ctx.params;
    try {
      specialIdsOf(p.specialTokens);
    } catch (e) {
      throw new StageInputError(`params.specialTokens: ${(e as Error).message}`);
    }
    const segments = ctx.hasInput("segments") ? ctx.input("segments") : undefined;
    let tokenizer: DnaTokenizer;
    let bpeStats: BpeTrainStats | undefined;
    if (p.kind === "bpe") {
      if (!segments) throw new StageInputError("tokenize/train: kind bpe needs the 'segments' input (the training corpus)");
      ({ tokenizer, stats: bpeStats } = await trainFromSegments(ctx, segments));
    } else {
      tokenizer = createFixedTokenizer(p.kind, p.k ?? 0, p.specialTokens, p.vocabOrder);
    }
    const stats = !segments
      ? new StatsCollector(tokenizer).result()
      : p.kind === "bpe"
        ? await corpusStats(ctx, tokenizer, segments)
        : await fixedVocabStats(ctx, tokenizer, segments);
    const text = tokenizerJsonText(tokenizer);
    const digest = createHash("sha256").update(text).digest("hex");
    const dir = ctx.output("tokenizer");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "tokenizer.json"), text);
    await writeFile(join(dir, "tokenizer_config.json"), JSON.stringify(tokenizerConfig(tokenizer, p.modelMaxLength), null, 2) + "\n");
    await writeFile(join(dir, "special_tokens_map.json"), JSON.stringify(specialTokensMap(tokenizer), null, 2) + "\n");
    if (tokenizer instanceof KmerOverlappingTokenizer) await writeFile(join(dir, VOCAB_TXT), vocabTxt(tokenizer));
    const all = { ...stats, tokenizerDigest: digest, ...(bpeStats ? { training: bpeStats } : {}) };
    await writeFile(join(dir, "stats.json"), JSON.stringify(all, null, 2) + "\n");
    ctx.setMeta({
      tokenizerDigest: digest,
      vocabSize: tokenizer.vocab.length,
      meanBasesPerToken: stats.meanBasesPerToken,
      ...(bpeStats ? { training: bpeStats as unknown as JsonValue } : {}),
    });
    ctx.log(`${p.kind}: vocab ${tokenizer.vocab.length}, ${stats.meanBasesPerToken} bp/token`);
  },
});

async function trainFromSegments(ctx: StageContext<TrainParams>, dir: string) {
  const p = bpeParams(ctx.params);
  const meta = await readSegmentsMeta(dir).catch((e) => {
    throw new StageInputError((e as Error).message);
  });
  const minVocab = p.specialTokens.length + 4;
  if (p.vocabSize < minVocab) {
    throw new StageInputError(`params.vocabSize ${p.vocabSize} is smaller than the ${p.specialTokens.length} special tokens + 4 bases (${minVocab})`);
  }
  // the corpus arrays are sized once: the whole artifact, or a first pass over the sample
  const progress = (n: number) => ctx.progress(n, meta.count, "segments");
  let capacity = meta.bases;
  if (p.sampleFraction < 1) {
    capacity = 0;
    const sized = (index: number, _line: Buffer, start: number, end: number) => {
      if (keepSegment(p.seed, index, p.sampleFraction)) capacity += end - start;
    };
    await forEachLine(ctx, segmentLines(dir, meta), sized, progress);
  }
  const corpus = new BpeCorpus(capacity, p.vocabSize);
  const add = (index: number, line: Buffer, start: number, end: number) => {
    if (keepSegment(p.seed, index, p.sampleFraction)) corpus.addBytes(line, start, end);
  };
  const i = await forEachLine(ctx, segmentLines(dir, meta), add, progress);
  ctx.log(`BPE corpus: ${corpus.length} bases in ACGT runs from ${i} segments (fraction ${p.sampleFraction})`);
  return trainBpe(corpus, {
    vocabSize: p.vocabSize,
    minFrequency: p.minFrequency,
    specialTokens: p.specialTokens,
    signal: ctx.signal,
    onProgress: (v, target) => ctx.progress(v, target, "tokens"),
  });
}

/**
 * Calls `each` with every non-empty line's index and bytes, straight from the shards (no string per segment: the
 * whole-genome corpus is 3 GB); every 65,536 lines checks for cancellation, calls `progress` and yields to the event
 * loop. Returns the count.
 */
async function forEachLine(
  ctx: StageContext<TrainParams>,
  sources: Iterable<LineSource>,
  each: (index: number, line: Buffer, start: number, end: number) => void,
  progress: (lines: number) => void,
): Promise<number> {
  let i = 0;
  for (const lines of sources) {
    try {
      while (lines.next()) {
        if (lines.lineEnd === lines.lineStart) continue;
        each(i++, lines.line, lines.lineStart, lines.lineEnd);
        if ((i & 65535) === 0) {
          ctx.signal.throwIfAborted();
          progress(i);
          await new Promise((r) => setImmediate(r));
        }
      }
    } finally {
      lines.close();
    }
  }
  return i;
}

/**
 * k-mer and single-nucleotide stats: a byte scan (no encoding of clean segments) of a bounded sample of the segments
 * (lib/segments/bounded-sample.ts: the whole artifact up to 64 Mbp), so the stage takes about a second on any genome.
 */
async function fixedVocabStats(ctx: StageContext<TrainParams>, tok: DnaTokenizer, dir: string) {
  const meta = await readSegmentsMeta(dir).catch((e) => {
    throw new StageInputError((e as Error).message);
  });
  const stats = new FixedVocabStats(tok);
  const total = Math.min(meta.bases, SAMPLE_MAX_BASES);
  await forEachLine(
    ctx,
    boundedSampleLines(dir, meta),
    (_i, line, start, end) => stats.addBytes(line, start, end),
    () => ctx.progress(Math.min(stats.collector.bases, total), total, "bases"),
  );
  const result = stats.collector.result();
  if (!isSampled(meta)) return result;
  ctx.log(`stats from a sample of ${result.corpusBases} of the ${meta.bases} bases`);
  return { ...result, corpusSample: { artifactSequences: meta.count, artifactBases: meta.bases, maxBases: SAMPLE_MAX_BASES } };
}

async function corpusStats(ctx: StageContext<TrainParams>, tok: DnaTokenizer, dir: string) {
  const stats = new StatsCollector(tok);
  const buf = new IdBuffer();
  for await (const s of readSegments(dir)) {
    buf.clear();
    tok.encode(s, buf);
    stats.add(s.length, buf);
    if ((stats.sequences & 1023) === 0) ctx.signal.throwIfAborted();
  }
  return stats.result();
}
