// Training data in words, from the keyed recipe behind a model's inputs (StageContext.lineage): the genome and how
// it was cleaned, segmented and tokenized. Only keyed facts, so the card is the same wherever the model is made.
import { PRESETS } from "../genome/download/presets.js";

export interface LineageStep {
  uses?: string;
  run?: string[];
  params: Record<string, unknown>;
}

const find = (l: LineageStep[], name: string) => l.filter((s) => s.uses?.startsWith(`${name}@`));
const kv = (p: Record<string, unknown>, keys: string[]) =>
  keys
    .filter((k) => p[k] !== undefined && !(Array.isArray(p[k]) && !(p[k] as unknown[]).length))
    .map((k) => `${k} ${typeof p[k] === "object" ? JSON.stringify(p[k]) : String(p[k])}`)
    .join(", ");

/** Genome, cleaning, segments and tokenizer rows, plus Hub `datasets` entries naming the genome build. */
export function trainingData(lineage: LineageStep[]): { rows: Array<[string, string]>; datasets: string[]; recipe: string } {
  const rows: Array<[string, string]> = [];
  const datasets: string[] = [];
  for (const d of find(lineage, "genome/download")) {
    const preset = d.params.preset as string | undefined;
    if (preset && PRESETS[preset]) {
      rows.push(["genome", `${preset}: ${PRESETS[preset].description}`]);
      datasets.push(preset);
    } else if (d.params.url) rows.push(["genome", String(d.params.url)]);
  }
  if (!rows.length && lineage.length) rows.push(["genome", "a FASTA/2bit file given to the pipeline (its content digest is part of the key)"]);
  for (const s of find(lineage, "genome/strip-n"))
    rows.push(["N removal (genome/strip-n)", kv(s.params, ["minLength", "include", "exclude", "keepSoftMask", "ambiguous"])]);
  for (const s of find(lineage, "genome/segment"))
    rows.push(["segments (genome/segment)", kv(s.params, ["mode", "min", "max", "window", "stride", "seed", "reverseComplement"])]);
  for (const s of find(lineage, "genome/split"))
    rows.push([
      "split (genome/split)",
      kv(
        s.params,
        Object.keys(s.params).filter((k) => k !== "shardBases"),
      ),
    ]);
  for (const s of find(lineage, "tokenize/train"))
    rows.push(["tokenizer (tokenize/train)", kv(s.params, ["kind", "k", "stride", "vocabSize", "minFrequency", "modelMaxLength"])]);
  for (const s of find(lineage, "tokenize/encode")) rows.push(["token shards (tokenize/encode)", kv(s.params, ["maxLength", "packing"])]);
  for (const s of find(lineage, "data/benchmark")) rows.push(["benchmark (data/benchmark)", kv(s.params, ["tasks", "kind"])]);
  const recipe = lineage.map((s) => `- ${s.uses ? `\`${s.uses}\`` : `\`run: ${(s.run ?? []).join(" ")}\``} ${JSON.stringify(s.params)}`).join("\n");
  return { rows, datasets, recipe };
}
