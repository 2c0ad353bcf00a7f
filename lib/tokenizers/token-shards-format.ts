// The token shards artifact (written by tokenize/encode, memmapped by the Python worker):
//   tokens.bin  all token ids back to back, little-endian uint16 (uint32 when the vocab has > 65,535 tokens)
//   index.bin   count + 1 offsets, little-endian uint64, in tokens: row i is tokens[index[i] : index[i+1]]
//   labels.bin  (rows packing from a CSV with a label column) one little-endian int32 per row
//   meta.json   TokenShardsMeta below
import type { SpecialIds } from "./alphabet.js";

export const TOKEN_SHARDS_FORMAT = "dnaflow.tokens/1";
export const TOKENS_FILE = "tokens.bin";
export const INDEX_FILE = "index.bin";
export const LABELS_FILE = "labels.bin";
export { META_FILE } from "../sharded/artifact-meta.js";

export type TokenDtype = "uint16" | "uint32";
/** Token ids in their on-disk dtype. */
export type TokenIds = Uint16Array | Uint32Array;
export type Packing = "blocks" | "rows";

export interface TokenShardsMeta {
  format: typeof TOKEN_SHARDS_FORMAT;
  dtype: TokenDtype;
  indexDtype: "uint64";
  /** Rows (blocks or sequences). */
  count: number;
  totalTokens: number;
  vocabSize: number;
  specialIds: SpecialIds;
  specialTokens: string[];
  maxLength: number;
  packing: Packing;
  tokenizerKind: string;
  /** sha256 (hex) of the tokenizer.json bytes these ids come from. */
  tokenizerDigest: string;
  /** Input sequences encoded and their bases. */
  sequences: number;
  bases: number;
  /** blocks: tokens of the last partial block, dropped like RoBERTa's group_texts. */
  droppedTokens: number;
  /** rows: sequences cut to maxLength. */
  truncatedRows: number;
  /** Whether labels.bin exists. */
  labels: boolean;
}

export function dtypeForVocab(vocabSize: number): TokenDtype {
  return vocabSize > 65535 ? "uint32" : "uint16";
}
