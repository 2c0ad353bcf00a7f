// Reading a sharded artifact back: meta.json with its format checked (its lines: window-lines.ts).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { META_FILE } from "./artifact-meta.js";

/**
 * Reads `dir`/meta.json and checks its format against `formats` (the first is the one named in the message).
 * `what` names the artifact kind ("segments", "fragments", "token shards"); errors are made by `makeError`.
 */
export async function readArtifactMeta<T extends { format: string }>(
  dir: string,
  formats: readonly string[],
  what: string,
  makeError: (message: string) => Error = (m) => new Error(m),
): Promise<T> {
  const path = join(dir, META_FILE);
  let meta: T;
  try {
    meta = JSON.parse(await readFile(path, "utf8"));
  } catch (e) {
    throw makeError(`${path}: not a ${what} artifact (${(e as Error).message})`);
  }
  if (!formats.includes(meta.format)) throw makeError(`${path}: format '${meta.format}', expected '${formats.join("' or '")}'`);
  return meta;
}
