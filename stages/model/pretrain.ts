// model/pretrain: masked-language-model pretraining in the Python worker (worker/train.py). Inputs: a tokenizer
// artifact and token shards encoded with it; output: a Hugging Face model directory (+ metrics.jsonl, loss.svg).
// Checkpoints go to ctx.checkpointDir, so a killed or failed attempt resumes where it stopped, with identical results.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runWorker } from "../../engine/python/run-worker.js";
import { defineStage } from "../../engine/stage.js";
import { StageInputError } from "../../core/errors.js";
import type { JsonValue } from "../../core/json.js";
import { pretrainCard, writeModelCard } from "../../lib/model-card/write.js";
import { lossCurveSvg } from "../../lib/report/loss-curve.js";
import { verifyShardsTokenizer } from "../../lib/tokenizers/token-shards-reader.js";
import { pretrainParamsSchema, type PretrainParams } from "./pretrain-params.js";

export default defineStage<PretrainParams>({
  name: "model/pretrain",
  version: 1,
  revision: 3, // 1: masks drawn per (seed, step, global row) by counter-based hashing; 2: README.md model card; 3: loss.svg drawn by lib/report
  description: "Pretrain a masked language model (RoBERTa, BERT or ModernBERT; bert, kmer-span or RandomMask masking) on token shards.",
  params: pretrainParamsSchema,
  inputs: {
    tokenizer: { description: "tokenizer directory from tokenize/train" },
    train: { many: true, description: "token shards from tokenize/encode (several are read as one dataset)" },
    valid: { optional: true, many: true, description: "token shards scored at the end (evalBatches)" },
  },
  outputs: ["model"],
  usesWorker: true,
  resources: { cpus: 2, memory: "4GiB" },
  async run(ctx) {
    const tokenizer = ctx.input("tokenizer");
    const shards = (name: string) => (ctx.hasInput(name) ? ctx.inputs(name).map((i) => i.path) : []);
    const train = shards("train");
    const valid = shards("valid");
    for (const [name, dirs] of [
      ["train", train],
      ["valid", valid],
    ] as const) {
      for (const d of dirs) {
        await verifyShardsTokenizer(d, tokenizer).catch((e) => {
          throw new StageInputError(`input ${name}: ${(e as Error).message}`);
        });
      }
    }
    const p = ctx.params;
    const config = {
      ...p,
      // The thread count can change the bytes (docs/pretraining.md, Determinism) and resources.cpus is not part of the
      // key: torch's threads come from the `threads` param (in the key), 1 unless set.
      threads: p.threads || 1,
      tokenizer,
      train,
      valid: valid.length ? valid : null,
      checkpointDir: ctx.checkpointDir,
      outDir: ctx.output("model"),
    };
    const { events } = await runWorker(ctx, "pretrain", config, {
      eventsFile: join(ctx.workDir, "events.jsonl"),
      processes: ctx.resources.gpus > 1 ? ctx.resources.gpus : 1,
    });
    const done = events.find((e) => e.event === "done");
    if (!done) throw new Error("worker pretrain: finished without a done event");
    const start = events.find((e) => e.event === "start");
    const training = JSON.parse(await readFile(join(ctx.output("model"), "training.json"), "utf8"));
    // The loss curve is drawn by the report's renderer (lib/report), not by the worker: one way to draw it.
    const metrics = await readFile(join(ctx.output("model"), "metrics.jsonl"), "utf8");
    await writeFile(join(ctx.output("model"), "loss.svg"), lossCurveSvg(metrics, `${p.model.family} · ${p.masking.strategy} masking`));
    const shardsMeta = JSON.parse(await readFile(join(train[0], "meta.json"), "utf8"));
    const data = train.length === 1 ? shardsMeta : { ...shardsMeta, sequences: undefined, bases: undefined, totalTokens: undefined, count: undefined };
    await writeModelCard(
      ctx.output("model"),
      pretrainCard({
        params: p,
        lineage: ctx.lineage ?? [],
        data,
        parameters: start?.params as number,
        finalLoss: training.summary?.finalLoss,
        validLoss: done.validLoss as number | undefined,
        key: process.env.DNAFLOW_KEY,
      }),
    );
    ctx.setMeta({
      params: (start?.params as number) ?? null,
      device: (start?.device as string) ?? null,
      finalLoss: training.summary?.finalLoss ?? null,
      ...(done.validLoss !== undefined ? { validLoss: done.validLoss as number } : {}),
      summary: training.summary as JsonValue,
      software: { node: process.version, ...((start?.software as Record<string, string>) ?? {}) },
      // Not in the outputs: they differ between runs of the same key (throughput, the machine's threads and kernels).
      timing: (done.timing as JsonValue) ?? null,
      numerics: (start?.numerics as JsonValue) ?? null,
    });
  },
});
