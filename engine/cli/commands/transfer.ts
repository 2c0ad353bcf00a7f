// dnaflow push / pull: move a pipeline's objects (or a whole store's) between a local store and an S3 store.
import { LayeredStore } from "../../../cache/layered-store.js";
import { SpecError } from "../../../core/errors.js";
import { formatBytes } from "../../spec/units.js";
import { load, storeFor, type CommonOptions } from "../context.js";

interface TransferOptions extends CommonOptions {
  to?: string;
  from?: string;
}

async function keysOf(file: string | undefined, opts: CommonOptions): Promise<{ local: string; keys: string[] }> {
  const local = storeFor(file, opts.store);
  if (!file) return { local: local.root, keys: [...local.publishedKeys()] };
  const { plan } = await load(file, { ...opts, store: local.root });
  return { local: local.root, keys: [...new Set(plan.entries.map((e) => e.key))] };
}

async function remote(url: string | undefined, flag: string, local: string): Promise<LayeredStore> {
  if (!url?.startsWith("s3://")) throw new SpecError([{ message: `${flag} needs an S3 store: s3://bucket/prefix` }]);
  try {
    return await LayeredStore.open(url, local);
  } catch (e) {
    throw new SpecError([{ message: (e as Error).message }]);
  }
}

export async function pushCmd(file: string | undefined, opts: TransferOptions): Promise<number> {
  const { local, keys } = await keysOf(file, opts);
  const store = await remote(opts.to, "--to", local);
  let pushed = 0;
  let bytes = 0;
  for (const key of keys) {
    const m = store.local.readManifest(key);
    if (!m) continue; // not made locally: nothing to push
    if ((await store.pushObject(key)) === "pushed") {
      pushed++;
      bytes += m.files.reduce((a, f) => a + f.size, 0);
    }
  }
  process.stdout.write(`pushed ${pushed} object(s), ${formatBytes(bytes)} to ${opts.to}; ${keys.length - pushed} already there or not made\n`);
  return 0;
}

export async function pullCmd(file: string | undefined, opts: TransferOptions): Promise<number> {
  const { local, keys } = await keysOf(file, opts);
  const store = await remote(opts.from, "--from", local);
  const remoteKeys = store.publishedKeys();
  let pulled = 0;
  for (const key of file ? keys : [...remoteKeys]) {
    if (store.hasObject(key) || !remoteKeys.has(key)) continue;
    await store.materialize(key); // verified file by file while downloading
    pulled++;
  }
  process.stdout.write(`pulled ${pulled} object(s) from ${opts.from} into ${local}\n`);
  return 0;
}
