// dnaflow verify / gc: store maintenance.
import { collectGarbage } from "../../../cache/gc.js";
import { DigestCache } from "../../../cache/digest-cache.js";
import { LayeredStore } from "../../../cache/layered-store.js";
import type { Store } from "../../../cache/store.js";
import { verifyObject } from "../../../cache/verify.js";
import { SpecError } from "../../../core/errors.js";
import { isSameProcessAlive } from "../../executors/process-group.js";
import { formatBytes, parseDuration } from "../../spec/units.js";
import { load, openStore, storeFor, type CommonOptions } from "../context.js";

/** Full check (every byte rehashed) of the pipeline's objects, or of the whole store; corrupt ones are quarantined. */
export async function verifyCmd(file: string | undefined, opts: CommonOptions): Promise<number> {
  let keys: string[];
  let store: Store;
  if (file) {
    const loaded = await load(file, opts);
    store = loaded.store;
    // Every object of the pipeline that is on disk, also one whose manifest is unreadable (the plan counts it as absent).
    const listed = new Set(store.publishedKeys());
    keys = [...new Set(loaded.plan.entries.filter((e) => e.action === "cached" || listed.has(e.key)).map((e) => e.key))];
  } else {
    store = await openStore(undefined, opts);
    keys = [...store.publishedKeys()];
  }
  if (store instanceof LayeredStore) return verifyShared(store, keys, file === undefined);
  const digests = new DigestCache(store.statePath("digests.json"));
  let bad = 0;
  for (const key of keys) {
    const problems = await verifyObject(store, key, digests, { fresh: true });
    if (!problems.length) continue;
    bad++;
    await store.quarantine(key, problems.join("; "));
    process.stdout.write(`corrupt ${key.slice(0, 10)}: ${problems.join("; ")} — quarantined; the next run makes it again\n`);
  }
  digests.save();
  process.stdout.write(`verified ${keys.length} object(s): ${keys.length - bad} ok, ${bad} corrupt\n`);
  return bad ? 1 : 0;
}

/**
 * An S3 store: the object in S3 is what is judged, read byte for byte (streamed, whether or not the local cache has
 * it); only a confirmed mismatch unpublishes it. A corrupt copy in the local cache is only this machine's: it leaves
 * the cache and is downloaded again when needed. Then orphaned upload attempts are collected.
 */
async function verifyShared(store: LayeredStore, keys: string[], wholeStore: boolean): Promise<number> {
  const digests = new DigestCache(store.statePath("digests.json"));
  let bad = 0;
  let badLocal = 0;
  for (const key of keys) {
    if (store.local.hasObject(key)) {
      const local = await verifyObject(store.local, key, digests, { fresh: true });
      if (local.length) {
        badLocal++;
        await store.local.quarantine(key, local.join("; "));
        process.stdout.write(`corrupt local copy of ${key.slice(0, 10)}: ${local.join("; ")} — removed from the cache ${store.local.root}\n`);
      }
    }
    const problems = await store.checkRemote(key);
    if (!problems.length) continue;
    bad++;
    await store.quarantine(key, problems.join("; "));
    process.stdout.write(`corrupt ${key.slice(0, 10)} in ${store.location}: ${problems.join("; ")} — quarantined; the next run makes it again\n`);
  }
  digests.save();
  let collected = 0;
  for (const key of wholeStore ? await store.keysWithAttempts() : keys) collected += await store.collectAttempts(key);
  const localOnly = store.localOnlyKeys().filter((k) => wholeStore || keys.includes(k)).length;
  process.stdout.write(
    `verified ${keys.length} object(s) in ${store.location}: ${keys.length - bad} ok, ${bad} corrupt` +
      `${badLocal ? `; ${badLocal} corrupt local cop${badLocal === 1 ? "y" : "ies"} removed` : ""}` +
      `${collected ? `; ${collected} orphaned upload attempt(s) deleted` : ""}` +
      `${localOnly ? `; ${localOnly} object(s) only in the local cache (not published: the next run uploads them)` : ""}\n`,
  );
  return bad || badLocal ? 1 : 0;
}

export async function gcCmd(file: string | undefined, opts: { store?: string; dryRun?: boolean; keepLast?: string; olderThan?: string }): Promise<number> {
  const store = storeFor(file, opts.store);
  const keepLast = Number(opts.keepLast ?? 1);
  const olderThanMs = parseDuration(opts.olderThan ?? "1h");
  if (!Number.isInteger(keepLast) || keepLast < 1) throw new SpecError([{ message: `--keep-last must be an integer >= 1, got '${opts.keepLast}'` }]);
  if (olderThanMs === undefined) throw new SpecError([{ message: `--older-than: cannot read '${opts.olderThan}' (e.g. 30m, 7d)` }]);
  const r = await collectGarbage(store, { dryRun: !!opts.dryRun, keepLast, olderThanMs, isAlive: isSameProcessAlive });
  for (const x of r.removed) process.stdout.write(`${opts.dryRun ? "would remove" : "removed"} ${x.key.slice(0, 10)} ${formatBytes(x.bytes)}\n`);
  for (const x of r.checkpointsRemoved)
    process.stdout.write(`${opts.dryRun ? "would remove" : "removed"} checkpoint ${x.key.slice(0, 10)} ${formatBytes(x.bytes)}\n`);
  process.stdout.write(
    `${opts.dryRun ? "would free" : "freed"} ${formatBytes(r.bytes)}: ${r.removed.length} object(s), ${r.attemptsRemoved} stale attempt(s), ${r.checkpointsRemoved.length} checkpoint(s); ${r.roots} key(s) kept as roots of the last ${keepLast} complete run(s) per pipeline and any newer run\n`,
  );
  return 0;
}
