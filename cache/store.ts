// What the engine needs from a store, split by concern: objects, attempts, checkpoints, local state, run records,
// leases and progress records. The filesystem store and the S3 store (through a local cache) implement every part.
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

/** Where a store is, for messages. */
export interface StoreLocation {
  /** Human-readable location, for messages. */
  readonly location: string;
}

/** Published objects: each one whole (with its manifest) or absent, found by its key. */
export interface ObjectStore extends StoreLocation {
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
  /** Writes the manifest and atomically publishes; "exists" if another runner published the same key first. */
  publish(attempt: Attempt, manifest: Manifest): Promise<"published" | "exists">;
  /** Moves a corrupted object aside (kept for inspection); its key becomes absent. */
  quarantine(key: string, reason: string): Promise<void>;
  removeObject(key: string): Promise<number>;
}

/** Attempts at making a key: a directory each, who owns it, and its log. */
export interface AttemptStore {
  begin(key: string, owner: AttemptOwner): Promise<Attempt>;
  updateOwner(attempt: Attempt, owner: AttemptOwner): void;
  /** Attempts of this key still on disk (owners may be alive or dead). */
  of(key: string): Array<{ dir: string; owner?: AttemptOwner }>;
  discard(attempt: Attempt): Promise<void>;
  removeDir(dir: string): Promise<void>;
  /** Log files of a key, oldest first. */
  logsOf(key: string): string[];
  /** A log file of a key under a name of its own (a Slurm job that failed before its attempt began); its directory exists. */
  newLog(key: string, name: string): string;
}

/** State a key's attempts resume from, and where another machine can pick it up. */
export interface CheckpointStore {
  /** Persistent across attempts of the same key. */
  checkpointDir(key: string): string;
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

/** Small local state files (the digest cache, Slurm job state): never shared between machines. */
export interface StateStore {
  statePath(name: string): string;
}

/** What each run planned and did: history for `plan --explain`, `status`, `compare` and gc's roots. */
export interface RunStore extends StoreLocation {
  readonly runs: RunLog;
}

/** Who is making which key: runners sharing the store wait for each other, and take over from dead ones. */
export interface LeaseStore {
  readonly leases: Leases;
}

/** Attempts, as a part of a store: the S3 store runs its attempts in its local cache, so both stores share one. */
export interface AttemptsPart {
  readonly attempts: AttemptStore;
}

/**
 * Everything the engine needs from a store, one concern per part. The filesystem store (fs-store.ts) and the S3
 * store (layered-store.ts) implement all of it; a function that needs one concern takes that part alone.
 */
export interface Store extends ObjectStore, AttemptsPart, CheckpointStore, StateStore, RunStore, LeaseStore, ProgressStore {}
