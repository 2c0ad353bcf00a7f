// A worker thread of the parallel encoder (parallel-encode.ts): encodes batches of newline-separated sequences with
// [CLS]/[SEP] and sends back the ids and each sequence's token count.
import { parentPort, workerData } from "node:worker_threads";
import { IdBuffer } from "./id-buffer.js";
import { loadTokenizer } from "./tokenizer-file.js";
import { encodeBytesWithSpecials } from "./tokenizer.js";

const { tokenizer } = await loadTokenizer((workerData as { tokenizer: string }).tokenizer);
const ids = new IdBuffer(1 << 20);

parentPort!.on("message", ({ id, text, length }: { id: number; text: ArrayBuffer; length: number }) => {
  const b = Buffer.from(text, 0, length);
  ids.clear();
  const lens: number[] = [];
  let bases = 0;
  for (let start = 0; start < b.length;) {
    let nl = b.indexOf(10, start);
    if (nl < 0) nl = b.length;
    const before = ids.length;
    encodeBytesWithSpecials(tokenizer, b, start, nl, ids);
    lens.push(ids.length - before);
    bases += nl - start;
    start = nl + 1;
  }
  const out = ids.data.slice(0, ids.length);
  const lengths = Uint32Array.from(lens);
  parentPort!.postMessage({ id, ids: out, lengths, bases }, [out.buffer, lengths.buffer]);
});
