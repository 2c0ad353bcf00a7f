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
 * Encodes every non-empty line of the scanners with `threads` workers; `onSequence` receives each sequence's ids
 * ([CLS] … [SEP]) in input order, `onBases` each batch's base count, `every` is awaited after each batch (progress, backpressure, cancellation).
 */
export async function encodeLinesParallel(
  scanners: Iterable<LineSource>,
  tokenizerPath: string,
  threads: number,
  onSequence: (ids: Uint32Array) => void,
  onBases: (bases: number) => void,
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
  const send = (text: Buffer) => {
    if (failed) throw failed;
    const id = nextId++;
    const ab = text.buffer.slice(text.byteOffset, text.byteOffset + text.length) as ArrayBuffer;
    results.push(new Promise<Result>((resolve, reject) => pending.set(id, { resolve, reject })));
    workers[id % threads].postMessage({ id, text: ab }, [ab]);
  };
  const applyNext = async () => {
    const r = await results[applied];
    delete results[applied++]; // let the batch's memory go
    let at = 0;
    for (let i = 0; i < r.lengths.length; i++) {
      onSequence(r.ids.subarray(at, at + r.lengths[i]));
      at += r.lengths[i];
    }
    onBases(r.bases);
    await every();
  };
  try {
    let buf = Buffer.allocUnsafe(BATCH_BYTES + (1 << 16));
    let used = 0;
    for (const lines of scanners) {
      try {
        while (lines.next()) {
          const n = lines.lineEnd - lines.lineStart;
          if (n === 0) continue;
          if (used + n + 1 > buf.length) {
            const bigger = Buffer.allocUnsafe(Math.max(buf.length * 2, used + n + 1));
            buf.copy(bigger, 0, 0, used);
            buf = bigger;
          }
          lines.line.copy(buf, used, lines.lineStart, lines.lineEnd);
          used += n;
          buf[used++] = 10;
          if (used >= BATCH_BYTES) {
            send(buf.subarray(0, used - 1));
            buf = Buffer.allocUnsafe(BATCH_BYTES + (1 << 16));
            used = 0;
            while (nextId - applied > 2 * threads) await applyNext();
          }
        }
      } finally {
        lines.close();
      }
    }
    if (used) send(buf.subarray(0, used - 1));
    while (applied < nextId) await applyNext();
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
