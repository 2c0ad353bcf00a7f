// model/import: a local Hugging Face masked-LM directory (DNABERT-6 BertForMaskedLM, Nucleotide Transformer
// EsmForMaskedLM, RoBERTa, ModernBERT; custom-code models such as DNABERT-2 only with trustRemoteCode) becomes the
// same artifacts as model/pretrain's `model` and tokenize/train's `tokenizer`, so model/finetune and reports use it
// unchanged. The source directory is an input, so its content digest is part of the key. The worker
// (worker/import_model.py) loads it with transformers, checks it is a masked LM, copies (or converts .bin to)
// safetensors, and checks that the tokenizer.json written here gives the source tokenizer's ids.
import { existsSync, readFileSync, statSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { runWorker } from "../../engine/python/run-worker.js";
import { t, type Static } from "../../core/schema.js";
import { defineStage } from "../../engine/stage.js";
import { StageInputError } from "../../core/errors.js";
import type { JsonValue } from "../../core/json.js";
import { DEFAULT_SPECIAL_TOKENS, KMER_ORDERS, allKmers } from "../../lib/tokenizers/alphabet.js";
import { StatsCollector } from "../../lib/tokenizers/corpus-stats.js";
import { tokenizerJsonText } from "../../lib/tokenizers/hf-json.js";
import { KmerOverlappingTokenizer } from "../../lib/tokenizers/kmer-overlapping.js";
import { loadTokenizer } from "../../lib/tokenizers/tokenizer-file.js";
import { MAX_K, MIN_K } from "../../lib/tokenizers/tokenizer.js";

const importParams = t.params({
  trustRemoteCode: t.boolean({ default: false, description: "run code shipped in the directory (auto_map, e.g. DNABERT-2); refused otherwise" }),
});

export type ImportParams = Static<typeof importParams>;

export default defineStage<ImportParams>({
  name: "model/import",
  version: 1,
  description: "Import a local Hugging Face masked LM (DNABERT, NT, RoBERTa, ModernBERT) and its tokenizer as model/pretrain + tokenize/train artifacts.",
  params: importParams,
  inputs: { source: { description: "a local Hugging Face model directory: config.json, weights (safetensors or pytorch_model.bin), tokenizer files" } },
  outputs: ["model", "tokenizer"],
  usesWorker: true,
  resources: { cpus: 1, memory: "4GiB" },
  async run(ctx) {
    const source = ctx.input("source");
    if (!existsSync(source) || !statSync(source).isDirectory())
      throw new StageInputError(`input source: ${source} is not a directory (a Hugging Face model directory)`);
    if (!existsSync(join(source, "config.json"))) throw new StageInputError(`input source: ${source} has no config.json (not a Hugging Face model directory)`);
    const tokOut = ctx.output("tokenizer");
    await mkdir(tokOut, { recursive: true });
    const dnabert = dnaflowKmerTokenizer(source);
    if (dnabert) await writeFile(join(tokOut, "tokenizer.json"), tokenizerJsonText(dnabert));
    const config = { source, trustRemoteCode: ctx.params.trustRemoteCode, modelOut: ctx.output("model"), tokenizerOut: tokOut };
    const { events } = await runWorker(ctx, "import", config, { eventsFile: join(ctx.workDir, "events.jsonl") });
    const done = events.find((e) => e.event === "done");
    if (!done) throw new Error("worker import: finished without a done event");
    // a tokenizer dnaflow can read (k-mers in a dnaflow layout, a dnaflow BPE) also gets tokenize/train's stats.json,
    // so tokenize/encode accepts it (e.g. to continue pretraining on one's own data)
    const text = readFileSync(join(tokOut, "tokenizer.json"));
    const digest = createHash("sha256").update(text).digest("hex");
    const loaded = await loadTokenizer(tokOut).catch(() => undefined);
    if (loaded)
      await writeFile(
        join(tokOut, "stats.json"),
        JSON.stringify({ ...new StatsCollector(loaded.tokenizer).result(), tokenizerDigest: digest }, null, 2) + "\n",
      );
    const info = JSON.parse(readFileSync(join(ctx.output("model"), "import.json"), "utf8"));
    ctx.setMeta({
      architecture: info.architecture,
      modelType: info.modelType,
      params: info.params,
      tokenizerKind: info.tokenizer.kind,
      tokenizerDigest: digest,
      dnaflowTokenizer: loaded ? loaded.tokenizer.kind : null,
    } as Record<string, JsonValue>);
  },
});

/**
 * DNABERT's vocab.txt (no tokenizer.json): when it is exactly a dnaflow overlapping k-mer layout (BERT's five
 * specials, then every k-mer in DNABERT's or lexicographic order), the tokenizer is dnaflow's own, byte for byte what
 * tokenize/train writes for the same k and order, so shards and tokenizers from either are interchangeable.
 */
function dnaflowKmerTokenizer(source: string): KmerOverlappingTokenizer | undefined {
  const file = join(source, "vocab.txt");
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, "utf8")
    .replace(/\r?\n$/, "")
    .split(/\r?\n/);
  const n = DEFAULT_SPECIAL_TOKENS.length;
  const k = lines[n]?.length ?? 0;
  if (k < MIN_K || k > MAX_K || lines.length !== n + 4 ** k || DEFAULT_SPECIAL_TOKENS.some((t, i) => lines[i] !== t)) return undefined;
  for (const order of KMER_ORDERS) {
    const kmers = allKmers(k, order);
    if (kmers.every((t, i) => lines[n + i] === t)) return new KmerOverlappingTokenizer(k, DEFAULT_SPECIAL_TOKENS, order);
  }
  return undefined;
}
