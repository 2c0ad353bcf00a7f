// A remote store (S3) seen through a local cache directory. Stages always read and write local paths; what is
// published goes to S3 too, what another machine published is downloaded (and verified) when a stage consumes it,
// leases live in S3 so runners on different machines coordinate, and checkpoints follow the lease's heartbeat.
//
// An object is published when its manifest is in S3, never merely because the local cache has it: the cache can hold
// an object whose upload failed (an S3 outage at publish). Such a local-only object is not "cached" for planning
// (publishedKeys, hasObject), and the next runner that needs it uploads it (isPublished) instead of trusting it.
import { mkdirSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { fsyncDir, writeFileAtomic } from "./atomic.js";
import { FsStore, defaultLeaseOptions } from "./fs-store.js";
import { S3Layout } from "./layout.js";
import { Leases } from "./lease/leases.js";
import type { Manifest } from "./manifest.js";
import { explainS3Error, makeClient, parseS3Url, type S3Location } from "./s3/client.js";
import { S3LeaseBackend } from "./s3/lease-backend.js";
import { S3Remote } from "./s3/remote.js";
import { CorruptObject } from "./verify.js";
import { listProgressS3, removeProgressS3, writeProgressS3 } from "./progress-s3.js";
import type { ProgressRecord } from "./progress.js";
import type { RunLog } from "./runs.js";
import type { Attempt, AttemptStore, Store } from "./store.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How long a publish keeps retrying a failed upload before the stage fails ($DNAFLOW_S3_PUBLISH_PATIENCE seconds). */
const publishPatienceMs = () => Number(process.env.DNAFLOW_S3_PUBLISH_PATIENCE || 300) * 1000;
/** Upload attempts nobody points at are deleted once this old ($DNAFLOW_S3_ORPHAN_GRACE seconds). */
const orphanGraceMs = () => Number(process.env.DNAFLOW_S3_ORPHAN_GRACE || 3600) * 1000;

export class LayeredStore implements Store {
  readonly leases: Leases;
  private remoteKeys = new Set<string>();
  private readonly remote: S3Remote;
  private readonly loc: S3Location;
  /** One for the store's lifetime: lease waiters and heartbeats name keys through it on every poll. */
  private readonly layout: S3Layout;
  private readonly leaseBackend: S3LeaseBackend;
  /** Checkpoint syncs in flight, and keys whose checkpoints were cleared (a late sync must not bring them back). */
  private readonly syncs = new Map<string, Promise<void>>();
  private readonly cleared = new Set<string>();

  private constructor(
    readonly local: FsStore,
    url: string,
  ) {
    this.loc = parseS3Url(url);
    this.layout = new S3Layout(this.loc.prefix);
    this.remote = new S3Remote(makeClient(), this.loc, this.layout);
    this.leaseBackend = new S3LeaseBackend(this.remote.s3, this.loc, this.layout);
    this.leases = new Leases(this.leaseBackend, defaultLeaseOptions());
    this.runs = local.runs;
    this.attempts = local.attempts;
  }

  /** Opens the store and lists what is published remotely (one cheap listing of manifests). */
  static async open(url: string, cacheDir: string): Promise<LayeredStore> {
    const s = new LayeredStore(new FsStore(cacheDir), url);
    await s.refresh();
    return s;
  }

  readonly runs: RunLog;
  /** Attempts run in the local cache: only what they publish goes to S3. */
  readonly attempts: AttemptStore;

  get location(): string {
    return this.loc.url;
  }

  private wrap<T>(p: Promise<T>): Promise<T> {
    return p.catch((e) => {
      throw e instanceof CorruptObject ? e : explainS3Error(e, this.loc);
    });
  }

  async refresh(): Promise<void> {
    this.remoteKeys = await this.wrap(this.remote.publishedKeys());
  }

  /** What is in S3 (as listed at open, plus what this process published or found since). */
  publishedKeys(): Set<string> {
    return new Set(this.remoteKeys);
  }

  /** In the local cache and known to be in S3. */
  hasObject(key: string): boolean {
    return this.remoteKeys.has(key) && this.local.hasObject(key);
  }

  /** Keys the local cache holds that S3 was not known to have at open (an upload that failed): the next use uploads them. */
  localOnlyKeys(): string[] {
    return [...this.local.publishedKeys()].filter((k) => !this.remoteKeys.has(k));
  }

  /**
   * Whether S3 has the object. A copy only in the local cache is uploaded now (verified byte for byte on the way):
   * then it is published; a corrupt local copy is set aside and the key is not published.
   */
  async isPublished(key: string): Promise<boolean> {
    if (await this.wrap(this.remote.has(key))) {
      this.remoteKeys.add(key);
      return true;
    }
    if (!this.local.hasObject(key)) return false;
    try {
      await this.uploadLocal(key);
      return true;
    } catch (e) {
      if (!(e instanceof CorruptObject)) throw e;
      await this.local.quarantine(key, e.message);
      return false;
    }
  }

  /** Downloads a remote object into the local cache, verified file by file, and publishes it there atomically. */
  async materialize(key: string): Promise<void> {
    if (this.local.hasObject(key)) return;
    const m = await this.wrap(this.remote.manifest(key));
    if (!m) throw new Error(`object ${key.slice(0, 10)} is not in ${this.loc.url}`);
    this.remoteKeys.add(key);
    const fs = this.local.layout;
    const tmp = fs.attempt(key, `pull-${randomBytes(3).toString("hex")}`);
    mkdirSync(fs.attemptOut(tmp), { recursive: true });
    try {
      await this.wrap(this.remote.download(m, fs.attemptOut(tmp)));
      writeFileAtomic(fs.attemptManifest(tmp), JSON.stringify(m, null, 1));
      fsyncDir(tmp);
      await rename(tmp, fs.object(key)).catch((e) => {
        if (!this.local.hasObject(key)) throw e; // else another process pulled it first
      });
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /**
   * Checks the S3 copy of an object byte for byte (streamed, nothing written): its problems, empty when intact. A
   * network failure throws: nothing is judged from an error.
   */
  async checkRemote(key: string): Promise<string[]> {
    try {
      const m = await this.wrap(this.remote.manifest(key));
      if (!m) return [];
      await this.wrap(this.remote.download(m));
      return [];
    } catch (e) {
      if (e instanceof CorruptObject) return [e.message];
      throw e;
    }
  }

  outputPath(key: string, output: string): string {
    return this.local.outputPath(key, output);
  }

  readManifest(key: string): Manifest | undefined {
    return this.local.readManifest(key);
  }

  /**
   * Publishes into the local cache, then to S3 (files first, manifest last and only if absent), retrying a failed
   * upload with jittered exponential backoff for $DNAFLOW_S3_PUBLISH_PATIENCE seconds. Resolves only once S3 has the
   * object; otherwise throws, and the stage fails (its checkpoints are kept; the next run uploads the cached copy).
   */
  async publish(attempt: Attempt, manifest: Manifest): Promise<"published" | "exists"> {
    const local = await this.local.publish(attempt, manifest);
    const remote = await this.uploadLocal(attempt.key);
    return local === "exists" || remote === "exists" ? "exists" : "published";
  }

  /** Uploads the local cache's copy of a key, retrying transient failures; CorruptObject if that copy is damaged. */
  private async uploadLocal(key: string): Promise<"published" | "exists"> {
    const m = this.local.readManifest(key);
    if (!m) throw new Error(`object ${key.slice(0, 10)} is not in the local cache ${this.local.root}`);
    const deadline = performance.now() + publishPatienceMs();
    for (let n = 0; ; n++) {
      try {
        const r = await this.remote.upload(m, this.local.layout.objectOut(key));
        this.remoteKeys.add(key);
        await this.remote.collectAttempts(key, orphanGraceMs(), async () => true).catch(() => 0);
        return r;
      } catch (e) {
        if (e instanceof CorruptObject) throw e;
        const delay = Math.min(30_000, 1000 * 2 ** n) * (0.5 + Math.random() / 2);
        if (performance.now() + delay > deadline) {
          throw new Error(
            `${explainS3Error(e, this.loc).message} — the upload of ${key.slice(0, 10)} failed for ${Math.round(publishPatienceMs() / 1000)} s, so it is not published (the local cache keeps a copy the next run uploads; checkpoints are kept)`,
          );
        }
        process.stderr.write(
          `dnaflow: uploading ${key.slice(0, 10)} to ${this.loc.url} failed (${explainS3Error(e, this.loc).message}); retrying in ${(delay / 1000).toFixed(1)} s\n`,
        );
        await sleep(delay);
      }
    }
  }

  checkpointDir(key: string): string {
    return this.local.checkpointDir(key);
  }

  tensorboardDir(key: string): string | undefined {
    return this.local.tensorboardDir(key);
  }

  /** A corrupt object is set aside here and unpublished in S3 (its files deleted), so every runner makes it again. */
  async quarantine(key: string, reason: string): Promise<void> {
    if (this.local.hasObject(key)) await this.local.quarantine(key, reason);
    await this.wrap(this.remote.unpublish(key));
    this.remoteKeys.delete(key);
  }

  /** Deletes upload attempts of `key` in S3 that no manifest points at and nobody can still be writing. */
  collectAttempts(key: string, graceMs = orphanGraceMs()): Promise<number> {
    return this.wrap(this.remote.collectAttempts(key, graceMs, async () => !!(await this.leaseBackend.read(key))));
  }

  /** Keys with upload attempts in S3, published or not (for a sweep of orphans). */
  keysWithAttempts(): Promise<Set<string>> {
    return this.wrap(this.remote.keysWithAttempts());
  }

  removeObject(key: string): Promise<number> {
    return this.local.removeObject(key);
  }

  statePath(name: string): string {
    return this.local.statePath(name);
  }

  /** The S3 URI of a published output (or of a file inside it), or undefined when its manifest is not in the cache. */
  outputUri(key: string, output: string, file?: string): string | undefined {
    const attempt = this.local.readManifest(key)?.attempt;
    if (!attempt) return undefined;
    return `s3://${this.loc.bucket}/${this.layout.output(key, attempt, output)}${file ? `/${file}` : ""}`;
  }

  /** Uploads a locally published object unless the remote has it: "pushed" or "present". */
  async pushObject(key: string): Promise<"pushed" | "present"> {
    if (this.remoteKeys.has(key) || (await this.wrap(this.remote.has(key)))) return "present";
    const m = this.local.readManifest(key);
    if (!m) throw new Error(`object ${key.slice(0, 10)} is not in the local store`);
    const r = await this.wrap(this.remote.upload(m, this.local.layout.objectOut(key)));
    this.remoteKeys.add(key);
    return r === "published" ? "pushed" : "present";
  }

  async pushCheckpoint(key: string): Promise<void> {
    if (this.cleared.has(key) || this.syncs.has(key)) return this.syncs.get(key);
    const p = this.wrap(this.remote.pushCheckpoint(key, this.local.checkpointDir(key))).finally(() => this.syncs.delete(key));
    this.syncs.set(key, p);
    return p;
  }

  /** Waits for a checkpoint sync in flight first, so it cannot re-upload what was just deleted. */
  async clearCheckpoint(key: string): Promise<void> {
    this.cleared.add(key);
    await this.syncs.get(key)?.catch(() => {});
    await this.local.clearCheckpoint(key);
    await this.wrap(this.remote.clearCheckpoint(key));
  }

  async pullCheckpoint(key: string): Promise<void> {
    this.cleared.delete(key); // a new attempt (e.g. a repair): its checkpoints sync again
    await this.wrap(this.remote.pullCheckpoint(key, this.local.checkpointDir(key)));
  }

  // Progress records live in S3 so a watcher on any machine sees them (cache/progress-s3.ts).
  writeProgress(rec: ProgressRecord): Promise<void> {
    return this.wrap(writeProgressS3(this.remote.s3, this.loc, this.layout, rec));
  }

  removeProgress(key: string): Promise<void> {
    return this.wrap(removeProgressS3(this.remote.s3, this.loc, this.layout, key));
  }

  listProgress(): Promise<ProgressRecord[]> {
    return this.wrap(listProgressS3(this.remote.s3, this.loc, this.layout));
  }
}
