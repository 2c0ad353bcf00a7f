// SVG building blocks: escaping, a colour palette, linear scales and "nice" axis ticks.
import { escapeHtml } from "./table.js";

export const esc = escapeHtml;

/** Colour-blind-friendly palette (Okabe–Ito, then Tol muted). */
export const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#332288", "#882255", "#117733", "#999933", "#AA4499"];
export const color = (i: number) => PALETTE[i % PALETTE.length];

export interface Scale {
  (v: number): number;
  domain: [number, number];
}

export function linear(domain: [number, number], range: [number, number]): Scale {
  const [d0, d1] = domain[0] === domain[1] ? [domain[0] - 1, domain[1] + 1] : domain;
  const f = ((v: number) => range[0] + ((v - d0) / (d1 - d0)) * (range[1] - range[0])) as Scale;
  f.domain = [d0, d1];
  return f;
}

/** About `count` round tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (lo === hi) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  return out;
}

/** Extends [lo, hi] to round tick values. */
export function niceDomain(lo: number, hi: number): [number, number] {
  if (lo === hi) return [lo - (Math.abs(lo) || 1) * 0.1, hi + (Math.abs(hi) || 1) * 0.1];
  const t = ticks(lo, hi);
  const step = t.length > 1 ? t[1] - t[0] : Math.abs(hi - lo);
  return [Math.floor(lo / step) * step, Math.ceil(hi / step) * step];
}

export function formatTick(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 10000) return `${Number((v / 1000).toPrecision(3))}k`;
  return String(Number(v.toPrecision(3)));
}

export function legend(items: Array<{ label: string; color: string; dashed?: boolean }>, x: number, y: number, width: number): { svg: string; height: number } {
  let cx = x;
  let cy = y;
  const parts: string[] = [];
  for (const it of items) {
    const w = 22 + it.label.length * 6.6;
    if (cx + w > x + width && cx > x) {
      cx = x;
      cy += 18;
    }
    const mark = it.dashed
      ? `<line x1="${cx}" y1="${cy - 4}" x2="${cx + 14}" y2="${cy - 4}" stroke="${it.color}" stroke-width="2" stroke-dasharray="4 2"/>`
      : `<rect x="${cx}" y="${cy - 10}" width="12" height="12" fill="${it.color}"/>`;
    parts.push(`${mark}<text x="${cx + 18}" y="${cy}" class="legend">${esc(it.label)}</text>`);
    cx += w + 10;
  }
  return { svg: `<g class="legend">${parts.join("")}</g>`, height: cy - y + 18 };
}
