// Where benchmark files come from: a local directory, an archive (local or http(s), .zip/.tar/.tar.gz/.tgz), or a base
// URL under which <task>/<split>.csv are fetched. Downloads reuse the genome stage's resumable, verified downloader.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from "node:fs";
import { basename, join, relative, sep } from "node:path";
import { promisify } from "node:util";
import { StageInputError } from "../../core/errors.js";
import { digestFile, matches } from "../genome/download/checksums.js";
import { downloadResumable } from "../genome/download/http-resume.js";
import { ProgressMeter } from "../genome/download/progress-meter.js";
import { fileNameOf, isHttp, localPath } from "../genome/download/source.js";

const run = promisify(execFile);

export const SPLIT_NAMES = ["train", "dev", "test"] as const;

/** A split file: where it is on disk and how messages name it. */
export interface SplitFile {
  path: string;
  display: string;
}

/** Task name → split → file. */
export type TaskFiles = Map<string, Map<string, SplitFile>>;

export interface FetchOptions {
  checkpointDir: string;
  workDir: string;
  retries: number;
  timeoutMs: number;
  backoffMs: number;
  signal: AbortSignal;
  log(message: string): void;
  progress(done: number, total: number | undefined, unit: string): void;
}

export const isArchive = (name: string) => /\.(zip|tar|tar\.gz|tgz|tar\.bz2|tar\.xz)$/i.test(name);

/** Every folder under root holding train/dev/test.csv is a task, named by its path ("prom/prom_core_tata"). */
export function discoverTasks(root: string, display: (rel: string) => string, rootName = basename(root)): TaskFiles {
  const out: TaskFiles = new Map();
  const walk = (dir: string) => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    const splits = new Map<string, SplitFile>();
    for (const s of SPLIT_NAMES) {
      const p = join(dir, `${s}.csv`);
      if (existsSync(p) && statSync(p).isFile()) splits.set(s, { path: p, display: display(relative(root, p).split(sep).join("/")) });
    }
    if (splits.size) out.set(relative(root, dir).split(sep).join("/") || rootName, splits);
    for (const e of entries) if (e.isDirectory() && !e.name.startsWith(".") && e.name !== "__MACOSX") walk(join(dir, e.name));
  };
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new StageInputError(`${root}: not a directory`);
  walk(root);
  return out;
}

/** Downloads url into the checkpoint dir (kept across attempts; a complete file is not fetched again). */
export async function download(url: string, o: FetchOptions, label = fileNameOf(url)): Promise<string> {
  const dir = join(o.checkpointDir, "downloads");
  mkdirSync(dir, { recursive: true });
  const id = createHash("sha256").update(url).digest("hex").slice(0, 16);
  const done = join(dir, `${id}-${basename(label).replace(/[^\w.-]/g, "_")}`);
  if (existsSync(done)) return done;
  const meter = new ProgressMeter((d, t) => o.progress(d, t, "bytes"), o.log);
  await downloadResumable({
    url,
    partialPath: `${done}.part`,
    statePath: `${done}.json`,
    retries: o.retries,
    timeoutMs: o.timeoutMs,
    backoffMs: o.backoffMs,
    signal: o.signal,
    log: o.log,
    onBytes: (d, t) => meter.update(d, t),
  });
  renameSync(`${done}.part`, done);
  return done;
}

export async function verifySha256(path: string, expected: string | undefined, what: string, signal: AbortSignal): Promise<string> {
  const d = await digestFile(path, signal);
  if (expected && !matches({ algorithm: "sha256", value: expected.toLowerCase() }, d))
    throw new StageInputError(`${what}: sha256 mismatch: expected ${expected.toLowerCase()}, got ${d.sha256}`);
  return d.sha256;
}

/** Unpacks an archive with the system's tar, or Python's zipfile for .zip (both refuse paths outside the target). */
export async function extract(archive: string, name: string, into: string): Promise<void> {
  mkdirSync(into, { recursive: true });
  try {
    if (/\.zip$/i.test(name)) await run("python3", ["-m", "zipfile", "-e", archive, into], { maxBuffer: 1 << 24 });
    else await run("tar", ["-xf", archive, "-C", into], { maxBuffer: 1 << 24 });
  } catch (e) {
    throw new StageInputError(`${name}: cannot unpack (${((e as { stderr?: string }).stderr || (e as Error).message).trim()})`);
  }
}

/** The folder inside an unpacked archive that holds the tasks: `root` if given, else descend through single folders. */
export function archiveRoot(dir: string, root: string | undefined, name: string): string {
  if (root) {
    const p = join(dir, root);
    if (!existsSync(p)) throw new StageInputError(`${name}: has no folder '${root}' (root param)`);
    return p;
  }
  let d = dir;
  for (;;) {
    const entries = readdirSync(d, { withFileTypes: true }).filter((e) => !e.name.startsWith(".") && e.name !== "__MACOSX");
    if (entries.length === 1 && entries[0].isDirectory() && !SPLIT_NAMES.some((s) => existsSync(join(d, `${s}.csv`)))) d = join(d, entries[0].name);
    else return d;
  }
}

export { isHttp, localPath, fileNameOf };
