// Checks a published object against its manifest: every file present, same size, same sha256.
import { realpathSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative } from "node:path";
import type { DigestCache } from "./digest-cache.js";
import type { ObjectStore } from "./store.js";

/** A published object whose bytes do not match its manifest (found while downloading or reading it). */
export class CorruptObject extends Error {
  override name = "CorruptObject";
}

/** Problems found (empty when intact). `outputs` limits the check to what a consumer reads. */
export async function verifyObject(
  store: ObjectStore,
  key: string,
  digests: DigestCache,
  opts: { fresh?: boolean; outputs?: string[] } = {},
): Promise<string[]> {
  const m = store.readManifest(key);
  if (!m) return ["manifest missing or unreadable"];
  const problems: string[] = [];
  for (const f of m.files) {
    const output = f.path.split("/")[0];
    if (opts.outputs && !opts.outputs.includes(output)) continue;
    const abs = join(store.outputPath(key, output), f.path.slice(output.length + 1));
    const st = statSync(abs, { throwIfNoEntry: false });
    const outside = st && escapesObject(abs, dirname(store.outputPath(key, output)));
    if (!st) problems.push(`${f.path}: missing`);
    else if (outside) problems.push(`${f.path}: a symbolic link to ${outside}, outside the object (its bytes are not in the store)`);
    else if (st.size !== f.size) problems.push(`${f.path}: size ${st.size}, manifest says ${f.size}`);
    else if ((await digests.digest(abs, { fresh: opts.fresh })) !== f.sha256) problems.push(`${f.path}: sha256 differs from the manifest`);
  }
  return problems;
}

/** The real path of `abs` when a symbolic link takes it outside `outDir`, else undefined. */
function escapesObject(abs: string, outDir: string): string | undefined {
  const real = realpathSync(abs);
  const rel = relative(realpathSync(outDir), real);
  return rel.startsWith("..") || isAbsolute(rel) ? real : undefined;
}

/** Makes a published object readable here (a remote store downloads it) and checks what a consumer reads of it. */
export async function materializeAndVerify(store: ObjectStore, key: string, digests: DigestCache, output: string): Promise<string[]> {
  try {
    await store.materialize(key);
    return await verifyObject(store, key, digests, { outputs: [output] });
  } catch (err) {
    if (err instanceof CorruptObject) return [err.message];
    throw err;
  }
}
