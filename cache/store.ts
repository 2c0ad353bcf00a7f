// What the engine needs from a store. The local/shared filesystem store implements it; S3 comes later.
import type { Leases } from "./lease/leases.js";
import type { Manifest } from "./manifest.js";
import type { ProgressStore } from "./progress.js";
import type { RunLog } from "./runs.js";

export interface Attempt {
  key: string;
  id: string;
  /** Root of the attempt; renamed into objects/<key> on publish. */
  dir: string;
  /** Where outputs are written: <dir>/out/<name>. */
  outDir: string;
  /** Scratch, removed before publish. */
  workDir: string;
  logFile: string;
}

export interface AttemptOwner {
  host: string;
  pid: number;
  /** The owner's process start time, so a reused pid is not mistaken for a live owner. */
  pidStart?: string;
  instance: string;
  started: string;
  /** Process group of the stage's child process, so a later run can stop an orphan of a killed engine. */
  childPgid?: number;
}

export interface Store extends ProgressStore {
  /** Human-readable location, for messages. */
  readonly location: string;
  /** Keys of all published objects (one directory listing, not one call per key). */
  publishedKeys(): Set<string>;
  /** Published here (for a layered store: in the local copy). */
  hasObject(key: string): boolean;
  /** Published anywhere this store reaches (a remote store is asked now, not from the plan-time listing). */
  isPublished(key: string): Promise<boolean>;
  /** Makes a published object readable at outputPath() (a remote store downloads and verifies it). */
  materialize(key: string): Promise<void>;
  /** Path of a published output (file or directory). */
  outputPath(key: string, output: string): string;
  readManifest(key: string): Manifest | undefined;
  beginAttempt(key: string, owner: AttemptOwner): Promise<Attempt>;
  updateOwner(attempt: Attempt, owner: AttemptOwner): void;
  /** Attempts of this key still on disk (owners may be alive or dead). */
  attemptsOf(key: string): Array<{ dir: string; owner?: AttemptOwner }>;
  /** Writes the manifest and atomically publishes; "exists" if another runner published the same key first. */
  publish(attempt: Attempt, manifest: Manifest): Promise<"published" | "exists">;
  discard(attempt: Attempt): Promise<void>;
  removeAttemptDir(dir: string): Promise<void>;
  /** Persistent across attempts of the same key. */
  checkpointDir(key: string): string;
  /** Log files of a key, oldest first. */
  logsOf(key: string): string[];
  /** A log file of a key under a name of its own (a Slurm job that failed before its attempt began); its directory exists. */
  newLog(key: string, name: string): string;
  /** Moves a corrupted object aside (kept for inspection); its key becomes absent. */
  quarantine(key: string, reason: string): Promise<void>;
  removeObject(key: string): Promise<number>;
  /** Path for small local state files (e.g. the digest cache). */
  statePath(name: string): string;
  readonly runs: RunLog;
  /** Who is making which key: runners sharing the store wait for each other, and take over from dead ones. */
  readonly leases: Leases;
  /** Copies the checkpoint directory to where another machine can resume from it (no-op for a local store). */
  pushCheckpoint(key: string): Promise<void>;
  /** Fetches a checkpoint another machine left, before an attempt starts (no-op for a local store). */
  pullCheckpoint(key: string): Promise<void>;
  /**
   * Where the key's TensorBoard event files are, if any: in its checkpoint directory while it runs, kept under
   * tensorboard/<key> once it is published (clearCheckpoint moves them there).
   */
  tensorboardDir(key: string): string | undefined;
  /** Drops a key's checkpoints once its object is published: they can be GBs and nothing resumes from them. */
  clearCheckpoint(key: string): Promise<void>;
}
