// Resumable HTTP(S) download into a partial file that survives failed attempts (kept in the stage checkpoint dir).
// Resumes with Range + If-Range (ETag, else Last-Modified); restarts from zero when the server ignores the Range or the
// resource changed. Retries with exponential backoff; an idle timeout catches stalled connections.
import { closeSync, existsSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { StageInputError } from "../../../core/errors.js";

export interface ResumableDownloadOptions {
  url: string;
  /** Partial bytes (kept across attempts). */
  partialPath: string;
  /** Validators of the partial bytes (JSON). */
  statePath: string;
  /** Consecutive failed attempts without new bytes before giving up. */
  retries: number;
  /** No byte for this long: abort the attempt and retry. */
  timeoutMs: number;
  /** First backoff; doubles per consecutive failure, capped at 60 s. */
  backoffMs: number;
  signal: AbortSignal;
  log(message: string): void;
  onBytes(done: number, total: number | undefined): void;
}

interface PartialState {
  url: string;
  etag?: string;
  lastModified?: string;
  total?: number;
}

export interface ResumableDownloadResult {
  size: number;
  etag?: string;
  lastModified?: string;
  /** Attempts that continued earlier bytes. */
  resumes: number;
  /** Times the partial bytes were discarded (Range ignored, resource changed). */
  restarts: number;
}

class RetryableError extends Error {
  constructor(
    message: string,
    /** The server said when to come back (Retry-After). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** The longest Retry-After honoured: a server asking for more is reported, not waited for. */
export const MAX_RETRY_AFTER_MS = 300_000;

/** Retry-After as milliseconds from now: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(v: string | null, now = Date.now()): number | undefined {
  if (v === null) return undefined;
  if (/^\s*\d+\s*$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

export async function downloadResumable(o: ResumableDownloadOptions): Promise<ResumableDownloadResult> {
  let failures = 0;
  const result: ResumableDownloadResult = { size: 0, resumes: 0, restarts: 0 };
  for (;;) {
    o.signal.throwIfAborted();
    const before = currentSize(o);
    try {
      const done = await attempt(o, result);
      if (done) return result;
      if (result.restarts > o.retries + 1) throw new StageInputError(`${o.url}: gave up after ${result.restarts} restarts from byte 0`);
    } catch (e) {
      if (o.signal.aborted) throw e;
      if (!(e instanceof RetryableError)) throw e;
      failures = currentSize(o) > before ? 0 : failures + 1;
      if (failures > o.retries) throw new StageInputError(`${o.url}: giving up after ${o.retries} retries without progress: ${e.message}`);
      const backoff = Math.min(60_000, o.backoffMs * 2 ** Math.max(0, failures - 1));
      if (e.retryAfterMs !== undefined && e.retryAfterMs > MAX_RETRY_AFTER_MS)
        throw new StageInputError(
          `${o.url}: ${e.message}, and the server asks to retry after ${Math.round(e.retryAfterMs / 1000)} s (more than ${MAX_RETRY_AFTER_MS / 1000} s): try again later`,
        );
      const wait = Math.max(backoff, e.retryAfterMs ?? 0);
      o.log(`download interrupted (${e.message}); retrying in ${wait} ms${e.retryAfterMs !== undefined ? " (Retry-After)" : ""} from byte ${currentSize(o)}`);
      await sleep(wait, undefined, { signal: o.signal });
    }
  }
}

function loadState(o: ResumableDownloadOptions): PartialState | undefined {
  if (!existsSync(o.statePath) || !existsSync(o.partialPath)) return undefined;
  try {
    const s = JSON.parse(readFileSync(o.statePath, "utf8")) as PartialState;
    return s.url === o.url ? s : undefined;
  } catch {
    return undefined;
  }
}

function currentSize(o: ResumableDownloadOptions): number {
  return loadState(o) && existsSync(o.partialPath) ? statSync(o.partialPath).size : 0;
}

function restart(o: ResumableDownloadOptions, r: ResumableDownloadResult, why: string): false {
  o.log(`restarting download from byte 0: ${why}`);
  closeSync(openSync(o.partialPath, "w"));
  writeFileSync(o.statePath, JSON.stringify({ url: o.url }));
  r.restarts++;
  return false;
}

/** One request. Returns true when the file is complete, false to go again at once; throws RetryableError to back off. */
async function attempt(o: ResumableDownloadOptions, r: ResumableDownloadResult): Promise<boolean> {
  const state = loadState(o);
  const have = state ? statSync(o.partialPath).size : 0;
  if (state && state.total !== undefined && have === state.total && have > 0) {
    Object.assign(r, { size: have, etag: state.etag, lastModified: state.lastModified });
    return true;
  }
  const ac = new AbortController();
  const onAbort = () => ac.abort(o.signal.reason);
  o.signal.addEventListener("abort", onAbort);
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => ac.abort(new RetryableError(`no data for ${o.timeoutMs} ms`)), o.timeoutMs);
  };
  let fd: number | undefined;
  try {
    arm();
    const headers: Record<string, string> = { "accept-encoding": "identity" };
    if (have > 0) {
      headers.range = `bytes=${have}-`;
      const validator = state?.etag ?? state?.lastModified;
      if (validator) headers["if-range"] = validator;
    }
    const res = await fetch(o.url, { headers, signal: ac.signal, redirect: "follow" });
    const etag = res.headers.get("etag") ?? undefined;
    const lastModified = res.headers.get("last-modified") ?? undefined;
    if (res.status === 416 && have > 0) return restart(o, r, "server rejected the range");
    if (res.status >= 500 || res.status === 408 || res.status === 429)
      throw new RetryableError(`HTTP ${res.status} ${res.statusText}`, parseRetryAfter(res.headers.get("retry-after")));
    if (res.status !== 200 && res.status !== 206) throw new StageInputError(`${o.url}: HTTP ${res.status} ${res.statusText}`);
    let from = 0;
    let total: number | undefined;
    if (res.status === 206) {
      const cr = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers.get("content-range") ?? "");
      if (!cr || Number(cr[1]) !== have) return restart(o, r, `unexpected Content-Range '${res.headers.get("content-range")}'`);
      if (state?.etag && etag && etag !== state.etag) return restart(o, r, `the resource changed (ETag ${state.etag} → ${etag})`);
      from = have;
      total = cr[3] === "*" ? undefined : Number(cr[3]);
      r.resumes++;
    } else {
      if (have > 0) {
        o.log(`server answered the range request with the whole resource (Range ignored or resource changed); restarting from byte 0`);
        r.restarts++;
      }
      const len = res.headers.get("content-length");
      total = len === null ? undefined : Number(len);
    }
    writeFileSync(o.statePath, JSON.stringify({ url: o.url, etag, lastModified, total } satisfies PartialState));
    fd = openSync(o.partialPath, from > 0 ? "a" : "w");
    let size = from;
    if (!res.body) throw new RetryableError("response without a body");
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        arm();
        for (let off = 0; off < chunk.length;) off += writeSync(fd, chunk, off, chunk.length - off);
        size += chunk.length;
        o.onBytes(size, total);
      }
    } catch (e) {
      if (o.signal.aborted) throw e;
      const reason = ac.signal.reason instanceof RetryableError ? ac.signal.reason.message : (e as Error).message;
      throw new RetryableError(`connection lost after ${size} bytes (${reason})`);
    }
    if (total !== undefined && size < total) throw new RetryableError(`connection closed after ${size} of ${total} bytes`);
    if (total !== undefined && size > total) return restart(o, r, `received ${size} bytes, more than the announced ${total}`);
    Object.assign(r, { size, etag, lastModified });
    return true;
  } catch (e) {
    if (o.signal.aborted || e instanceof RetryableError || e instanceof StageInputError) throw e;
    if (ac.signal.reason instanceof RetryableError) throw ac.signal.reason;
    throw new RetryableError((e as Error & { cause?: Error }).cause?.message ?? (e as Error).message);
  } finally {
    clearTimeout(timer);
    o.signal.removeEventListener("abort", onAbort);
    if (fd !== undefined) closeSync(fd);
  }
}
