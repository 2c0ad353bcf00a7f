// A small table model rendered four ways: aligned terminal text, GitHub markdown, CSV (RFC 4180) and an HTML table.

export type Cell = string | number | null | undefined;

export interface Column {
  key: string;
  label: string;
  /** Numbers are right-aligned and formatted with `digits` decimals. */
  numeric?: boolean;
  digits?: number;
}

export interface Table {
  columns: Column[];
  rows: Cell[][];
}

export function formatCell(c: Cell, col: Column): string {
  if (c === null || c === undefined || (typeof c === "number" && !Number.isFinite(c))) return col.numeric ? "–" : "";
  if (typeof c === "number") return col.digits === undefined ? String(c) : c.toFixed(col.digits);
  return c;
}

export function toTerminal(t: Table): string {
  const cells = [t.columns.map((c) => c.label), ...t.rows.map((r) => t.columns.map((c, i) => formatCell(r[i], c)))];
  const widths = t.columns.map((_, i) => Math.max(...cells.map((r) => [...r[i]].length)));
  const line = (r: string[]) =>
    r
      .map((s, i) => (t.columns[i].numeric ? s.padStart(widths[i]) : s.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(cells[0]), widths.map((w) => "─".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n") + "\n";
}

export function toMarkdown(t: Table): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const head = `| ${t.columns.map((c) => esc(c.label)).join(" | ")} |`;
  const rule = `|${t.columns.map((c) => (c.numeric ? "---:" : "---")).join("|")}|`;
  return [head, rule, ...t.rows.map((r) => `| ${t.columns.map((c, i) => esc(formatCell(r[i], c))).join(" | ")} |`)].join("\n") + "\n";
}

/** Raw values (full precision), not the display format. */
export function toCsv(t: Table): string {
  const q = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const raw = (c: Cell) => (c === null || c === undefined || (typeof c === "number" && !Number.isFinite(c)) ? "" : String(c));
  return [t.columns.map((c) => q(c.key)).join(","), ...t.rows.map((r) => r.map((c) => q(raw(c))).join(","))].join("\n") + "\n";
}

export const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function toHtml(t: Table, cls = "results"): string {
  const th = t.columns.map((c) => `<th${c.numeric ? ' class="num"' : ""}>${escapeHtml(c.label)}</th>`).join("");
  const rows = t.rows.map(
    (r) => `<tr>${t.columns.map((c, i) => `<td${c.numeric ? ' class="num"' : ""}>${escapeHtml(formatCell(r[i], c))}</td>`).join("")}</tr>`,
  );
  return `<table class="${cls}"><thead><tr>${th}</tr></thead><tbody>${rows.join("")}</tbody></table>`;
}
