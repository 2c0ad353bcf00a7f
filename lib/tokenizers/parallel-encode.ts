// Encoding on several cores: the calling thread reads lines and packs the results in order; worker threads
// (encode-worker.ts) encode batches of ~1 MB of sequences. Results are applied in batch order, so the output is
// exactly the sequential encoder's. At most 2 batches per worker are in flight: memory stays bounded.
import { Worker } from "node:worker_threads";
import type { LineSource } from "../sharded/line-source.js";

const WORKER = new URL("./encode-worker.js", import.meta.url);
const BATCH_BYTES = 1 << 20;

interface Result {
  ids: Uint32Array;
  lengths: Uint32Array;
  bases: number;
}

/**
 * Encodes every non-empty line of the scanners with `threads` workers; `onBatch` receives each batch in input order:
 * its sequences' ids ([CLS] … [SEP]) back to back, each sequence's id count, and its base count. `every` is awaited
 * after each batch (progress, backpressure, cancellation).
 */
export async function encodeLinesParallel(
  scanners: Iterable<LineSource>,
  tokenizerPath: string,
  threads: number,
  onBatch: (ids: Uint32Array, lengths: Uint32Array, bases: number) => void,
  every: () => Promise<void>,
): Promise<void> {
  const workers = Array.from({ length: threads }, () => new Worker(WORKER, { workerData: { tokenizer: tokenizerPath } }));
  const pending = new Map<number, { resolve: (r: Result) => void; reject: (e: Error) => void }>();
  const results: Array<Promise<Result>> = [];
  let failed: Error | undefined;
  for (const w of workers) {
    w.on("message", (m: Result & { id: number }) => (pending.get(m.id)?.resolve(m), pending.delete(m.id)));
    w.on("error", (e) => {
      failed = e;
      for (const p of pending.values()) p.reject(e);
      pending.clear();
    });
  }
  let nextId = 0;
  let applied = 0;
  const send = (text: Buffer, length: number) => {
    if (failed) throw failed;
    const id = nextId++;
    results.push(new Promise<Result>((resolve, reject) => pending.set(id, { resolve, reject })));
    // Each batch buffer owns its ArrayBuffer (allocUnsafeSlow never pools): moved to the worker, not copied.
    const ab = text.buffer as ArrayBuffer;
    workers[id % threads].postMessage({ id, text: ab, length }, [ab]);
  };
  const applyNext = async () => {
    const r = await results[applied];
    delete results[applied++]; // let the batch's memory go
    onBatch(r.ids, r.lengths, r.bases);
    await every();
  };
  try {
    let buf = Buffer.allocUnsafeSlow(BATCH_BYTES + (1 << 16));
    let used = 0;
    for (const lines of scanners) {
      try {
        while (lines.next()) {
          const n = lines.lineEnd - lines.lineStart;
          if (n === 0) continue;
          if (used + n + 1 > buf.length) {
            const bigger = Buffer.allocUnsafeSlow(Math.max(buf.length * 2, used + n + 1));
            buf.copy(bigger, 0, 0, used);
            buf = bigger;
          }
          lines.line.copy(buf, used, lines.lineStart, lines.lineEnd);
          used += n;
          buf[used++] = 10;
          if (used >= BATCH_BYTES) {
            send(buf, used - 1);
            buf = Buffer.allocUnsafeSlow(BATCH_BYTES + (1 << 16));
            used = 0;
            while (nextId - applied > 2 * threads) await applyNext();
          }
        }
      } finally {
        lines.close();
      }
    }
    if (used) send(buf, used - 1);
    while (applied < nextId) await applyNext();
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
