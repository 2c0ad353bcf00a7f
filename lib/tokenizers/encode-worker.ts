// A worker thread of the parallel encoder (parallel-encode.ts): reads and encodes one task at a time (encode-task.ts)
// and moves the ids and row lengths back without a copy; the ids' buffer comes back once written, for a later task.
import { parentPort, workerData } from "node:worker_threads";
import type { SegmentTask } from "../segments/format.js";
import { EncodeScratch, encodeTask } from "./encode-task.js";
import type { EncodeWorkerData } from "./parallel-encode.js";
import { loadTokenizer } from "./tokenizer-file.js";

const data = workerData as EncodeWorkerData & { part: number; parts: number };
const { tokenizer } = await loadTokenizer(data.tokenizer);
if (data.shared) tokenizer.useSharedState!(data.shared);
tokenizer.prepare?.(data.bases, data.shared ? data.part : 0, data.shared ? data.parts : 1); // tasks queue meanwhile
const scratch = new EncodeScratch();

parentPort!.on("message", ({ id, task, recycle }: { id: number; task: SegmentTask; recycle?: ArrayBuffer }) => {
  if (recycle) return scratch.recycle(recycle);
  const r = encodeTask(tokenizer, task, data, scratch);
  const transfer: ArrayBuffer[] = [r.ids.buffer as ArrayBuffer];
  if (r.lengths) transfer.push(r.lengths.buffer as ArrayBuffer);
  parentPort!.postMessage({ id, ...r }, transfer);
});
