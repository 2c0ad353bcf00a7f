// Grouped bar chart: one group per category (task), one bar per series (variant), optional ± error bars and
// reference ticks (published numbers). Handles negative values (gain charts) with a zero line.
import { svg } from "./line-chart.js";
import { color, esc, formatTick, legend, linear, niceDomain, ticks } from "./svg.js";

export interface BarSeries {
  label: string;
  /** One value per category (null: no bar). */
  values: Array<number | null>;
  errors?: Array<number | null>;
}

export interface ReferenceMark {
  label: string;
  /** Value per category (null: none). */
  values: Array<number | null>;
}

export function barChart(
  categories: string[],
  series: BarSeries[],
  o: { title: string; yLabel: string; references?: ReferenceMark[]; width?: number; height?: number },
): string {
  const refs = o.references ?? [];
  // Category labels are drawn at 30°: leave room for the longest below the axis.
  const longest = Math.max(0, ...categories.map((c) => c.length));
  const m = { l: 64, r: 16, t: 34, b: 30 + Math.min(180, longest * 3.4) };
  const plotH = o.height ?? 260;
  const groupW = Math.max(40, series.length * 18 + 16);
  const W = Math.max(o.width ?? 760, m.l + m.r + categories.length * groupW);
  const all: number[] = [0];
  series.forEach((s) =>
    s.values.forEach((v, i) => v !== null && Number.isFinite(v) && all.push(v + Math.abs(s.errors?.[i] ?? 0), v - Math.abs(s.errors?.[i] ?? 0))),
  );
  refs.forEach((r) => r.values.forEach((v) => v !== null && all.push(v)));
  const [lo, hi] = niceDomain(Math.min(...all), Math.max(...all));
  const y = linear([lo, hi], [m.t + plotH, m.t]);
  const band = (W - m.l - m.r) / Math.max(1, categories.length);
  const barW = Math.min(28, (band - 12) / Math.max(1, series.length));
  const items = [
    ...series.map((s, i) => ({ label: s.label, color: color(i) })),
    ...refs.map((r, i) => ({ label: r.label, color: REF_COLORS[i % REF_COLORS.length], dashed: true })),
  ];
  const lg = legend(items, m.l, m.t + plotH + m.b, W - m.l - m.r);
  const H = m.t + plotH + m.b + lg.height;
  const parts: string[] = [`<text x="${W / 2}" y="20" class="title" text-anchor="middle">${esc(o.title)}</text>`];
  for (const t of ticks(y.domain[0], y.domain[1]))
    parts.push(
      `<line x1="${m.l}" x2="${W - m.r}" y1="${y(t)}" y2="${y(t)}" class="grid"/><text x="${m.l - 6}" y="${y(t) + 4}" text-anchor="end" class="tick">${formatTick(t)}</text>`,
    );
  parts.push(
    `<line x1="${m.l}" x2="${W - m.r}" y1="${y(0)}" y2="${y(0)}" class="axis"/><line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${m.t + plotH}" class="axis"/>`,
  );
  parts.push(`<text transform="translate(16 ${m.t + plotH / 2}) rotate(-90)" text-anchor="middle" class="label">${esc(o.yLabel)}</text>`);
  categories.forEach((c, ci) => {
    const gx = m.l + ci * band + (band - barW * series.length) / 2;
    series.forEach((s, si) => {
      const v = s.values[ci];
      if (v === null || !Number.isFinite(v)) return;
      const bx = gx + si * barW;
      const top = Math.min(y(v), y(0));
      const h = Math.max(0.5, Math.abs(y(v) - y(0)));
      const err = s.errors?.[ci];
      const tip = `${s.label} · ${c}: ${v.toFixed(3)}${err ? ` ± ${err.toFixed(3)}` : ""}`;
      parts.push(
        `<rect class="bar" x="${bx.toFixed(1)}" y="${top.toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${color(si)}"><title>${esc(tip)}</title></rect>`,
      );
      if (err) {
        const cx = bx + (barW - 2) / 2;
        parts.push(`<path class="err" d="M${cx},${y(v + err)}V${y(v - err)}M${cx - 3},${y(v + err)}h6M${cx - 3},${y(v - err)}h6" stroke="#333" fill="none"/>`);
      }
    });
    refs.forEach((r, ri) => {
      const v = r.values[ci];
      if (v === null) return;
      const x0 = m.l + ci * band + 4;
      parts.push(
        `<line class="reference" x1="${x0}" x2="${x0 + band - 8}" y1="${y(v)}" y2="${y(v)}" stroke="${REF_COLORS[ri % REF_COLORS.length]}" stroke-width="2" stroke-dasharray="6 3"><title>${esc(`${r.label} · ${c}: ${v.toFixed(3)}`)}</title></line>`,
      );
    });
    const lx = m.l + ci * band + band / 2;
    parts.push(`<text transform="translate(${lx} ${m.t + plotH + 12}) rotate(30)" class="tick">${esc(c)}</text>`);
  });
  parts.push(lg.svg);
  return svg(W, H, "bar-chart", o.title, parts);
}

const REF_COLORS = ["#222222", "#777777", "#B8860B", "#8B0000"];
