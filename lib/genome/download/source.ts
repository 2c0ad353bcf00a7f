// Resolves where a download comes from and what checksum it must have (params over preset over checksum file).
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { StageInputError } from "../../../core/errors.js";
import { findChecksum, type Checksum } from "./checksums.js";
import { PRESETS, type DownloadSource } from "./presets.js";

export function resolveSource(p: Partial<DownloadSource> & { preset?: string }): DownloadSource {
  const preset = p.preset ? PRESETS[p.preset] : undefined;
  if (p.preset && !preset) throw new StageInputError(`unknown preset '${p.preset}' (known: ${Object.keys(PRESETS).join(", ")})`);
  // A url given with a preset (an offline mirror) keeps the preset's checksum: a different file fails verification.
  const pick = (o: Partial<DownloadSource>) => defined({ url: o.url, md5: o.md5, sha256: o.sha256, checksumUrl: o.checksumUrl });
  const src = { ...(preset ? pick(preset) : {}), ...pick(p) };
  if (!src.url) throw new StageInputError(`genome/download: give a url or a preset (${Object.keys(PRESETS).join(", ")})`);
  return src as DownloadSource;
}

export const isHttp = (url: string) => /^https?:\/\//i.test(url);

/** A local path for file:// URLs and plain paths; undefined for http(s). */
export function localPath(url: string): string | undefined {
  if (isHttp(url)) return undefined;
  return url.startsWith("file:") ? fileURLToPath(url) : url;
}

export function fileNameOf(url: string): string {
  const path = isHttp(url) ? new URL(url).pathname : (localPath(url) ?? url);
  return decodeURIComponent(path.replace(/^.*\//, ""));
}

/** Expected checksums: the ones given, else the one listed for the file in checksumUrl. */
export async function expectedChecksums(src: DownloadSource, signal: AbortSignal): Promise<Checksum[]> {
  const out: Checksum[] = [];
  if (src.sha256) out.push({ algorithm: "sha256", value: src.sha256.toLowerCase() });
  if (src.md5) out.push({ algorithm: "md5", value: src.md5.toLowerCase() });
  if (out.length || !src.checksumUrl) return out;
  const text = await fetchText(src.checksumUrl, signal);
  const name = fileNameOf(src.url);
  const found = findChecksum(text, name);
  if (!found) throw new StageInputError(`${src.checksumUrl}: no checksum listed for '${name}'`);
  return [found];
}

async function fetchText(url: string, signal: AbortSignal): Promise<string> {
  const local = localPath(url);
  if (local !== undefined) return readFile(local, "utf8");
  let last = "";
  for (let i = 0; i < 4; i++) {
    try {
      const res = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(60_000)]) });
      if (res.ok) return await res.text();
      last = `HTTP ${res.status}`;
      if (res.status < 500) break;
    } catch (e) {
      if (signal.aborted) throw e;
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 500 * 2 ** i));
  }
  throw new StageInputError(`${url}: cannot read the checksum file (${last})`);
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
