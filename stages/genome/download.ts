// genome/download: fetches a reference genome (http(s), file:// or a local path), resumable and verified.
// A checksum mismatch fails the stage, so nothing is published; the manifest records url, size, checksums, time.
import { copyFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { t, type Static } from "../../core/schema.js";
import { defineStage } from "../../engine/stage.js";
import { StageInputError } from "../../core/errors.js";
import { digestFile, matches, type Checksum, type FileDigests } from "../../lib/genome/download/checksums.js";
import { downloadResumable } from "../../lib/genome/download/http-resume.js";
import { PRESETS } from "../../lib/genome/download/presets.js";
import { ProgressMeter } from "../../lib/genome/download/progress-meter.js";
import { expectedChecksums, localPath, resolveSource } from "../../lib/genome/download/source.js";

const downloadParams = t.params({
  preset: t.enum(Object.keys(PRESETS), { description: "GRCh38 source; url/md5/sha256/checksumUrl override its fields." }),
  url: t.string({ description: "http(s) URL, file:// URL or local path." }),
  md5: t.string({ pattern: "^[0-9a-fA-F]{32}$" }),
  sha256: t.string({ pattern: "^[0-9a-fA-F]{64}$" }),
  checksumUrl: t.string({ description: "Checksum list (md5sum, sha256sum or BSD sum format) naming the file." }),
  allowUnverified: t.boolean({ default: false, description: "Accept a file without any checksum to verify." }),
  retries: t.integer({ minimum: 0, default: 8, description: "Consecutive failed attempts without progress." }),
  timeoutMs: t.integer({ minimum: 1, default: 60000, description: "Abort and retry when no byte arrives for this long." }),
  backoffMs: t.integer({ minimum: 0, default: 2000, description: "First retry delay; doubles per failure." }),
});

export type DownloadParams = Static<typeof downloadParams>;

export default defineStage<DownloadParams>({
  name: "genome/download",
  version: 1,
  description: "Download a reference genome (resumable, checksum-verified). Presets: " + Object.keys(PRESETS).join(", "),
  params: downloadParams,
  // Network knobs: how hard to try, not what is downloaded (the checksums decide that).
  unkeyed: ["retries", "timeoutMs", "backoffMs"],
  inputs: {},
  outputs: ["fasta"],
  resources: { cpus: 1, memory: "256MB" },
  async run(ctx) {
    const p = ctx.params;
    const src = resolveSource(p);
    const expected = await expectedChecksums(src, ctx.signal);
    if (!expected.length && !p.allowUnverified)
      throw new StageInputError(`${src.url}: no checksum to verify against (give sha256, md5 or checksumUrl, or allowUnverified: true)`);
    const out = ctx.output("fasta");
    const local = localPath(src.url);
    let transfer: Record<string, string | number> = {};
    let digests: FileDigests;
    if (local !== undefined) {
      await copyFile(local, out).catch((e: NodeJS.ErrnoException) => {
        throw new StageInputError(`${local}: cannot read (${e.code ?? e.message})`);
      });
      digests = await digestFile(out, ctx.signal);
      const bad = expected.find((c) => !matches(c, digests));
      if (bad) throw mismatch(src.url, bad, digests);
    } else {
      const partial = join(ctx.checkpointDir, "download.part");
      const meter = new ProgressMeter((d, t) => ctx.progress(d, t, "bytes"), ctx.log);
      for (let fresh = false; ; fresh = true) {
        const r = await downloadResumable({
          url: src.url,
          partialPath: partial,
          statePath: join(ctx.checkpointDir, "download.json"),
          retries: p.retries,
          timeoutMs: p.timeoutMs,
          backoffMs: p.backoffMs,
          signal: ctx.signal,
          log: ctx.log,
          onBytes: (d, t) => meter.update(d, t),
        });
        digests = await digestFile(partial, ctx.signal);
        const bad = expected.find((c) => !matches(c, digests!));
        if (!bad) {
          await moveFile(partial, out);
          transfer = {
            resumes: r.resumes,
            restarts: r.restarts,
            ...(r.etag ? { etag: r.etag } : {}),
            ...(r.lastModified ? { lastModified: r.lastModified } : {}),
          };
          break;
        }
        await rm(partial, { force: true });
        await rm(join(ctx.checkpointDir, "download.json"), { force: true });
        // Bytes stitched from several responses may be the culprit: one fresh full download before failing.
        if (fresh || r.resumes === 0) throw mismatch(src.url, bad, digests);
        ctx.log(`checksum mismatch after a resumed download; downloading again from byte 0`);
      }
    }
    ctx.setMeta({
      url: src.url,
      size: digests.size,
      sha256: digests.sha256,
      md5: digests.md5,
      verifiedWith: expected.map((c) => `${c.algorithm}:${c.value}`),
      downloadedAt: new Date().toISOString(),
      ...transfer,
    });
    ctx.log(`${src.url}: ${digests.size} bytes, sha256 ${digests.sha256}${expected.length ? ", checksum verified" : ", NOT verified"}`);
  },
});

function mismatch(url: string, c: Checksum, d: FileDigests): StageInputError {
  return new StageInputError(`${url}: ${c.algorithm} mismatch: expected ${c.value}, got ${d[c.algorithm]} (${d.size} bytes); nothing published`);
}

async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EXDEV") throw e;
    await copyFile(from, to);
    await rm(from);
  }
}
