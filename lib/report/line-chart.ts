// Line chart of pretraining loss against step, one line per run; dashed vertical lines mark phase boundaries
// (e.g. RandomMask's masking-rate phases), labelled with the phase that starts there.
import { color, esc, formatTick, legend, linear, niceDomain, ticks } from "./svg.js";

export interface LineSeries {
  label: string;
  /** lo/hi: an error bar (e.g. a confidence interval) at the point. */
  points: Array<{ x: number; y: number; lo?: number; hi?: number }>;
  /** Where a new phase starts: x and the phase's name. */
  marks?: Array<{ x: number; label: string }>;
}

export function lineChart(
  series: LineSeries[],
  o: { title: string; xLabel: string; yLabel: string; width?: number; height?: number; zeroLine?: boolean },
): string {
  const W = o.width ?? 760;
  const plotH = o.height ?? 300;
  const m = { l: 64, r: 16, t: 34, b: 44 };
  const pts = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const [x0, x1] = pts.length ? [Math.min(...pts.map((p) => p.x)), Math.max(...pts.map((p) => p.x))] : [0, 1];
  const ys = pts.flatMap((p) => [p.y, p.lo, p.hi]).filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (o.zeroLine) ys.push(0);
  const [y0, y1] = niceDomain(ys.length ? Math.min(...ys) : 0, ys.length ? Math.max(...ys) : 1);
  const x = linear([x0, x1], [m.l, W - m.r]);
  const y = linear([y0, y1], [m.t + plotH, m.t]);
  const lg = legend(
    series.map((s, i) => ({ label: s.label, color: color(i) })),
    m.l,
    m.t + plotH + 40,
    W - m.l - m.r,
  );
  const H = m.t + plotH + 40 + lg.height;
  const parts: string[] = [];
  parts.push(`<text x="${W / 2}" y="20" class="title" text-anchor="middle">${esc(o.title)}</text>`);
  for (const t of ticks(y.domain[0], y.domain[1]))
    parts.push(
      `<line x1="${m.l}" x2="${W - m.r}" y1="${y(t)}" y2="${y(t)}" class="grid"/><text x="${m.l - 6}" y="${y(t) + 4}" text-anchor="end" class="tick">${formatTick(t)}</text>`,
    );
  for (const t of ticks(x.domain[0], x.domain[1], 6))
    parts.push(`<text x="${x(t)}" y="${m.t + plotH + 16}" text-anchor="middle" class="tick">${formatTick(t)}</text>`);
  parts.push(
    `<line x1="${m.l}" x2="${W - m.r}" y1="${m.t + plotH}" y2="${m.t + plotH}" class="axis"/><line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${m.t + plotH}" class="axis"/>`,
  );
  parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${m.t + plotH + 34}" text-anchor="middle" class="label">${esc(o.xLabel)}</text>`);
  parts.push(`<text transform="translate(16 ${m.t + plotH / 2}) rotate(-90)" text-anchor="middle" class="label">${esc(o.yLabel)}</text>`);
  if (o.zeroLine && y.domain[0] < 0 && y.domain[1] > 0)
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y(0)}" y2="${y(0)}" class="axis" stroke-dasharray="3 3"/>`);
  series.forEach((s, i) => {
    for (const p of s.points)
      if (p.lo !== undefined && p.hi !== undefined && Number.isFinite(p.lo) && Number.isFinite(p.hi))
        parts.push(
          `<g class="error-bar"><line x1="${x(p.x)}" x2="${x(p.x)}" y1="${y(p.lo).toFixed(1)}" y2="${y(p.hi).toFixed(1)}" stroke="${color(i)}" stroke-width="1.4"/>` +
            `<line x1="${x(p.x) - 4}" x2="${x(p.x) + 4}" y1="${y(p.lo).toFixed(1)}" y2="${y(p.lo).toFixed(1)}" stroke="${color(i)}"/>` +
            `<line x1="${x(p.x) - 4}" x2="${x(p.x) + 4}" y1="${y(p.hi).toFixed(1)}" y2="${y(p.hi).toFixed(1)}" stroke="${color(i)}"/>` +
            `<title>${esc(`${s.label}: ${p.x}: ${formatTick(p.y)} [${formatTick(p.lo)}, ${formatTick(p.hi)}]`)}</title></g>`,
        );
    for (const mk of s.marks ?? [])
      parts.push(
        `<g class="phase-boundary"><line x1="${x(mk.x)}" x2="${x(mk.x)}" y1="${m.t}" y2="${m.t + plotH}" stroke="${color(i)}" stroke-dasharray="5 4" stroke-width="1.2"/>` +
          `<text x="${x(mk.x) + 3}" y="${m.t + 12 + 12 * (i % 3)}" class="mark" fill="${color(i)}">${esc(mk.label)}</text><title>${esc(`${s.label}: phase ${mk.label} from step ${mk.x}`)}</title></g>`,
      );
    const d = s.points
      .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
      .map((p, j) => `${j ? "L" : "M"}${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`)
      .join("");
    parts.push(`<path d="${d}" fill="none" stroke="${color(i)}" stroke-width="1.6" class="series"><title>${esc(s.label)}</title></path>`);
  });
  parts.push(lg.svg);
  return svg(W, H, "line-chart", o.title, parts);
}

export function svg(w: number, h: number, cls: string, title: string, parts: string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart ${cls}" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(title)}">${parts.join("")}</svg>`;
}
