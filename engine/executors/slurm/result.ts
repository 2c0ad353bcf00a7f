// What `dnaflow exec-stage` tells the submitting engine, besides its exit code: one small JSON file per job run.
import { readFileSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { writeFileAtomic } from "../../../cache/atomic.js";

export interface ExecResult {
  /** published/exists: the object is in the store; failed: the stage failed; mismatch: the pipeline changed since submission. */
  outcome: "published" | "exists" | "failed" | "mismatch" | "cancelled";
  error?: string;
  /** A deterministic bad-input failure: not worth another attempt. */
  inputError?: boolean;
  seconds?: number;
  host: string;
}

export function writeResult(file: string, r: ExecResult): void {
  writeFileAtomic(file, JSON.stringify(r));
}

export function readResult(file: string): ExecResult | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

export function clearResult(file: string): void {
  rmSync(file, { force: true });
}

/** The stage's latest progress while the job runs, beside its result file: the engine relays it as progress events. */
export interface JobProgress {
  done: number;
  total?: number;
  unit?: string;
}

export function progressFileFor(resultFile: string): string {
  return join(dirname(resultFile), basename(resultFile).replace(/^result-/, "progress-"));
}

export function writeProgress(file: string, p: JobProgress): void {
  writeFileAtomic(file, JSON.stringify(p));
}

export function readProgress(file: string): JobProgress | undefined {
  try {
    const p = JSON.parse(readFileSync(file, "utf8"));
    return typeof p?.done === "number" ? p : undefined;
  } catch {
    return undefined;
  }
}
