// Objects and checkpoints in S3, named by S3Layout (cache/layout.ts): a manifest per published object; the files it
// lists, uploaded first, under the upload attempt's id; a copy of each stage's checkpoint directory, synced at each
// heartbeat; the manifests of objects found corrupt set aside in quarantine (their files deleted).
// A manifest is written last and only if none exists (If-None-Match: *), so an object appears whole or not at all,
// and two runners racing on the same key never mix files: each uploads under its own attempt id.
// Files carry their sha256 as metadata (x-amz-meta-dnaflow-sha256): checkpoint sync compares content by it, never by
// size alone. (An ETag is a content MD5 only for single-part, unencrypted uploads, so it is not relied on.)
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
import {
  closeSync,
  createReadStream,
  createWriteStream,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  type BigIntStats,
} from "node:fs";
import { dirname, join } from "node:path";
import { PassThrough, Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { sha256File } from "../digest.js";
import type { Manifest } from "../manifest.js";
import { CorruptObject } from "../verify.js";
import { S3Layout } from "../layout.js";
import { httpStatus, type S3Location } from "./client.js";

const SHA_META = "dnaflow-sha256";

interface Listed {
  key: string;
  size: number;
  etag: string;
  modified: number;
}

/** A local file's identity: any rewrite (even at the same size, within the same second) changes it. */
interface LocalFile {
  size: number;
  mtimeMs: number;
  stamp: string;
}

export class S3Remote {
  /** sha256 of remote checkpoint files we know, by object key + ETag (an overwrite changes the ETag). */
  private readonly remoteSha = new Map<string, string>();
  /** sha256 of local checkpoint files by path + stamp, so unchanged files are not rehashed at every heartbeat. */
  private readonly localSha = new Map<string, string>();

  constructor(
    readonly s3: S3Client,
    readonly loc: S3Location,
    readonly layout = new S3Layout(loc.prefix),
  ) {}

  async listAll(prefix: string): Promise<Listed[]> {
    const out: Listed[] = [];
    let token: string | undefined;
    do {
      const r = await this.s3.send(new ListObjectsV2Command({ Bucket: this.loc.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const c of r.Contents ?? []) out.push({ key: c.Key!, size: c.Size ?? 0, etag: c.ETag ?? "", modified: c.LastModified?.getTime() ?? 0 });
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  async publishedKeys(): Promise<Set<string>> {
    const base = this.layout.manifests() + "/";
    return new Set((await this.listAll(base)).map((o) => this.layout.keyOfManifest(o.key)));
  }

  async has(key: string): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.loc.bucket, Key: this.layout.manifest(key) }));
      return true;
    } catch (e) {
      if (httpStatus(e) === 404) return false;
      throw e;
    }
  }

  async manifest(key: string): Promise<Manifest | undefined> {
    try {
      const r = await this.s3.send(new GetObjectCommand({ Bucket: this.loc.bucket, Key: this.layout.manifest(key) }));
      return JSON.parse(await r.Body!.transformToString());
    } catch (e) {
      if (httpStatus(e) === 404) return undefined;
      if (e instanceof SyntaxError) throw new CorruptObject(`manifest of ${key.slice(0, 10)} is not JSON`);
      throw e;
    }
  }

  /**
   * Reads every file of the object, checking size and sha256 as it streams; writes them into `outDir` (its out/
   * tree) when given, else only checks (dnaflow verify). A missing or differing file is a CorruptObject; a network
   * failure is an ordinary error (nothing was judged).
   */
  async download(m: Manifest, outDir?: string): Promise<void> {
    for (const f of m.files) {
      const r = await this.s3.send(new GetObjectCommand({ Bucket: this.loc.bucket, Key: this.layout.objectFile(m.key, m.attempt, f.path) })).catch((e) => {
        if (httpStatus(e) === 404) throw new CorruptObject(`${f.path}: missing in the remote object`);
        throw e;
      });
      const hash = createHash("sha256");
      let size = 0;
      const body = r.Body as Readable;
      body.on("data", (c: Buffer) => (hash.update(c), (size += c.length)));
      if (outDir) {
        const dest = join(outDir, f.path);
        mkdirSync(dirname(dest), { recursive: true });
        await pipeline(body, createWriteStream(dest));
      } else {
        await pipeline(body, new PassThrough().resume());
      }
      if (size !== f.size) throw new CorruptObject(`${f.path}: ${size} bytes downloaded, manifest says ${f.size} (truncated remote object)`);
      if (hash.digest("hex") !== f.sha256) throw new CorruptObject(`${f.path}: sha256 of the remote copy differs from the manifest`);
    }
  }

  /** Uploads one file, hashing the bytes actually sent; their sha256 and size. */
  private async put(key: string, path: string | number, sha256?: string): Promise<{ sha256: string; size: number; etag?: string }> {
    const hash = createHash("sha256");
    let size = 0;
    const hashing = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        size += chunk.length;
        cb(null, chunk);
      },
    });
    // From an open descriptor, the bytes sent are those of the inode that was hashed, even if a writer renames a new
    // version over the path meanwhile.
    const src = typeof path === "number" ? createReadStream("", { fd: path, start: 0, autoClose: false }) : createReadStream(path);
    const reading = pipeline(src, hashing); // a read error fails the upload too
    const upload = new Upload({
      client: this.s3,
      params: { Bucket: this.loc.bucket, Key: key, Body: hashing, ...(sha256 ? { Metadata: { [SHA_META]: sha256 } } : {}) },
      partSize: 16 << 20,
      queueSize: 2,
    }).done();
    const [r] = await Promise.all([upload, reading]).catch((e) => {
      hashing.destroy(); // closes the file when the upload failed first
      throw e;
    });
    return { sha256: hash.digest("hex"), size, etag: (r as { ETag?: string }).ETag };
  }

  /**
   * Uploads an object's files (multipart when large), checking that the bytes sent are the manifest's (a corrupt local
   * copy is never published: CorruptObject), then its manifest if none exists.
   */
  async upload(m: Manifest, outDir: string): Promise<"published" | "exists"> {
    try {
      for (const f of m.files) {
        const sent = await this.put(this.layout.objectFile(m.key, m.attempt, f.path), join(outDir, f.path), f.sha256);
        if (sent.size !== f.size || sent.sha256 !== f.sha256) throw new CorruptObject(`${f.path}: the local copy differs from its manifest (not uploaded)`);
      }
    } catch (e) {
      if (e instanceof CorruptObject) await this.deleteAttempt(m.key, m.attempt).catch(() => {});
      throw e;
    }
    try {
      await this.s3.send(
        new PutObjectCommand({ Bucket: this.loc.bucket, Key: this.layout.manifest(m.key), Body: JSON.stringify(m, null, 1), IfNoneMatch: "*" }),
      );
      return "published";
    } catch (e) {
      if (httpStatus(e) !== 412) throw e;
      // Someone published first. Their files stand; ours go, unless theirs are ours (the same local object uploaded
      // twice, e.g. by two runners sharing one cache).
      const winner = await this.manifest(m.key).catch(() => undefined);
      if (winner && winner.attempt !== m.attempt) await this.deleteAttempt(m.key, m.attempt).catch(() => {});
      return "exists";
    }
  }

  private async deleteAttempt(key: string, attempt: string): Promise<void> {
    await this.deletePrefix(this.layout.objectAttempt(key, attempt) + "/");
  }

  /** Moves a corrupt object's manifest to quarantine and deletes its files: the key is no longer published. */
  async unpublish(key: string): Promise<void> {
    const src = this.layout.manifest(key);
    const m = await this.manifest(key).catch(() => undefined);
    await this.s3
      .send(new CopyObjectCommand({ Bucket: this.loc.bucket, Key: this.layout.quarantined(key, String(Date.now())), CopySource: `${this.loc.bucket}/${src}` }))
      .catch(() => {});
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.loc.bucket, Key: src }));
    if (m?.attempt) await this.deleteAttempt(key, m.attempt).catch(() => {}); // a later gc/verify collects it if this fails
  }

  /**
   * Deletes upload attempts of a key that no manifest points at and nobody can still be writing: the key is published
   * by another attempt, or no lease on it is held (`leaseHeld` false); and nothing in it is younger than `graceMs`.
   * The number of attempts deleted.
   */
  async collectAttempts(key: string, graceMs: number, leaseHeld: () => Promise<boolean>): Promise<number> {
    const base = this.layout.object(key) + "/";
    const byAttempt = new Map<string, number>();
    for (const o of await this.listAll(base)) {
      const attempt = o.key.slice(base.length).split("/")[0];
      byAttempt.set(attempt, Math.max(byAttempt.get(attempt) ?? 0, o.modified));
    }
    if (!byAttempt.size) return 0;
    const m = await this.manifest(key).catch(() => undefined);
    const candidates = [...byAttempt].filter(([a, newest]) => a !== m?.attempt && Date.now() - newest >= graceMs);
    if (!candidates.length || (!m && (await leaseHeld()))) return 0;
    for (const [a] of candidates) await this.deleteAttempt(key, a);
    return candidates.length;
  }

  /** Keys that have upload attempts (published or not). */
  async keysWithAttempts(): Promise<Set<string>> {
    const base = this.layout.objects() + "/";
    return new Set((await this.listAll(base)).map((o) => o.key.slice(base.length).split("/")[0]));
  }

  private async deletePrefix(prefix: string): Promise<void> {
    const keys = (await this.listAll(prefix)).map((o) => ({ Key: o.key }));
    for (let i = 0; i < keys.length; i += 1000) {
      await this.s3.send(new DeleteObjectsCommand({ Bucket: this.loc.bucket, Delete: { Objects: keys.slice(i, i + 1000), Quiet: true } }));
    }
  }

  private async localDigest(path: string, f: LocalFile): Promise<string> {
    const id = `${path}\0${f.stamp}`;
    let sha = this.localSha.get(id);
    if (!sha) this.localSha.set(id, (sha = await sha256File(path)));
    return sha;
  }

  /** The sha256 a remote file was uploaded with (metadata), or undefined when it has none (then it is re-synced). */
  private async remoteDigest(o: Listed): Promise<string | undefined> {
    const id = `${o.key}\0${o.etag}`;
    if (this.remoteSha.has(id)) return this.remoteSha.get(id);
    const h = await this.s3.send(new HeadObjectCommand({ Bucket: this.loc.bucket, Key: o.key })).catch((e) => {
      if (httpStatus(e) === 404) return undefined;
      throw e;
    });
    const sha = h?.Metadata?.[SHA_META];
    if (sha && h?.ETag === o.etag) this.remoteSha.set(id, sha);
    return sha;
  }

  /** Mirrors the local checkpoint directory to S3: files whose content differs go up, files gone locally are deleted. */
  async pushCheckpoint(key: string, dir: string): Promise<void> {
    const base = this.layout.checkpoint(key) + "/";
    const remote = new Map((await this.listAll(base)).map((o) => [o.key.slice(base.length), o]));
    const local = listFiles(dir);
    // In the order they were written: a completion marker a writer adds last (e.g. a checkpoint's manifest.json)
    // then reaches S3 after the files it vouches for, so a copy cut short looks torn, never complete.
    const byAge = [...local].sort((x, y) => x[1].mtimeMs - y[1].mtimeMs || (x[0] < y[0] ? -1 : 1));
    for (const [rel] of byAge) {
      const path = join(dir, rel);
      let fd: number;
      try {
        fd = openSync(path, "r");
      } catch {
        continue; // deleted while we looked: the next sync sees the directory as it is then
      }
      try {
        const f = stampOf(fstatSync(fd, { bigint: true }));
        const id = `${path}\0${f.stamp}`;
        let sha = this.localSha.get(id);
        if (!sha) this.localSha.set(id, (sha = await hashFd(fd)));
        const r = remote.get(rel);
        if (r && r.size === f.size && (await this.remoteDigest(r)) === sha) continue;
        const sent = await this.put(base + rel, fd, sha);
        if (sent.sha256 !== sha) {
          // Rewritten in place while we read it: what went up is neither version. Delete it; the next sync retries.
          await this.s3.send(new DeleteObjectCommand({ Bucket: this.loc.bucket, Key: base + rel }));
          continue;
        }
        if (sent.etag) this.remoteSha.set(`${base + rel}\0${sent.etag}`, sha);
      } finally {
        closeSync(fd);
      }
    }
    const gone = [...remote.keys()].filter((rel) => !local.has(rel)).map((rel) => ({ Key: base + rel }));
    for (let i = 0; i < gone.length; i += 1000) {
      await this.s3.send(new DeleteObjectsCommand({ Bucket: this.loc.bucket, Delete: { Objects: gone.slice(i, i + 1000), Quiet: true } }));
    }
  }

  async clearCheckpoint(key: string): Promise<void> {
    await this.deletePrefix(this.layout.checkpoint(key) + "/");
  }

  /**
   * Fetches the remote checkpoint files whose content differs from this machine's copy (the remote copy is the last
   * lease holder's, so it wins), each written to a temp name, checked against its recorded sha256, then renamed:
   * never half a file. The number of files fetched.
   */
  async pullCheckpoint(key: string, dir: string): Promise<number> {
    const base = this.layout.checkpoint(key) + "/";
    const local = listFiles(dir);
    let n = 0;
    for (const o of await this.listAll(base)) {
      const rel = o.key.slice(base.length);
      const dest = join(dir, rel);
      const mine = local.get(rel);
      const theirs = await this.remoteDigest(o);
      if (mine && mine.size === o.size && theirs && (await this.localDigest(dest, mine).catch(() => undefined)) === theirs) continue;
      mkdirSync(dirname(dest), { recursive: true });
      const r = await this.s3.send(new GetObjectCommand({ Bucket: this.loc.bucket, Key: o.key })).catch((e) => {
        if (httpStatus(e) === 404) return undefined; // deleted by its owner since the listing
        throw e;
      });
      if (!r) continue;
      const part = `${dest}.dnaflow-part`;
      const hash = createHash("sha256");
      const body = r.Body as Readable;
      body.on("data", (c: Buffer) => hash.update(c));
      await pipeline(body, createWriteStream(part));
      const sha = hash.digest("hex");
      const recorded = r.Metadata?.[SHA_META];
      if (recorded && recorded !== sha) {
        unlinkSync(part); // torn or damaged copy: keep what this machine has
        continue;
      }
      renameSync(part, dest);
      n++;
    }
    return n;
  }
}

function stampOf(st: BigIntStats): LocalFile {
  return { size: Number(st.size), mtimeMs: Number(st.mtimeMs), stamp: `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}` };
}

async function hashFd(fd: number): Promise<string> {
  const hash = createHash("sha256");
  for await (const c of createReadStream("", { fd, start: 0, autoClose: false })) hash.update(c as Buffer);
  return hash.digest("hex");
}

/** Relative path → size, mtime and identity of every complete file (temp files of atomic writers are skipped). */
function listFiles(dir: string, prefix = ""): Map<string, LocalFile> {
  const out = new Map<string, LocalFile>();
  let names: string[];
  try {
    names = readdirSync(join(dir, prefix));
  } catch {
    return out;
  }
  for (const n of names) {
    const rel = prefix ? `${prefix}/${n}` : n;
    const st = statSync(join(dir, rel), { bigint: true, throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) for (const [k, v] of listFiles(dir, rel)) out.set(k, v);
    else if (!/\.tmp|\.dnaflow-part$/.test(n)) out.set(rel, stampOf(st));
  }
  return out;
}
