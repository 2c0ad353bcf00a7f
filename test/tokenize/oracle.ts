// Spawns the Python oracle (real Hugging Face tokenizers/transformers). Missing packages fail the test loudly.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../helpers/paths.js";

const SCRIPT = () => join(repoRoot(), "test", "tokenize", "oracle", "hf_oracle.py");

export function oracle(args: string[]): string {
  const r = spawnSync("python3", [SCRIPT(), ...args], { encoding: "utf8", maxBuffer: 1 << 28 });
  if (r.error) throw new Error(`cannot run python3 for the HF oracle (${r.error.message}): install Python 3, then pip install -r test/python-requirements.txt`);
  if (r.status === 3) throw new Error(`HF oracle packages missing: pip install -r test/python-requirements.txt\n${r.stderr}`);
  if (r.status !== 0) throw new Error(`HF oracle ${args[0]} failed (status ${r.status}):\n${r.stderr}`);
  return r.stdout;
}

const tmp = () => mkdtempSync(join(tmpdir(), "tok-oracle-"));

/** HF ids (with [CLS]/[SEP]) of each sequence under our tokenizer.json. */
export function hfEncode(tokenizerJson: string, seqs: string[]): number[][] {
  const d = tmp();
  writeFileSync(join(d, "in.json"), JSON.stringify(seqs));
  oracle(["encode", "--tokenizer", tokenizerJson, "--input", join(d, "in.json"), "--out", join(d, "out.json")]);
  return JSON.parse(readFileSync(join(d, "out.json"), "utf8"));
}

/** HF BpeTrainer's tokenizer.json for the same corpus and settings. */
export function hfTrainBpe(lines: string[], vocabSize: number, minFrequency: number): any {
  const d = tmp();
  writeFileSync(join(d, "corpus.txt"), lines.join("\n") + "\n");
  oracle([
    "train",
    "--corpus",
    join(d, "corpus.txt"),
    "--vocab-size",
    String(vocabSize),
    "--min-frequency",
    String(minFrequency),
    "--out",
    join(d, "tok.json"),
  ]);
  return JSON.parse(readFileSync(join(d, "tok.json"), "utf8"));
}

export function transformersCheck(tokenizerDir: string, seqs: string[]): any {
  const d = tmp();
  writeFileSync(join(d, "in.json"), JSON.stringify(seqs));
  return JSON.parse(oracle(["transformers", "--tokenizer-dir", tokenizerDir, "--input", join(d, "in.json")]));
}

/** Ids of BertTokenizer(vocab.txt, do_lower_case=False) on DNABERT's seq2kmer text: how DNABERT loads its vocab. */
export function bertVocabEncode(vocabTxt: string, k: number, seqs: string[]): number[][] {
  const d = tmp();
  writeFileSync(join(d, "in.json"), JSON.stringify(seqs));
  oracle(["bert-vocab", "--vocab", vocabTxt, "--k", String(k), "--input", join(d, "in.json"), "--out", join(d, "out.json")]);
  return JSON.parse(readFileSync(join(d, "out.json"), "utf8"));
}
