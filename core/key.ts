// The stage key: sha256 of the canonical JSON of exactly these components. Anything that can change a stage's output
// bytes belongs here; nothing that differs between machines or directories (absolute paths, hosts, times) does.
import { createHash } from "node:crypto";

/** Bump when the store layout or the meaning of a component changes: every key changes with it. */
export const STORE_FORMAT = 1;

export interface KeyComponents {
  format: number;
  /** What runs: a builtin (name, interface version, output revision) or a command (argv template + scripts it names). */
  stage: { uses: string; version: number; revision: number } | { run: string[] | string; shell: boolean; scripts: Record<string, string> };
  /** Params after expressions and schema defaults. */
  params: Record<string, unknown>;
  /** Per input, in binding order: the key of the upstream object + output name, or the content digest of a file/dir. */
  inputs: Record<string, Array<{ upstream: string; output: string } | { content: string }>>;
  /** Declared output names. */
  outputs: string[];
  /** Environment the stage declares (env: values and passEnv values from the host). */
  env: Record<string, string | null>;
  /** For stages running the Python worker: digest of its pinned requirements and its source. */
  worker?: string;
  /** For stages that write where each input came from: per input, the upstream instance id + coordinates, or a file's name. */
  inputLabels?: Record<string, Array<{ from: string; matrix: Record<string, unknown> } | { file: string }>>;
}

export function stageKey(c: KeyComponents): string {
  return createHash("sha256").update(canonicalJson(c)).digest("hex");
}

/** JSON with object keys sorted at every level, so equal values always serialize to equal bytes. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  let out: string;
  if (Array.isArray(v)) {
    out = "[";
    for (let i = 0; i < v.length; i++) out += (i ? "," : "") + canonicalJson(v[i]);
    return out + "]";
  }
  out = "{";
  let first = true;
  for (const k of Object.keys(v).sort()) {
    const x = (v as Record<string, unknown>)[k];
    if (x === undefined) continue;
    out += (first ? "" : ",") + JSON.stringify(k) + ":" + canonicalJson(x);
    first = false;
  }
  return out + "}";
}
