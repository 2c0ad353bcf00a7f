// dnaflow verify / gc: store maintenance.
import { collectGarbage } from "../../../cache/gc.js";
import { DigestCache } from "../../../cache/digest-cache.js";
import { verifyObject } from "../../../cache/verify.js";
import { SpecError } from "../../errors.js";
import { isSameProcessAlive } from "../../executors/process-group.js";
import { formatBytes, parseDuration } from "../../spec/units.js";
import { load, storeFor, type CommonOptions } from "../context.js";

/** Full check (every byte rehashed) of the pipeline's objects, or of the whole store; corrupt ones are quarantined. */
export async function verifyCmd(file: string | undefined, opts: CommonOptions): Promise<number> {
  let keys: string[];
  let store;
  if (file) {
    const loaded = await load(file, opts);
    store = loaded.store;
    // Every object of the pipeline that is on disk, also one whose manifest is unreadable (the plan counts it as absent).
    const listed = new Set(store.publishedKeys());
    keys = [...new Set(loaded.plan.entries.filter((e) => e.action === "cached" || listed.has(e.key)).map((e) => e.key))];
  } else {
    store = storeFor(undefined, opts.store);
    keys = [...store.publishedKeys()];
  }
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

export async function gcCmd(file: string | undefined, opts: { store?: string; dryRun?: boolean; keepLast?: string; olderThan?: string }): Promise<number> {
  const store = storeFor(file, opts.store);
  const keepLast = Number(opts.keepLast ?? 1);
  const olderThanMs = parseDuration(opts.olderThan ?? "1h");
  if (!Number.isInteger(keepLast) || keepLast < 1) throw new SpecError([{ message: `--keep-last must be an integer >= 1, got '${opts.keepLast}'` }]);
  if (olderThanMs === undefined) throw new SpecError([{ message: `--older-than: cannot read '${opts.olderThan}' (e.g. 30m, 7d)` }]);
  const r = await collectGarbage(store, { dryRun: !!opts.dryRun, keepLast, olderThanMs, isAlive: isSameProcessAlive });
  for (const x of r.removed) process.stdout.write(`${opts.dryRun ? "would remove" : "removed"} ${x.key.slice(0, 10)} ${formatBytes(x.bytes)}\n`);
  process.stdout.write(
    `${opts.dryRun ? "would free" : "freed"} ${formatBytes(r.bytes)}: ${r.removed.length} object(s), ${r.attemptsRemoved} stale attempt(s); ${r.roots} key(s) kept as roots of the last ${keepLast} run(s) per pipeline\n`,
  );
  return 0;
}
