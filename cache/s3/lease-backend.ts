// Leases on S3 with nothing but create-if-absent (If-None-Match: *), which every S3-compatible server we target
// enforces (Ceph RGW 16 does; it rejects If-Match on PUT). A lease is a sequence of generations
// <lease(key)>/<000000000007> (cache/layout.ts); writing generation n+1 succeeds for exactly one runner, so a heartbeat or a takeover
// is an atomic compare-and-swap on n. Release writes a "released" generation: numbering never restarts.
//
// Old generations are pruned (only the newest two are kept), so a lease held for days stays two small objects and the
// newest is found with one listing page. Pruning frees slots below the newest, and a runner whose view is stale could
// create one of those again; so every write is confirmed by listing: it counts only if no higher generation exists.
// The newest generation is never deleted, which makes that check sound. Listings are paginated all the same (a
// store left by an older dnaflow may hold thousands of generations; they are pruned on the next write).
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { S3Layout } from "../layout.js";
import type { LeaseBackend, LeaseRecord, LeaseVersion } from "../lease/types.js";
import { httpStatus, type S3Location } from "./client.js";

const pad = (n: number) => String(n).padStart(12, "0");
const GENERATION = /\/(\d{12})$/;

interface Generation {
  n: number;
  rec?: LeaseRecord;
  released: boolean;
}

export class S3LeaseBackend implements LeaseBackend {
  private readonly pruning = new Set<string>();

  /** Made once here, not per request: a waiter polls prefix() on every tick. */
  constructor(
    private readonly s3: S3Client,
    private readonly loc: S3Location,
    private readonly layout = new S3Layout(loc.prefix),
  ) {}

  private prefix(key: string): string {
    return `${this.layout.lease(key)}/`;
  }

  /** Generation numbers present, ascending (every page: never judged from a partial listing). */
  async generations(key: string): Promise<number[]> {
    const out: number[] = [];
    let token: string | undefined;
    do {
      const r = await this.s3.send(new ListObjectsV2Command({ Bucket: this.loc.bucket, Prefix: this.prefix(key), ContinuationToken: token }));
      for (const c of r.Contents ?? []) {
        const m = GENERATION.exec(c.Key!);
        if (m) out.push(Number(m[1]));
      }
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
    return out.sort((a, b) => a - b);
  }

  private async latest(key: string): Promise<Generation | undefined> {
    for (let tries = 0; ; tries++) {
      const n = (await this.generations(key)).at(-1);
      if (n === undefined) return undefined;
      let body: string;
      try {
        body = await (await this.s3.send(new GetObjectCommand({ Bucket: this.loc.bucket, Key: this.prefix(key) + pad(n) }))).Body!.transformToString();
      } catch (e) {
        // Pruned between the listing and the read: two newer generations exist now, so list again.
        if (httpStatus(e) === 404 && tries < 50) continue;
        throw e;
      }
      try {
        const parsed = JSON.parse(body);
        const rec = parsed?.owner && typeof parsed.beat === "number" ? (parsed as LeaseRecord) : undefined;
        return { n, rec, released: parsed?.released === true };
      } catch {
        return { n, released: false }; // garbage: judged stale by observation like any silent lease
      }
    }
  }

  /** Writes generation n and confirms it is the newest; false if someone else moved first. */
  private async write(key: string, n: number, body: unknown): Promise<boolean> {
    try {
      await this.s3.send(new PutObjectCommand({ Bucket: this.loc.bucket, Key: this.prefix(key) + pad(n), Body: JSON.stringify(body), IfNoneMatch: "*" }));
    } catch (e) {
      if (httpStatus(e) === 412 || httpStatus(e) === 409) return false;
      throw e;
    }
    const gens = await this.generations(key);
    if (gens.some((g) => g > n)) return false; // we re-created a pruned slot: the lease had moved on (ours is pruned later)
    // In the background (a write's latency is the lease's), and one prune per key at a time: a store left with
    // thousands of generations is not asked to delete them again at every heartbeat while the first pass runs.
    const old = gens.filter((g) => g < n - 1);
    if (old.length && !this.pruning.has(key)) {
      this.pruning.add(key);
      void this.prune(key, old).finally(() => this.pruning.delete(key));
    }
    return true;
  }

  private async prune(key: string, old: number[]): Promise<void> {
    for (let i = 0; i < old.length; i += 1000) {
      const Objects = old.slice(i, i + 1000).map((g) => ({ Key: this.prefix(key) + pad(g) }));
      // Best effort: what is left now is pruned by a later write.
      await this.s3.send(new DeleteObjectsCommand({ Bucket: this.loc.bucket, Delete: { Objects, Quiet: true } })).catch(() => {});
    }
  }

  async create(key: string, rec: LeaseRecord): Promise<string | undefined> {
    const gen = await this.latest(key);
    if (gen && !gen.released) return undefined;
    const n = gen ? gen.n + 1 : 0;
    return (await this.write(key, n, rec)) ? String(n) : undefined;
  }

  async read(key: string): Promise<LeaseVersion | undefined> {
    const gen = await this.latest(key);
    if (!gen || gen.released) return undefined;
    return { token: String(gen.n), rec: gen.rec };
  }

  async replace(key: string, token: string, rec: LeaseRecord): Promise<string | undefined> {
    const n = Number(token) + 1;
    return (await this.write(key, n, rec)) ? String(n) : undefined;
  }

  async remove(key: string, token: string): Promise<void> {
    await this.write(key, Number(token) + 1, { released: true, at: new Date().toISOString() });
  }
}
