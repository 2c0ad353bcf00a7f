// Objects and checkpoints in S3. Layout under the prefix:
//   manifests/<key>.json                      published objects: one small object each, so listing keys is cheap
//   objects/<key>/<attempt>/out/<path>        the files a manifest lists; uploaded first, under the attempt's id
//   checkpoints/<key>/<path>                  a copy of the stage's checkpoint directory, synced at each heartbeat
//   quarantine/<key>.<time>.json              manifests of objects found corrupt
// A manifest is written last and only if none exists (If-None-Match: *), so an object appears whole or not at all,
// and two runners racing on the same key never mix files: each uploads under its own attempt id.
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, mkdirSync, readdirSync, renameSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Manifest } from "../manifest.js";
import { CorruptObject } from "../verify.js";
import { httpStatus, type S3Location } from "./client.js";


export class S3Remote {
  constructor(readonly s3: S3Client, readonly loc: S3Location) {}

  private k(...parts: string[]): string {
    return [this.loc.prefix, ...parts].filter(Boolean).join("/");
  }

  private async listAll(prefix: string): Promise<Array<{ key: string; size: number }>> {
    const out: Array<{ key: string; size: number }> = [];
    let token: string | undefined;
    do {
      const r = await this.s3.send(new ListObjectsV2Command({ Bucket: this.loc.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const c of r.Contents ?? []) out.push({ key: c.Key!, size: c.Size ?? 0 });
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  async publishedKeys(): Promise<Set<string>> {
    const base = this.k("manifests") + "/";
    return new Set((await this.listAll(base)).map((o) => o.key.slice(base.length).replace(/\.json$/, "")));
  }

  async has(key: string): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.loc.bucket, Key: this.k("manifests", `${key}.json`) }));
      return true;
    } catch (e) {
      if (httpStatus(e) === 404) return false;
      throw e;
    }
  }

  async manifest(key: string): Promise<Manifest | undefined> {
    try {
      const r = await this.s3.send(new GetObjectCommand({ Bucket: this.loc.bucket, Key: this.k("manifests", `${key}.json`) }));
      return JSON.parse(await r.Body!.transformToString());
    } catch (e) {
      if (httpStatus(e) === 404) return undefined;
      if (e instanceof SyntaxError) throw new CorruptObject(`manifest of ${key.slice(0, 10)} is not JSON`);
      throw e;
    }
  }

  /** Downloads every file of the object into `outDir` (its out/ tree), checking size and sha256 as it streams. */
  async download(m: Manifest, outDir: string): Promise<void> {
    for (const f of m.files) {
      const dest = join(outDir, f.path);
      mkdirSync(dirname(dest), { recursive: true });
      const r = await this.s3.send(new GetObjectCommand({ Bucket: this.loc.bucket, Key: this.k("objects", m.key, m.attempt, "out", f.path) })).catch((e) => {
        if (httpStatus(e) === 404) throw new CorruptObject(`${f.path}: missing in the remote object`);
        throw e;
      });
      const hash = createHash("sha256");
      let size = 0;
      const body = r.Body as Readable;
      body.on("data", (c: Buffer) => (hash.update(c), (size += c.length)));
      await pipeline(body, createWriteStream(dest));
      if (size !== f.size) throw new CorruptObject(`${f.path}: ${size} bytes downloaded, manifest says ${f.size} (truncated remote object)`);
      if (hash.digest("hex") !== f.sha256) throw new CorruptObject(`${f.path}: sha256 of the remote copy differs from the manifest`);
    }
  }

  /** Uploads an object's files (multipart when large), then its manifest if none exists. */
  async upload(m: Manifest, outDir: string): Promise<"published" | "exists"> {
    for (const f of m.files) {
      await new Upload({
        client: this.s3,
        params: { Bucket: this.loc.bucket, Key: this.k("objects", m.key, m.attempt, "out", f.path), Body: createReadStream(join(outDir, f.path)) },
        partSize: 16 << 20,
        queueSize: 2,
      }).done();
    }
    try {
      await this.s3.send(new PutObjectCommand({ Bucket: this.loc.bucket, Key: this.k("manifests", `${m.key}.json`), Body: JSON.stringify(m, null, 1), IfNoneMatch: "*" }));
      return "published";
    } catch (e) {
      if (httpStatus(e) !== 412) throw e;
      await this.deletePrefix(this.k("objects", m.key, m.attempt) + "/"); // the other runner's copy stands
      return "exists";
    }
  }

  /** Moves a corrupt object's manifest to quarantine/: the key is no longer published, and will be made again. */
  async unpublish(key: string): Promise<void> {
    const src = this.k("manifests", `${key}.json`);
    await this.s3
      .send(new CopyObjectCommand({ Bucket: this.loc.bucket, Key: this.k("quarantine", `${key}.${Date.now()}.json`), CopySource: `${this.loc.bucket}/${src}` }))
      .catch(() => {});
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.loc.bucket, Key: src }));
  }

  private async deletePrefix(prefix: string): Promise<void> {
    const keys = (await this.listAll(prefix)).map((o) => ({ Key: o.key }));
    for (let i = 0; i < keys.length; i += 1000) {
      await this.s3.send(new DeleteObjectsCommand({ Bucket: this.loc.bucket, Delete: { Objects: keys.slice(i, i + 1000) } }));
    }
  }

  /** Mirrors the local checkpoint directory to S3: new or resized files up, files gone locally deleted remotely. */
  async pushCheckpoint(key: string, dir: string): Promise<void> {
    const base = this.k("checkpoints", key) + "/";
    const remote = new Map((await this.listAll(base)).map((o) => [o.key.slice(base.length), o.size]));
    const local = listFiles(dir);
    // In the order they were written: a completion marker a writer adds last (e.g. a checkpoint's manifest.json)
    // then reaches S3 after the files it vouches for, so a copy cut short looks torn, never complete.
    const byAge = [...local].sort((x, y) => x[1].mtimeMs - y[1].mtimeMs || (x[0] < y[0] ? -1 : 1));
    for (const [rel, { size }] of byAge) {
      if (remote.get(rel) === size) continue;
      await new Upload({ client: this.s3, params: { Bucket: this.loc.bucket, Key: base + rel, Body: createReadStream(join(dir, rel)) }, partSize: 16 << 20 }).done();
    }
    const gone = [...remote.keys()].filter((rel) => !local.has(rel)).map((rel) => ({ Key: base + rel }));
    if (gone.length) await this.s3.send(new DeleteObjectsCommand({ Bucket: this.loc.bucket, Delete: { Objects: gone } }));
  }

  async clearCheckpoint(key: string): Promise<void> {
    await this.deletePrefix(this.k("checkpoints", key) + "/");
  }

  /** Fetches checkpoint files this machine lacks (written to a temp name, then renamed: never half a file). */
  async pullCheckpoint(key: string, dir: string): Promise<number> {
    const base = this.k("checkpoints", key) + "/";
    const local = listFiles(dir);
    let n = 0;
    for (const o of await this.listAll(base)) {
      const rel = o.key.slice(base.length);
      if (local.get(rel)?.size === o.size) continue;
      const dest = join(dir, rel);
      mkdirSync(dirname(dest), { recursive: true });
      const r = await this.s3.send(new GetObjectCommand({ Bucket: this.loc.bucket, Key: o.key }));
      await pipeline(r.Body as Readable, createWriteStream(`${dest}.dnaflow-part`));
      renameSync(`${dest}.dnaflow-part`, dest);
      n++;
    }
    return n;
  }
}

/** Relative path → size and mtime of every complete file (temp files of atomic writers are skipped). */
function listFiles(dir: string, prefix = ""): Map<string, { size: number; mtimeMs: number }> {
  const out = new Map<string, { size: number; mtimeMs: number }>();
  let names: string[];
  try {
    names = readdirSync(join(dir, prefix));
  } catch {
    return out;
  }
  for (const n of names) {
    const rel = prefix ? `${prefix}/${n}` : n;
    const st = statSync(join(dir, rel));
    if (st.isDirectory()) for (const [k, v] of listFiles(dir, rel)) out.set(k, v);
    else if (!/\.tmp|\.dnaflow-part$/.test(n)) out.set(rel, { size: st.size, mtimeMs: st.mtimeMs });
  }
  return out;
}
