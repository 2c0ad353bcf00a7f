// The manifest published with every object: what it contains (per-file sha256 + size) and how it was made.
import type { KeyComponents } from "../core/key.js";
import type { StageUsage } from "../core/usage.js";
import type { JsonValue } from "../core/json.js";

export interface ManifestFile {
  /** Path relative to the object's out/ directory, '/'-separated: "<output>" or "<output>/<sub/path>". */
  path: string;
  size: number;
  sha256: string;
}

export interface Manifest {
  format: number;
  key: string;
  /** Instance id in the pipeline that made it (informational: the same key may serve several instances). */
  instance: string;
  pipeline: string;
  components: KeyComponents;
  /** Output name → "file" | "dir". */
  outputs: Record<string, "file" | "dir">;
  files: ManifestFile[];
  meta: Record<string, JsonValue>;
  timings: { started: string; finished: string; seconds: number };
  host: string;
  attempt: string;
  /** What the stage's process tree used (CPU, peak RSS, I/O, GPU): metadata, absent for stages run elsewhere. */
  resources?: StageUsage;
}
