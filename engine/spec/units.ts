// Durations ("10m") and sizes ("4G") as users write them in YAML.

const DURATION = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)$/;
const MS: Record<string, number> = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 };

/** Milliseconds from seconds (number) or "90s"/"10m"/"2h"/"1d"; undefined if malformed. */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v === "number" && v > 0) return v * 1000;
  const m = typeof v === "string" ? DURATION.exec(v.trim()) : null;
  return m ? Number(m[1]) * MS[m[2]] : undefined;
}

const SIZE = /^([0-9]+(?:\.[0-9]+)?)\s*([KMGT]?)(i?)(B?)$/i;
const POW: Record<string, number> = { "": 0, K: 1, M: 2, G: 3, T: 4 };

/** Bytes from a number or "512M"/"4G"/"4GiB" (binary units: memory sizes are conventionally powers of 1024). */
export function parseSize(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v) && v >= 0) return Math.floor(v);
  const m = typeof v === "string" ? SIZE.exec(v.trim()) : null;
  return m ? Math.floor(Number(m[1]) * 1024 ** POW[m[2].toUpperCase()]) : undefined;
}

export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) [n, i] = [n / 1024, i + 1];
  return `${i ? n.toFixed(1) : n} ${units[i]}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.floor(s % 60)).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}
