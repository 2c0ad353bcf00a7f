// Synthetic metrics over a matrix (tokenizer × init × task × seed) and loss logs, written as a finetune stage would.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { InputItem } from "../../core/input-item.js";

export const TASKS = ["prom/prom_core_all", "tf/0", "EMP/H3"];
/** Test MCC: base per task, + tokenizer effect, + pretraining gain, + seed noise. Known, so the tests can check means. */
export function mcc(task: string, tokenizer: string, init: string, seed: number): number {
  return [0.55, 0.6, 0.7][TASKS.indexOf(task)] + (tokenizer === "bpe" ? 0.03 : 0) + (init === "pretrained" ? 0.1 : 0) + (seed === 1 ? -0.01 : 0.01);
}

export function metricsItems(): InputItem[] {
  const root = mkdtempSync(join(tmpdir(), "dnaflow-report-"));
  const items: InputItem[] = [];
  for (const tokenizer of ["kmer6", "bpe"])
    for (const init of ["pretrained", "scratch"])
      for (const task of TASKS)
        for (const seed of [1, 2]) {
          const dir = join(root, `${tokenizer}-${init}-${task.replace("/", "_")}-${seed}`);
          mkdirSync(dir, { recursive: true });
          const m = mcc(task, tokenizer, init, seed);
          writeFileSync(
            join(dir, "metrics.json"),
            JSON.stringify({
              format: 1,
              kind: "classification",
              primary: "mcc",
              splits: { dev: { n: 100, mcc: m + 0.02, accuracy: 0.8 }, test: { n: 200, mcc: m, accuracy: 0.5 + m / 2, f1: m } },
            }),
          );
          items.push({ path: dir, from: `finetune[init=${init},seed=${seed},task=${task},tokenizer=${tokenizer}]`, matrix: { tokenizer, init, task, seed } });
        }
  return items;
}

export function pretrainItems(): InputItem[] {
  const root = mkdtempSync(join(tmpdir(), "dnaflow-pretrain-"));
  return ["kmer6", "bpe"].map((tokenizer, k) => {
    const dir = join(root, tokenizer);
    mkdirSync(dir, { recursive: true });
    const lines = [JSON.stringify({ event: "start", config: { steps: 300 } })];
    for (let step = 10; step <= 300; step += 10)
      lines.push(
        JSON.stringify({
          event: "progress",
          step,
          loss: 6 * Math.exp(-step / 120) + 1.2 + k * 0.2,
          phase: step <= 100 ? "mask-0.15" : step <= 200 ? "mask-0.25" : "mask-0.40",
        }),
      );
    lines.push(JSON.stringify({ event: "eval", step: 300, loss: 99 }), '{"event":"progress","step":310,"lo'); // eval and a cut line are ignored
    writeFileSync(join(dir, "metrics.jsonl"), lines.join("\n") + "\n");
    return { path: dir, from: `pretrain[tokenizer=${tokenizer}]`, matrix: { tokenizer } };
  });
}
