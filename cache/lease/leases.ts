// Leases over a backend. A lease is stale when this runner has watched it stay unchanged for its TTL on its own
// monotonic clock: no comparison of wall clocks across machines, so clock skew cannot make a live lease look expired.
// On the owner's own host a dead owner process (pid + start time) is known at once, without waiting out the TTL.
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { LeaseBackend, LeaseOwner, LeaseRecord, LeaseVersion } from "./types.js";
import { sleep } from "../../lib/os/sleep.js";

export interface LeaseOptions {
  ttlMs: number;
  pollMs: number;
  /** Tells whether a process on this host is still the one that wrote an owner record. */
  isAlive(pid: number, pidStart?: string): boolean;
  pidStart?: string;
}

export type AcquireResult = { held: HeldLease } | { done: true };

const now = () => performance.now();
/** Full jitter: a uniform delay in [base/2, base], so runners that collided once do not collide in step again. */
const jitter = (ms: number) => ms / 2 + Math.random() * (ms / 2);

/** Heartbeat period: a third of the TTL, so two beats may be lost before anyone may call the lease silent. */
export const heartbeatMs = (ttlMs: number) => Math.max(50, ttlMs / 3);

export class Leases {
  readonly runner = `${hostname()}-${process.pid}-${randomBytes(4).toString("hex")}`;
  private readonly seen = new Map<string, { token: string; since: number }>();

  constructor(
    private readonly backend: LeaseBackend,
    readonly opts: LeaseOptions,
  ) {}

  recordFor(stage: string, beat: number): LeaseRecord {
    const owner: LeaseOwner = { runner: this.runner, host: hostname(), pid: process.pid, pidStart: this.opts.pidStart, stage };
    return { owner, beat, ttlMs: this.opts.ttlMs, heartbeat: new Date().toISOString() };
  }

  /** Why a lease may be taken over now, or undefined while it must be respected. */
  staleReason(key: string, v: LeaseVersion): string | undefined {
    const o = v.rec?.owner;
    if (o && o.runner === this.runner) return "ours from an earlier attempt";
    if (o && o.host === hostname() && !this.opts.isAlive(o.pid, o.pidStart)) return `its owner (pid ${o.pid} on this host) is gone`;
    const prev = this.seen.get(key);
    if (!prev || prev.token !== v.token) {
      this.seen.set(key, { token: v.token, since: now() });
      return undefined;
    }
    const ttl = v.rec ? Math.max(v.rec.ttlMs, this.opts.ttlMs) : this.opts.ttlMs;
    if (now() - prev.since < ttl) return undefined;
    return v.rec ? `no heartbeat from ${o!.host} (pid ${o!.pid}) for ${Math.round(ttl / 1000)} s` : "unreadable lease unchanged for its TTL";
  }

  /** The previous holder may have published just before letting go: check again once the lease is ours. */
  private async holdUnlessDone(key: string, stage: string, token: string, isDone: () => Promise<boolean>): Promise<AcquireResult> {
    const held = new HeldLease(this, this.backend, key, stage, token);
    if (!(await isDone())) return { held };
    await held.release();
    return { done: true };
  }

  /**
   * One non-blocking try: holds the lease if it is free or stale, `{done}` if the key is published, else `{busy}` naming
   * the holder. A runner calls it once it has a slot for the stage, and waits elsewhere (without the slot) when busy;
   * calling it again later keeps judging staleness by observation, as `acquire` does.
   */
  async tryAcquire(key: string, stage: string, opts: { isDone: () => Promise<boolean>; onWait(msg: string): void }): Promise<AcquireResult | { busy: string }> {
    for (let race = 0; race < 3; race++) {
      // Read first: a runner waiting on a live holder polls this, so a poll is one read and one isDone, nothing more
      // (on S3 a read is a listing and a GET; creating first would cost a second read per poll).
      let v = await this.backend.read(key);
      if (!v && this.seen.has(key)) {
        // It was held when we last looked. A filesystem lease is absent for the instant of a heartbeat's swap (rename
        // aside, link the new one): look again before calling it free, so a live owner is not mistaken for a release.
        await sleep(jitter(Math.min(100, this.opts.pollMs)));
        v = await this.backend.read(key);
      }
      if (await opts.isDone()) return { done: true };
      if (!v) {
        const created = await this.backend.create(key, this.recordFor(stage, 0));
        if (created) return this.holdUnlessDone(key, stage, created, opts.isDone);
        continue; // another runner created it between our read and create: look again
      }
      const stale = this.staleReason(key, v);
      if (!stale) return { busy: v.rec ? `${v.rec.owner.stage} on ${v.rec.owner.host} (pid ${v.rec.owner.pid})` : "an unreadable lease" };
      const token = await this.backend.replace(key, v.token, this.recordFor(stage, 0));
      if (token) {
        opts.onWait(`took over the lease: ${stale}`);
        return this.holdUnlessDone(key, stage, token, opts.isDone);
      }
    }
    return { busy: "another runner (the lease changed hands while we looked)" };
  }

