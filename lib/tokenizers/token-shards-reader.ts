// Reads token shards back (tests, tools) and checks that they pair with a given tokenizer: a digest mismatch is an
// error, never a silent mix of vocabularies.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { readArtifactMeta } from "../sharded/reader.js";
import { loadTokenizer } from "./tokenizer-file.js";
import { INDEX_FILE, META_FILE, TOKEN_SHARDS_FORMAT, TOKENS_FILE, type TokenShardsMeta } from "./token-shards-format.js";

export class TokenShardsError extends Error {
  override name = "TokenShardsError";
}

export async function readTokenShardsMeta(dir: string): Promise<TokenShardsMeta> {
  return readArtifactMeta<TokenShardsMeta>(dir, [TOKEN_SHARDS_FORMAT], "token shards", (m) => new TokenShardsError(m));
}

/** Throws unless the shards were encoded with exactly this tokenizer.json (sha256 of its bytes). */
export async function verifyShardsTokenizer(shardsDir: string, tokenizerPath: string): Promise<TokenShardsMeta> {
  const meta = await readTokenShardsMeta(shardsDir);
  const { digest, path } = await loadTokenizer(tokenizerPath);
  if (digest !== meta.tokenizerDigest) {
    throw new TokenShardsError(
      `${join(shardsDir, META_FILE)}: tokenizerDigest ${meta.tokenizerDigest.slice(0, 12)}… does not match ${path} (sha256 ${digest.slice(0, 12)}…): these shards were encoded with another tokenizer`,
    );
  }
  return meta;
}

/** Every row as a Uint32Array (loads the files whole: for tests and small artifacts). */
export async function readTokenRows(dir: string): Promise<Uint32Array[]> {
  const meta = await readTokenShardsMeta(dir);
  const tb = await readFile(join(dir, TOKENS_FILE));
  const ib = await readFile(join(dir, INDEX_FILE));
  const index = new BigUint64Array(ib.buffer, ib.byteOffset, ib.byteLength / 8);
  if (index.length !== meta.count + 1)
    throw new TokenShardsError(`${join(dir, INDEX_FILE)}: ${index.length} offsets, meta.count ${meta.count} needs ${meta.count + 1}`);
  const width = meta.dtype === "uint16" ? 2 : 4;
  const tokens = width === 2 ? new Uint16Array(tb.buffer, tb.byteOffset, tb.byteLength / 2) : new Uint32Array(tb.buffer, tb.byteOffset, tb.byteLength / 4);
  if (tokens.length !== meta.totalTokens)
    throw new TokenShardsError(`${join(dir, TOKENS_FILE)}: ${tokens.length} tokens, meta.totalTokens ${meta.totalTokens}`);
  const rows: Uint32Array[] = [];
  for (let i = 0; i < meta.count; i++) rows.push(Uint32Array.from(tokens.subarray(Number(index[i]), Number(index[i + 1]))));
  return rows;
}
