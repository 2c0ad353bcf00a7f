// The store's format on disk and in S3: every directory, file and S3 key name, in one place. The filesystem store
// and the S3 store share most of it (the same relative names under a root directory or a key prefix); where they
// differ (an S3 object keeps its files under its upload attempt, its manifest beside the others in manifests/) each
// layout says so. Nothing else in the engine builds a store path by hand.
import { join } from "node:path";

const OBJECTS = "objects";
const CHECKPOINTS = "checkpoints";
const PROGRESS = "progress";
const LEASES = "leases";
const QUARANTINE = "quarantine";
const OUT = "out";
const MANIFEST = "manifest.json";
/** Subdirectory of a checkpoint directory where the worker writes TensorBoard event files (worker/tracking.py). */
const TENSORBOARD = "tensorboard";

/** The names both backends use, as slash-separated paths relative to the store's root (directory or key prefix). */
export const relative = {
  objects: () => OBJECTS,
  object: (key: string) => `${OBJECTS}/${key}`,
  checkpoints: () => CHECKPOINTS,
  checkpoint: (key: string) => `${CHECKPOINTS}/${key}`,
  progressDir: () => PROGRESS,
  progress: (key: string) => `${PROGRESS}/${key}.json`,
  leases: () => LEASES,
  lease: (key: string) => `${LEASES}/${key}`,
  quarantine: () => QUARANTINE,
};

/** Whether a path is a file of a published object (`…/objects/<key>/out/…`): such files are never modified in place. */
export const isPublishedObjectFile = (path: string): boolean => /(^|[\\/])objects[\\/][0-9a-f]{64}[\\/]out[\\/]/.test(path);

/** Where a store's shared names land: under a root directory or an S3 key prefix. */
abstract class SharedLayout {
  /** The absolute path or full S3 key of a relative name. */
  abstract at(rel: string): string;
  objects = () => this.at(relative.objects());
  object = (key: string) => this.at(relative.object(key));
  checkpoints = () => this.at(relative.checkpoints());
  /** A key's checkpoint directory: persistent across attempts, synced between machines by an S3 store. */
  checkpoint = (key: string) => this.at(relative.checkpoint(key));
  progressDir = () => this.at(relative.progressDir());
  /** A running attempt's progress record (cache/progress.ts), read by `dnaflow watch`. */
  progress = (key: string) => this.at(relative.progress(key));
  leases = () => this.at(relative.leases());
  lease = (key: string) => this.at(relative.lease(key));
  quarantine = () => this.at(relative.quarantine());
}

/** The filesystem store (cache/fs-store.ts), also the local cache of an S3 store. */
export class FsLayout extends SharedLayout {
  constructor(readonly root: string) {
    super();
  }
  at(rel: string): string {
    return join(this.root, rel);
  }
  /** Every top-level directory, created when the store is opened. */
  directories(): string[] {
    return [OBJECTS, "attempts", CHECKPOINTS, "logs", "runs", QUARANTINE, "state", LEASES].map((d) => this.at(d));
  }
  objectManifest = (key: string) => join(this.object(key), MANIFEST);
  output = (key: string, output: string) => join(this.object(key), OUT, output);
  objectOut = (key: string) => join(this.object(key), OUT);
  attempts = () => this.at("attempts");
  /** An attempt's directory, renamed onto object(key) when it is published. Other work dirs use a tag instead of an id. */
  attempt = (key: string, idOrTag: string) => join(this.attempts(), `${key}.${idOrTag}`);
  /** The key an attempts/ entry belongs to. */
  keyOfAttempt = (name: string) => name.split(".")[0];
  attemptOut = (dir: string) => join(dir, OUT);
  attemptWork = (dir: string) => join(dir, "work");
  attemptManifest = (dir: string) => join(dir, MANIFEST);
  attemptOwner = (dir: string) => join(dir, "owner.json");
  logs = (key: string) => this.at(`logs/${key}`);
  log = (key: string, name: string) => join(this.logs(key), `${name}.log`);
  quarantined = (key: string, stamp: string) => join(this.quarantine(), `${key}.${stamp}`);
  quarantineNote = (dir: string) => join(dir, "QUARANTINED.txt");
  runs = () => this.at("runs");
  runRecord = (id: string) => join(this.runs(), `${id}.json`);
  runIndex = () => join(this.runs(), "index.json");
  /** The run id a file in runs/ records, or undefined for the index and anything else. */
  runIdOf = (name: string) => (name.endsWith(".json") && name !== "index.json" ? name.slice(0, -".json".length) : undefined);
  /** Small local state files (the digest cache, Slurm job state). */
  state = (name: string) => join(this.at("state"), name);
  checkpointTensorboard = (key: string) => join(this.checkpoint(key), TENSORBOARD);
  /** TensorBoard event files of a published key, kept when its checkpoints are cleared. */
  tensorboards = () => this.at(TENSORBOARD);
  tensorboard = (key: string) => join(this.tensorboards(), key);
}

/** An S3 store (cache/s3/): keys under the URL's prefix. Make one per client, not one per request. */
export class S3Layout extends SharedLayout {
  private readonly base: string;
  constructor(prefix: string) {
    super();
    this.base = prefix ? `${prefix.replace(/\/+$/, "")}/` : "";
  }
  at(rel: string): string {
    return this.base + rel;
  }
  /** A published object is its manifest here: one small object each, so listing the published keys is cheap. */
  manifests = () => this.at("manifests");
  manifest = (key: string) => `${this.manifests()}/${key}.json`;
  /** The store key a listed manifest's S3 key names. */
  keyOfManifest = (s3Key: string) => s3Key.slice(this.manifests().length + 1).replace(/\.json$/, "");
  /** The files of one upload attempt of an object, under the attempt id its manifest names. */
  objectAttempt = (key: string, attempt: string) => `${this.object(key)}/${attempt}`;
  objectFile = (key: string, attempt: string, path: string) => `${this.objectAttempt(key, attempt)}/${OUT}/${path}`;
  /** Output `output` of an object (a prefix when the output is a directory). */
  output = (key: string, attempt: string, output: string) => this.objectFile(key, attempt, output);
  quarantined = (key: string, stamp: string) => `${this.quarantine()}/${key}.${stamp}.json`;
}
