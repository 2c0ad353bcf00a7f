// Reads benchmark sequences from CSV files with a header naming a `sequence` column (GUE: `sequence,label`), with
// the same CSV reader as data/benchmark (csv-parse: quoted values, CRLF, a UTF-8 BOM), so both read a file alike and
// errors point at file:line. Labels are integers when present. Benchmark CSVs are small (GUE: at most ~60k short
// rows), so a file is parsed whole.
import { column, isEmptyLine, readCsv } from "../benchmark/csv.js";

export interface LabeledSequence {
  sequence: string;
  label?: number;
}

export interface SequencesCsv {
  /** Whether the header names a `label` column. */
  labels: boolean;
  rows: LabeledSequence[];
}

/** The rows of one CSV file; bad input throws StageInputError naming `path:line`. */
export async function readSequencesCsv(path: string): Promise<SequencesCsv> {
  const table = await readCsv(path);
  const seqCol = column(table, "sequence", path);
  const labelCol = table.header.indexOf("label");
  const rows: LabeledSequence[] = [];
  for (const r of table.records) {
    if (isEmptyLine(r)) continue;
    const sequence = r.fields[seqCol];
    if (sequence === undefined)
      throw new Error(`${path}:${r.line}: missing sequence cell (the header has ${table.header.length} columns, this line ${r.fields.length})`);
    if (labelCol < 0) {
      rows.push({ sequence });
      continue;
    }
    const cell = r.fields[labelCol];
    const label = cell === undefined || cell.trim() === "" ? NaN : Number(cell);
    if (!Number.isInteger(label)) throw new Error(`${path}:${r.line}: label '${cell ?? ""}' is not an integer`);
    rows.push({ sequence, label });
  }
  return { labels: labelCol >= 0, rows };
}
