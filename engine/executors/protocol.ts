// Events a stage process reports, one JSON object per line (the Python worker speaks the same protocol).
import { createInterface } from "node:readline";
import type { JsonValue } from "../../core/json.js";
import type { FinalUsage } from "./resource-sampler.js";

export type StageEvent =
  | { event: "progress"; done: number; total?: number; unit?: string; [k: string]: unknown }
  | { event: "log"; message: string }
  | { event: "meta"; meta: Record<string, JsonValue> }
  | { event: "error"; message: string; inputError?: boolean }
  | { event: "usage"; usage: FinalUsage }
  /** sha256 of output files the stage wrote (paths relative to its output directory), with each file's stamp then. */
  | { event: "digests"; files: OutputDigest[] }
  | { event: "done" };

export interface OutputDigest {
  path: string;
  stamp: string;
  sha256: string;
}

export async function readEvents(stream: NodeJS.ReadableStream, onEvent: (e: StageEvent) => void): Promise<void> {
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line.trim()) continue;
    try {
      onEvent(JSON.parse(line));
    } catch {
      onEvent({ event: "log", message: line });
    }
  }
}
