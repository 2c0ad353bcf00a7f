// Network knobs (retries, timeoutMs, backoffMs of genome/download and data/benchmark) cannot change what is fetched, so
// they are declared `unkeyed`: changing them keeps every key (the stage's and its dependants'), while any other param
// still changes the key. Every declared name is a real param with a default.
import { test } from "node:test";
import assert from "node:assert/strict";
import { planJson, tempProject } from "../helpers/cli.js";
import { builtinStages } from "../../stages/index.js";

const pipeline = (download: string, benchmark: string) => `
stages:
  genome:
    uses: genome/download@1
    with: { url: https://example.org/genome.fa.gz, sha256: "${"a".repeat(64)}"${download} }
  fragments:
    uses: genome/strip-n@1
    inputs: { fasta: "\${{ stages.genome.outputs.fasta }}" }
  benchmark:
    uses: data/benchmark@1
    with: { url: https://example.org/gue.zip, sha256: "${"b".repeat(64)}"${benchmark} }
`;

function keys(download = "", benchmark = ""): Record<string, string> {
  const dir = tempProject({ "p.yaml": pipeline(download, benchmark) });
  return Object.fromEntries(planJson(dir, "p.yaml").map((s) => [s.id, s.key]));
}

test("retries, timeoutMs and backoffMs leave the keys unchanged; other params still change them", () => {
  const base = keys();
  assert.deepEqual(Object.keys(base).sort(), ["benchmark", "fragments", "genome"]);
  assert.deepEqual(keys(", retries: 2, timeoutMs: 5000, backoffMs: 100", ", retries: 0, timeoutMs: 1, backoffMs: 0"), base);
  const other = keys(", allowUnverified: true", ", kind: regression");
  assert.notEqual(other.genome, base.genome);
  assert.notEqual(other.fragments, base.fragments, "a dependant's key follows its input's");
  assert.notEqual(other.benchmark, base.benchmark);
});

test("every declared unkeyed param is a top-level param with a default (so the key never misses a choice)", () => {
  const declared = builtinStages.filter((d) => d.unkeyed?.length);
  assert.deepEqual(declared.map((d) => d.name).sort(), ["data/benchmark", "genome/download", "genome/split"]);
  for (const def of declared) {
    const props = (def.params as { properties: Record<string, { default?: unknown }> }).properties;
    for (const name of def.unkeyed!) assert.ok(props[name] && "default" in props[name], `${def.name}: unkeyed '${name}' is not a defaulted param`);
  }
});
