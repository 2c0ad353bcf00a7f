// One split file of a benchmark task (header with `sequence` and `label`; other columns ignored), checked row by row:
// every problem is a StageInputError naming file:line.
import { StageInputError } from "../../core/errors.js";
import { column, isEmptyLine, parseCsv } from "./csv.js";

export interface SplitData {
  /** Uppercase sequences. */
  sequences: string[];
  /** Labels as written (trimmed). */
  labels: string[];
  values: number[];
  /** Line of each row in the source file. */
  lines: number[];
}

const DNA = /^[ACGTN]+$/;

export function parseTaskSplit(text: string, where: string): SplitData {
  const t = parseCsv(text, where);
  const si = column(t, "sequence", where, ["seq", "sequences"]);
  const li = column(t, "label", where, ["labels", "target", "y"]);
  const width = t.header.length;
  const out: SplitData = { sequences: [], labels: [], values: [], lines: [] };
  if (!t.records.length || t.records.every(isEmptyLine)) throw new StageInputError(`${where}:1: no rows, only a header`);
  for (const r of t.records) {
    const at = `${where}:${r.line}`;
    if (isEmptyLine(r)) throw new StageInputError(`${at}: empty line`);
    if (r.fields.length !== width) throw new StageInputError(`${at}: expected ${width} columns (${t.header.join(",")}), found ${r.fields.length}`);
    const seq = r.fields[si].trim().toUpperCase();
    const label = r.fields[li].trim();
    if (!seq) throw new StageInputError(`${at}: empty sequence`);
    if (!DNA.test(seq)) {
      const pos = [...seq].findIndex((c) => !"ACGTN".includes(c));
      throw new StageInputError(`${at}: sequence has ${JSON.stringify(seq[pos])} at position ${pos + 1}; only A, C, G, T and N are allowed`);
    }
    if (!label) throw new StageInputError(`${at}: missing label`);
    const v = Number(label);
    if (!Number.isFinite(v)) throw new StageInputError(`${at}: label '${label}' is not a number`);
    out.sequences.push(seq);
    out.labels.push(label);
    out.values.push(v);
    out.lines.push(r.line);
  }
  return out;
}

/** Normalized CSV: header `sequence,label`, uppercase sequence, the label as a canonical number. */
export function formatTaskSplit(d: SplitData): string {
  const parts = ["sequence,label\n"];
  for (let i = 0; i < d.sequences.length; i++) parts.push(`${d.sequences[i]},${String(d.values[i])}\n`);
  return parts.join("");
}