  /**
   * Holds the key's lease, waiting while another live runner holds it: `tryAcquire` every ~`pollMs` (jittered, so
   * runners that collided once do not collide in step again). Resolves `{done}` when `isDone()` becomes true
   * meanwhile (the other runner published). `onWait` is called once per distinct holder.
   */
  async acquire(key: string, stage: string, opts: { signal: AbortSignal; isDone: () => Promise<boolean>; onWait(msg: string): void }): Promise<AcquireResult> {
    let told = "";
    for (;;) {
      opts.signal.throwIfAborted();
      const got = await this.tryAcquire(key, stage, opts);
      if (!("busy" in got)) return got;
      if (got.busy !== told) {
        opts.onWait(`held by ${got.busy}; waiting`);
        told = got.busy;
      }
      await sleep(jitter(this.opts.pollMs * 1.2), opts.signal);
    }
  }
}

/**
 * A held lease: heartbeats every TTL/3, each the next beat only after the last one finished (a slow store never piles
 * them up); `lost` aborts when another runner took it (the attempt must stop). `onBeat` work (checkpoint sync) runs
 * beside the heartbeats, never in their way: a long upload cannot silence the lease.
 */
export class HeldLease {
  private readonly controller = new AbortController();
  private readonly stopped = new AbortController();
  private beat = 0;
  private readonly loop: Promise<void>;
  private syncing?: Promise<void>;
  /** Called after a heartbeat (e.g. to sync the checkpoint directory to a remote store); skipped while one runs. */
  onBeat?: () => Promise<void>;

  constructor(
    private readonly leases: Leases,
    private readonly backend: LeaseBackend,
    readonly key: string,
    private readonly stage: string,
    private token: string,
  ) {
    this.loop = this.beatLoop();
  }

  get lost(): AbortSignal {
    return this.controller.signal;
  }

  /** Generation token of the last successful heartbeat (tests, diagnostics). */
  get version(): string {
    return this.token;
  }

  private async beatLoop(): Promise<void> {
    const period = heartbeatMs(this.leases.opts.ttlMs);
    let next = now() + period;
    while (!this.stopped.signal.aborted && !this.controller.signal.aborted) {
      await sleep(Math.max(0, next - now()), this.stopped.signal, true);
      if (this.stopped.signal.aborted) return;
      next = Math.max(next + period, now()); // fixed cadence; after a stall, beat at once rather than in a burst
      await this.renew();
    }
  }

  private async renew(): Promise<void> {
    try {
      const next = await this.backend.replace(this.key, this.token, this.leases.recordFor(this.stage, ++this.beat));
      if (!next) {
        this.controller.abort(new Error(`lost the lease on ${this.key.slice(0, 10)}: another runner took it over`));
        return;
      }
      this.token = next;
    } catch {
      return; // a failed heartbeat is retried at the next beat; only a lease that changed hands is lost
    }
    if (this.onBeat && !this.syncing) {
      this.syncing = this.onBeat()
        .catch(() => {}) // retried at a later beat
        .finally(() => (this.syncing = undefined));
    }
  }

  async release(): Promise<void> {
    this.stopped.abort();
    await this.loop;
    await this.syncing;
    if (!this.controller.signal.aborted) await this.backend.remove(this.key, this.token).catch(() => {});
  }
}
