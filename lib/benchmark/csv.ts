// CSV records with their line numbers (csv-parse: quoting, CRLF, BOM), for messages that point at file:line.
import { readFile } from "node:fs/promises";
import { parse } from "csv-parse/sync";
import { StageInputError } from "../../core/errors.js";

export interface CsvRecord {
  fields: string[];
  /** 1-based line where the record ends (csv-parse counts lines, so quoted newlines are accounted for). */
  line: number;
}

export interface CsvTable {
  /** Lower-cased, trimmed header names. */
  header: string[];
  records: CsvRecord[];
}

/** Parses CSV text with a header row. `where` names the file in messages ("path" → "path:LINE: ..."). */
export function parseCsv(text: string, where: string): CsvTable {
  let rows: Array<{ record: string[]; info: { lines: number } }>;
  try {
    rows = parse(text, { info: true, relax_column_count: true, skip_empty_lines: false, bom: true }) as unknown as typeof rows;
  } catch (e) {
    const err = e as Error & { lines?: number; code?: string };
    if (err.code === "CSV_QUOTE_NOT_CLOSED") {
      // csv-parse notices at the end of the file; the user needs the line where the quote opens.
      throw new StageInputError(`${where}:${unclosedQuoteLine(text) ?? err.lines ?? "?"}: a quoted field opens here and is never closed (missing ")`);
    }
    throw new StageInputError(`${where}:${err.lines ?? "?"}: ${err.message.replace(/ at line \d+/, "")}`);
  }
  if (!rows.length) throw new StageInputError(`${where}:1: empty file (expected a header row)`);
  const header = rows[0].record.map((h) => h.trim().toLowerCase());
  return { header, records: rows.slice(1).map((r) => ({ fields: r.record, line: r.info.lines })) };
}

export async function readCsv(path: string, where = path): Promise<CsvTable> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new StageInputError(`${where}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseCsv(text, where);
}

/** A record that is one empty field: an empty line (csv-parse keeps it when skip_empty_lines is off). */
export const isEmptyLine = (r: CsvRecord) => r.fields.length === 1 && r.fields[0].trim() === "";

/** Column index of a required header name; a helpful message when absent. */
export function column(table: CsvTable, name: string, where: string, aliases: string[] = []): number {
  for (const n of [name, ...aliases]) {
    const i = table.header.indexOf(n);
    if (i >= 0) return i;
  }
  throw new StageInputError(`${where}:1: header has no '${name}' column (found: ${table.header.join(",")})`);
}

/** Line (1-based) of the opening quote left open at the end of the text, as csv-parse quotes: `""` inside is a quote. */
export function unclosedQuoteLine(text: string): number | undefined {
  let line = 1;
  let openedAt: number | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    else if (c === 34) {
      if (openedAt === undefined) openedAt = line;
      else if (text.charCodeAt(i + 1) === 34) i++;
      else openedAt = undefined;
    }
  }
  return openedAt;
}
