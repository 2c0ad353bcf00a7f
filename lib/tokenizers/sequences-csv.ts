// Reads benchmark sequences from CSV files with a header naming a `sequence` column (GUE: `sequence,label`).
// Streams line by line; labels are integers when present.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";

export interface LabeledSequence {
  sequence: string;
  label?: number;
}

export async function* readSequencesCsv(path: string): AsyncGenerator<LabeledSequence> {
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let seqCol = -1;
  let labelCol = -1;
  let line = 0;
  for await (const text of rl) {
    line++;
    if (!text.length) continue;
    const cells = text.split(",");
    if (seqCol < 0) {
      seqCol = cells.indexOf("sequence");
      labelCol = cells.indexOf("label");
      if (seqCol < 0) throw new Error(`${path}:1: header has no 'sequence' column (got '${text.slice(0, 80)}')`);
      continue;
    }
    const sequence = cells[seqCol];
    if (sequence === undefined) throw new Error(`${path}:${line}: missing sequence cell`);
    let label: number | undefined;
    if (labelCol >= 0) {
      label = Number(cells[labelCol]);
      if (!Number.isInteger(label)) throw new Error(`${path}:${line}: label '${cells[labelCol]}' is not an integer`);
    }
    yield { sequence, label };
  }
  if (seqCol < 0) throw new Error(`${path}: empty CSV (expected a header with a 'sequence' column)`);
}

/** Whether the CSV header names a label column. */
export async function csvHasLabels(path: string): Promise<boolean> {
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const text of rl) {
    rl.close();
    return text.split(",").includes("label");
  }
  return false;
}
