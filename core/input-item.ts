// One artifact bound to a stage input, as builtins and the report library see it.
import type { MatrixCoords } from "./instance-id.js";

/** One upstream artifact bound to an input: a file or directory, read-only. */
export interface InputItem {
  /** Absolute path of the file or directory. Never write to it. */
  path: string;
  /** Stage instance id that produced it (e.g. "segment" or "tokenize[kind=bpe]"); undefined for external files. */
  from?: string;
  /** Matrix coordinates of the producing instance ({} when it has none). */
  matrix: MatrixCoords;
}
