// tokenize/encode: encodes segments (pretraining) or benchmark CSV sequences into token shards:
// [CLS] ids [SEP] per sequence, packed into maxLength blocks or one row per sequence. Streams; bounded memory.
import { readFile, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { t, type Static } from "../../core/schema.js";
import { defineStage } from "../../engine/stage.js";
import { StageInputError } from "../../core/errors.js";
import { readSegmentsMeta, segmentTasks, type SegmentTask } from "../../lib/segments/format.js";
import { EncodeScratch, encodeTask, type EncodedTask } from "../../lib/tokenizers/encode-task.js";
import { encodeTasksParallel } from "../../lib/tokenizers/parallel-encode.js";
import { IdBuffer } from "../../lib/tokenizers/id-buffer.js";
import { BlockCutter, Packer } from "../../lib/tokenizers/packing.js";
import { readSequencesCsv, type LabeledSequence, type SequencesCsv } from "../../lib/tokenizers/sequences-csv.js";
import { loadTokenizer } from "../../lib/tokenizers/tokenizer-file.js";
import { encodeWithSpecials } from "../../lib/tokenizers/tokenizer.js";
import { TOKEN_SHARDS_FORMAT, dtypeForVocab, type TokenShardsMeta } from "../../lib/tokenizers/token-shards-format.js";
import { TokenShardsWriter } from "../../lib/tokenizers/token-shards-writer.js";
import { ensureInputSpace } from "../space-check.js";

const encodeParams = t.params({
  maxLength: t.integer({ minimum: 4, maximum: 1 << 20, default: 512, description: "tokens per row, [CLS]/[SEP] included" }),
  packing: t.enum(["blocks", "rows"], { default: "blocks", description: "blocks: concatenate and cut (pretraining); rows: one sequence per row" }),
});

type EncodeParams = Static<typeof encodeParams>;

export default defineStage<EncodeParams>({
  name: "tokenize/encode",
  version: 1,
  revision: 1, // sequences CSVs read with csv-parse: a BOM or quoted values used to give wrong ids
  description: "Encode segments or CSV sequences with a tokenizer into token shards (tokens.bin + index.bin + meta.json).",
  params: encodeParams,
  inputs: {
    tokenizer: { description: "tokenizer directory from tokenize/train (or a tokenizer.json)" },
    segments: { optional: true, description: "segments artifact" },
    sequences: { optional: true, description: "CSV file, or directory of CSV files, with a 'sequence' column (GUE layout)" },
  },
  outputs: ["tokens"],
  resources: { cpus: 1, memory: "1GiB" },
  async run(ctx) {
    const { maxLength, packing } = ctx.params;
    const { tokenizer, digest, path } = await loadTokenizer(ctx.input("tokenizer")).catch((e) => {
      throw new StageInputError((e as Error).message);
    });
    await checkRecordedDigest(path, digest);
    const hasSeg = ctx.hasInput("segments");
    if (hasSeg === ctx.hasInput("sequences")) throw new StageInputError("tokenize/encode: bind exactly one of the inputs 'segments' and 'sequences'");
    const source = hasSeg ? await segmentSource(ctx.input("segments")) : await csvSource(ctx.input("sequences"));
    const withLabels = source.labels && packing === "rows";
    // Token shards: at most one id per base plus [CLS]/[SEP] per sequence (k-mers and single nucleotides are about
    // that; BPE less), in the dtype's bytes, plus 8 bytes of index per row.
    const dtype = dtypeForVocab(tokenizer.vocab.length);
    if (source.tasks) {
      const bytesPerId = dtype === "uint16" ? 2 : 4;
      const count = source.total!;
      ensureInputSpace(ctx.output("tokens"), (source.bases! + 2 * count) * bytesPerId + 8 * count, "tokenize/encode");
    }
    const writer = await new TokenShardsWriter(ctx.output("tokens"), dtype, withLabels).open();
    let sequences = 0;
    let bases = 0;
    let droppedTokens = 0;
    let truncatedRows = 0;
    const every = async () => {
      ctx.signal.throwIfAborted();
      ctx.progress(sequences, source.total, "sequences");
      await writer.drain(); // disk writes run on the threadpool meanwhile; this bounds the buffers in flight
    };
    if (source.tasks) {
      // Segments: tasks of ~1 MB of the shards, each read and encoded straight into the on-disk dtype (on worker
      // threads when the stage has several cpus); this thread only appends the results in order.
      const tasks = source.tasks();
      const opts = { dtype, packing, maxLength };
      const blocks = packing === "blocks" ? new BlockCutter(maxLength, dtype, (ids, start, end) => writer.writeRows(ids, start, end, maxLength)) : undefined;
      const add = (r: EncodedTask) => {
        if (blocks) blocks.add(r.ids);
        else writer.writeRows(r.ids, 0, r.ids.length, r.lengths!);
        sequences += r.sequences;
        bases += r.bases;
        truncatedRows += r.truncatedRows;
      };
      const threads = Math.min(tasks.length, Math.max(1, Math.floor(ctx.resources.cpus ?? 1)));
      if (threads > 1)
        await encodeTasksParallel(tasks, { tokenizer: path, shared: tokenizer.sharedState?.(), bases: source.bases!, ...opts }, threads, add, every);
      else {
        const scratch = new EncodeScratch();
        tokenizer.prepare?.(source.bases!);
        for (const task of tasks) {
          const r = encodeTask(tokenizer, task, opts, scratch);
          add(r);
          scratch.recycle(r.ids.buffer as ArrayBuffer);
          await every();
        }
      }
      droppedTokens = blocks?.droppedTokens ?? 0;
    } else {
      const packer = new Packer(packing, maxLength, (row, start, end, label) => writer.writeRow(row, label, start, end));
      const buf = new IdBuffer();
      for await (const { sequence, label } of source.items!()) {
        buf.clear();
        encodeWithSpecials(tokenizer, sequence, buf);
        packer.add(buf.data, label, 0, buf.length);
        sequences++;
        bases += sequence.length;
        if ((sequences & 1023) === 0) await every();
      }
      droppedTokens = packer.droppedTokens;
      truncatedRows = packer.truncatedRows;
    }
    const meta: TokenShardsMeta = {
      format: TOKEN_SHARDS_FORMAT,
      dtype,
      indexDtype: "uint64",
      count: writer.count,
      totalTokens: writer.totalTokens,
      vocabSize: tokenizer.vocab.length,
      specialIds: tokenizer.specials,
      specialTokens: [...tokenizer.specialTokens],
      maxLength,
      packing,
      tokenizerKind: tokenizer.kind,
      tokenizerDigest: digest,
      sequences,
      bases,
      droppedTokens,
      truncatedRows,
      labels: withLabels,
    };
    await writer.close(meta);
    ctx.setMeta({
      rows: meta.count,
      totalTokens: meta.totalTokens,
      tokenizerDigest: digest,
      droppedTokens: meta.droppedTokens,
      truncatedRows: meta.truncatedRows,
    });
    ctx.log(`${sequences} sequences (${bases} bp) -> ${meta.count} rows, ${meta.totalTokens} tokens`);
  },
});

/** stats.json (from tokenize/train) records the digest of tokenizer.json: a mismatch means the file was altered. */
async function checkRecordedDigest(tokenizerPath: string, digest: string): Promise<void> {
  const statsPath = join(tokenizerPath, "..", "stats.json");
  let recorded: string | undefined;
  try {
    recorded = JSON.parse(await readFile(statsPath, "utf8")).tokenizerDigest;
  } catch {
    return; // a bare tokenizer.json has no record to check
  }
  if (recorded && recorded !== digest) {
    throw new StageInputError(`${tokenizerPath}: sha256 ${digest.slice(0, 12)}… does not match tokenizerDigest ${recorded.slice(0, 12)}… in ${statsPath}`);
  }
}

interface Source {
  total?: number;
  /** Segments: their bases (from meta.json). */
  bases?: number;
  labels: boolean;
  /** CSV sequences. */
  items?(): AsyncGenerator<LabeledSequence>;
  /** Segments: the shards' lines as tasks of ~1 MB (the fast path). */
  tasks?(): SegmentTask[];
}

/**
 * Bytes of segments per task: a task's ids (4 bytes each while encoding, then narrowed) stay in cache on their way to
 * the file (1 MB: ~11 % less user CPU than 4 MB for 6-mers), and messages to worker threads stay rare (a few ms of work each).
 */
const TASK_BYTES = 1 << 20;

async function segmentSource(dir: string): Promise<Source> {
  const meta = await readSegmentsMeta(dir).catch((e) => {
    throw new StageInputError((e as Error).message);
  });
  return {
    total: meta.count,
    bases: meta.bases,
    labels: false,
    tasks: () => segmentTasks(dir, meta, TASK_BYTES),
  };
}

async function csvSource(path: string): Promise<Source> {
  const files = (await stat(path)).isDirectory()
    ? (await readdir(path))
        .filter((f) => f.endsWith(".csv"))
        .sort()
        .map((f) => join(path, f))
    : [path];
  if (!files.length) throw new StageInputError(`${path}: no .csv files`);
  const tables: SequencesCsv[] = [];
  for (const f of files) {
    try {
      tables.push(await readSequencesCsv(f));
    } catch (e) {
      throw e instanceof StageInputError ? e : new StageInputError((e as Error).message);
    }
    if (tables[tables.length - 1].labels !== tables[0].labels)
      throw new StageInputError(`${f}:1: ${tables[0].labels ? "has no" : "has a"} 'label' column, unlike ${files[0]}`);
  }
  return {
    total: tables.reduce((n, t) => n + t.rows.length, 0),
    labels: tables[0].labels,
    async *items() {
      for (const t of tables) yield* t.rows;
    },
  };
}
