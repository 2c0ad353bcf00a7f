// pipelines/quickstart.yaml (profile ci: the same DAG, fewer steps and training rows) end to end on the bundled data:
// three tokenizers → three tiny pretrained models → GUE prom_core_tata finetuned from each and from scratch → report.
// A rerun makes nothing; --set of only the finetune lr reruns only the finetune stages and the report.
// The same profile made again in another directory, with another store, -j 1 and other thread counts (resources.cpus:
// not part of the key) publishes the same keys with the same bytes in every output file.
// pipelines/ablation-tokenizers.yaml (the full-scale comparison) plans.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dnaflow, events, objectKeys, ran } from "../helpers/cli.js";
import { repoRoot } from "../helpers/paths.js";
import { byteDifferences, publishedBytes, quickstartProject } from "./quickstart-project.js";

const ENV = { DNAFLOW_PYTHON: process.env.DNAFLOW_PYTHON || "python3" };
const root = repoRoot();
const FILE = join(root, "pipelines", "quickstart.yaml");
const TOKENIZERS = ["kmer6", "bpe", "nucleotide"];

type PlanStage = { id: string; key: string; action: string; reasons: string[] };
const plan = (store: string, extra: string[] = []): PlanStage[] => {
  const r = dnaflow(["plan", FILE, "--json", "--store", store, "--profile", "ci", ...extra], { cwd: root, env: ENV });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout).stages;
};

let firstStore: string | undefined; // the first test's store, compared byte for byte by the second

test("quickstart (profile ci) runs through pretrain, finetune and report; rerun makes nothing; a finetune lr change reruns only finetune + report", () => {
  const store = mkdtempSync(join(tmpdir(), "quickstart-full-"));
  const args = ["run", FILE, "--store", store, "--profile", "ci", "--json"];
  const first = dnaflow(args, { cwd: tmpdir(), env: ENV });
  assert.equal(first.code, 0, first.stderr + first.stdout.slice(-3000));
  const done = ran(first.stdout);
  const finetunes = ["pretrained", "scratch"].flatMap((init) => TOKENIZERS.map((t) => `finetune[init=${init},tokenizer=${t}]`));
  for (const id of [...TOKENIZERS.map((t) => `pretrain[tokenizer=${t}]`), "benchmark", ...finetunes, "baseline", "report"]) assert.ok(done.includes(id), `${id} ran: ${done.join(" ")}`);

  const keyOf = (id: string) => events(first.stdout).find((e) => e.type === "stage-done" && e.id === id)!.key as string;
  // one metrics.json per tokenizer × init, in docs/evaluation.md's format
  for (const id of finetunes) {
    const m = JSON.parse(readFileSync(join(store, "objects", keyOf(id), "out", "metrics", "metrics.json"), "utf8"));
    assert.deepEqual([m.format, m.task, m.kind, m.primary, m.init], [1, "prom/prom_core_tata", "classification", "mcc", id.includes("scratch") ? "scratch" : "pretrained"]);
    assert.equal(m.splits.test.n, 613);
    assert.ok(m.splits.test.mcc >= -1 && m.splits.test.mcc <= 1);
    assert.equal(m.trainRows, 800, "the ci profile's subset of training rows");
  }
  // the pretraining masking per tokenizer comes from the tokenizers param mapping
  const pretrainShow = (t: string) => JSON.parse(dnaflow(["show", FILE, `pretrain[tokenizer=${t}]`, "--store", store, "--profile", "ci"], { cwd: root, env: ENV }).stdout);
  assert.equal(pretrainShow("kmer6").params.masking.strategy, "randommask");
  assert.equal(pretrainShow("bpe").params.masking.strategy, "bert");

  const report = join(store, "objects", keyOf("report"), "out", "report");
  const html = readFileSync(join(report, "report.html"), "utf8");
  assert.ok((html.match(/<svg/g) ?? []).length >= 2, "charts: metric per task and pretraining loss at least");
  for (const t of TOKENIZERS) assert.ok(html.includes(t), `report names ${t}`);
  assert.match(html, /init/);
  const csv = readFileSync(join(report, "results.csv"), "utf8").trim().split("\n");
  assert.ok(csv.length - 1 >= 6, `results.csv has a row per variant and split: ${csv.length - 1}`);
  assert.ok(existsSync(join(report, "report.md")));
  assert.match(readFileSync(join(report, "report.md"), "utf8"), /\| prom\/prom_core_tata \|[^\n]*4-mer logistic-regression/, "the k-mer baseline's row");

  const again = dnaflow(args, { cwd: tmpdir(), env: ENV });
  assert.equal(again.code, 0);
  assert.deepEqual(ran(again.stdout), [], "the rerun makes nothing");
  // Real data: the chr2 slice has one N run at its start, so strip-n keeps exactly one 2,323,275 bp fragment.
  const frag = events(first.stdout).find((e) => e.type === "stage-done" && e.id === "fragments")!;
  assert.equal(JSON.parse(readFileSync(join(store, "objects", frag.key, "manifest.json"), "utf8")).meta.basesKept, 2_323_275);
  // Without --json the run ends by printing the report's table and where its HTML is, cached or not.
  const shown = dnaflow(["run", FILE, "--store", store, "--profile", "ci"], { cwd: tmpdir(), env: ENV });
  assert.equal(shown.code, 0);
  assert.match(shown.stdout, /^report:\n.*task.*init.*tokenizer/ms);
  assert.match(shown.stdout, /prom\/prom_core_tata\s+scratch\s+kmer6\s+mcc/);
  assert.match(shown.stdout, /objects\/[0-9a-f]{64}\/out\/report\/report\.html\n/);

  firstStore = store;
  const changed = plan(store, ["--set", "finetune.lr=0.0002"]).filter((s) => s.action !== "cached").map((s) => s.id).sort();
  assert.deepEqual(changed, [...finetunes, "report"].sort());
  assert.ok(plan(store, ["--set", "finetune.lr=0.0002"]).find((s) => s.id === finetunes[0])!.reasons.some((r) => /lr/.test(r)));
});

