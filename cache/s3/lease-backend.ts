// Leases on S3 with nothing but create-if-absent (If-None-Match: *), which every S3-compatible server we target
// enforces (Ceph RGW 16 does; it rejects If-Match on PUT). A lease is a sequence of generations
// leases/<key>/<000000000007>; writing generation n+1 succeeds for exactly one runner, so a heartbeat or a takeover
// is an atomic compare-and-swap on n. Release writes a "released" generation: numbering never restarts.
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { LeaseBackend, LeaseRecord, LeaseVersion } from "../lease/types.js";
import { httpStatus, type S3Location } from "./client.js";

const pad = (n: number) => String(n).padStart(12, "0");

interface Generation {
  n: number;
  rec?: LeaseRecord;
  released: boolean;
}

export class S3LeaseBackend implements LeaseBackend {
  constructor(private readonly s3: S3Client, private readonly loc: S3Location) {}

  private prefix(key: string): string {
    return `${this.loc.prefix ? this.loc.prefix + "/" : ""}leases/${key}/`;
  }

  private async latest(key: string): Promise<{ gen?: Generation; older: string[] }> {
    const r = await this.s3.send(new ListObjectsV2Command({ Bucket: this.loc.bucket, Prefix: this.prefix(key) }));
    const keys = (r.Contents ?? []).map((c) => c.Key!).filter((k) => /\/\d{12}$/.test(k)).sort();
    const last = keys.at(-1);
    if (!last) return { older: [] };
    const n = Number(last.slice(-12));
    let rec: LeaseRecord | undefined;
    let released = false;
    try {
      const body = await (await this.s3.send(new GetObjectCommand({ Bucket: this.loc.bucket, Key: last }))).Body!.transformToString();
      const parsed = JSON.parse(body);
      released = parsed?.released === true;
      rec = parsed?.owner && typeof parsed.beat === "number" ? parsed : undefined;
    } catch {
      rec = undefined; // garbage: judged stale by observation like any silent lease
    }
    return { gen: { n, rec, released }, older: keys.slice(0, -2) };
  }

  /** Writes generation n; false if it exists (someone else moved first). */
  private async write(key: string, n: number, body: unknown): Promise<boolean> {
    try {
      await this.s3.send(new PutObjectCommand({ Bucket: this.loc.bucket, Key: this.prefix(key) + pad(n), Body: JSON.stringify(body), IfNoneMatch: "*" }));
      return true;
    } catch (e) {
      if (httpStatus(e) === 412 || httpStatus(e) === 409) return false;
      throw e;
    }
  }

  private async prune(older: string[]): Promise<void> {
    if (!older.length) return;
    await this.s3.send(new DeleteObjectsCommand({ Bucket: this.loc.bucket, Delete: { Objects: older.map((Key) => ({ Key })) } })).catch(() => {});
  }

  async create(key: string, rec: LeaseRecord): Promise<string | undefined> {
    const { gen, older } = await this.latest(key);
    if (gen && !gen.released) return undefined;
    const n = gen ? gen.n + 1 : 0;
    if (!(await this.write(key, n, rec))) return undefined;
    await this.prune(older);
    return String(n);
  }

  async read(key: string): Promise<LeaseVersion | undefined> {
    const { gen } = await this.latest(key);
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