test("quickstart (profile ci) made again in another directory, another store, -j 1 and other cpus: every published byte is the same", () => {
  assert.ok(firstStore, "needs the first test's store (it failed before its run completed)");
  // resources.cpus is not part of the key (torch's threads are the `threads` param, which is): swapped here.
  const swapCpus = (y: string) => {
    const n = (y.match(/resources: \{ cpus: [12] \}/g) ?? []).length;
    assert.equal(n, 2, "quickstart.yaml: pretrain and finetune declare cpus");
    return y.replace(/resources: \{ cpus: ([12]) \}/g, (_m, c) => `resources: { cpus: ${c === "2" ? 1 : 2} }`);
  };
  const { file } = quickstartProject(swapCpus);
  const store = mkdtempSync(join(tmpdir(), "quickstart-other-store-"));
  const r = dnaflow(["run", file, "--store", store, "--profile", "ci", "-j", "1", "--json"], { cwd: tmpdir(), env: ENV });
  assert.equal(r.code, 0, r.stderr + r.stdout.slice(-3000));
  assert.deepEqual(objectKeys(store), objectKeys(firstStore!), "same keys");
  const a = publishedBytes(firstStore!);
  const b = publishedBytes(store);
  assert.ok(a.size > 100, `compared ${a.size} files`);
  assert.deepEqual(byteDifferences(a, b), [], "every output file has the same bytes");
});

test("ablation-tokenizers.yaml (full scale: GRCh38, 28 GUE tasks × 3 tokenizers × pretrained/scratch × 3 seeds) plans", () => {
  const store = mkdtempSync(join(tmpdir(), "ablation-plan-"));
  const r = dnaflow(["plan", join(root, "pipelines", "ablation-tokenizers.yaml"), "--json", "--store", store], { cwd: root, env: ENV });
  assert.equal(r.code, 0, r.stderr);
  const stages = JSON.parse(r.stdout).stages as PlanStage[];
  assert.equal(stages.filter((s) => s.id.startsWith("finetune[init=pretrained,")).length, 28 * 3 * 3);
  assert.equal(stages.filter((s) => s.id.startsWith("finetune[init=scratch,")).length, 28 * 3 * 3);
  assert.equal(stages.filter((s) => s.id.startsWith("pretrain[")).length, 3);
  const show = JSON.parse(dnaflow(["show", join(root, "pipelines", "ablation-tokenizers.yaml"), "pretrain[tokenizer=bpe]", "--store", store], { cwd: root, env: ENV }).stdout);
  assert.deepEqual([show.params.model.layers, show.params.model.hidden, show.params.steps, show.params.batchSize], [12, 768, 480000, 512]);
});
