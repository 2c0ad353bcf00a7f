// Rewriting a shipped pipeline in a newer form of the language must not change what it makes: each pipelines/*.yaml
// is planned beside its frozen v1 copy (test/fixtures/pipelines, see its README) with its default params and under
// every profile, and every stage instance keeps its key. Instances the rewrite renamed are mapped below by hand, so
// that a rename is a visible decision and a changed key is never explained away by one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import jsYaml from "js-yaml";
import { coordsFromInstanceId, instanceId, stageIdOf, type MatrixCoords } from "../../core/instance-id.js";
import { dnaflow } from "../helpers/cli.js";
import { repoRoot } from "../helpers/paths.js";

const root = repoRoot();
const FIXTURES = join(root, "test", "fixtures", "pipelines");
const NAMES = readdirSync(FIXTURES)
  .filter((f) => f.endsWith("-v1.yaml"))
  .map((f) => f.replace(/-v1\.yaml$/, ""))
  .sort();

/** The default params of these name data no clone has (the full benchmarks): the bundled GUE tasks stand in. Only
 * the folder's content digest enters a key, and both sides read the same folder. */
const DEFAULT_SET: Record<string, string[]> = { randommask: ["--set", "gue=data/gue"], tinydnabert: ["--set", "nt=data/gue"] };

/** `stage[axis=value,…]` with v1's axes, in v1's order. */
const v1Id = (stage: string, c: MatrixCoords, axes: string[]) => instanceId(stage, Object.fromEntries(axes.map((a) => [a, c[a]])));
/** v1: `train-tokens` + `valid-tokens`; now one `tokens` stage with a `split` axis. */
const splitTokens = (c: MatrixCoords, axes: string[]) => v1Id(`${c.split}-tokens`, c, axes);
/** v1: `finetune` (init: [pretrained]) + `finetune-scratch` (init: [scratch]); now one `finetune` stage, `init` first. */
const finetuneByInit = (c: MatrixCoords, axes: string[]) => v1Id(c.init === "scratch" ? "finetune-scratch" : "finetune", c, axes);

/** Per pipeline: a rewritten instance (stage id + coordinates) → its v1 instance id, where the rewrite renamed it. */
const RENAMED: Record<string, (stage: string, c: MatrixCoords) => string | undefined> = {
  quickstart: (stage, c) => {
    if (stage === "tokens") return splitTokens(c, ["tokenizer"]);
    if (stage === "finetune") return finetuneByInit(c, ["tokenizer", "init"]);
  },
  "ablation-tokenizers": (stage, c) => {
    if (stage === "tokens") return splitTokens(c, ["tokenizer"]);
    if (stage === "finetune") return finetuneByInit(c, ["tokenizer", "init", "task", "seed"]);
  },
  tinydnabert: (stage, c) => {
    if (stage === "tokens") return splitTokens(c, []);
    if (stage === "finetune") return finetuneByInit(c, ["task", "seed", "init"]);
  },
  // finetune-scratch stays its own stage here: it has no `steps` axis
  "pretraining-gain": (stage, c) => (stage === "tokens" ? splitTokens(c, []) : undefined),
  randommask: (stage, c) => (stage === "tokens" ? splitTokens(c, []) : undefined),
};

/**
 * Per pipeline: stages whose key must change with the rewrite, and why. A report writes each row's source instance id
 * and coordinates (report/summary keys its input labels): where the rewrite renamed the instances it reads, its bytes
 * change, and so must its key.
 */
const RELABELLED: Record<string, string[]> = { quickstart: ["report"], "ablation-tokenizers": ["report"], tinydnabert: ["report"] };

type PlanStage = { id: string; key: string };

function plan(file: string, cwd: string, args: string[]): PlanStage[] {
  const r = dnaflow(["plan", file, "--json", "--store", mkdtempSync(join(tmpdir(), "shipped-keys-store-")), ...args], { cwd });
  assert.equal(r.code, 0, `${file} ${args.join(" ")}: ${r.stderr}`);
  return (JSON.parse(r.stdout).stages as PlanStage[]).map(({ id, key }) => ({ id, key }));
}

/** The v1 copy as `pipelines/NAME.yaml` of a temporary checkout whose relative paths reach the same data. */
function stagedV1(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), "shipped-keys-"));
  mkdirSync(join(dir, "pipelines"));
  writeFileSync(join(dir, "pipelines", `${name}.yaml`), readFileSync(join(FIXTURES, `${name}-v1.yaml`)));
  symlinkSync(join(root, "pipelines", "data"), join(dir, "pipelines", "data"));
  symlinkSync(join(root, "test"), join(dir, "test"));
  return join(dir, "pipelines", `${name}.yaml`);
}

const profilesOf = (file: string): string[] => Object.keys((jsYaml.load(readFileSync(file, "utf8")) as { profiles?: object }).profiles ?? {});

test("the rewritten shipped pipelines declare the v1 profiles, and nothing else was shipped since", () => {
  const shipped = readdirSync(join(root, "pipelines")).filter((f) => f.endsWith(".yaml")).map((f) => f.replace(/\.yaml$/, "")).sort();
  assert.deepEqual(shipped, NAMES, "every shipped pipeline has a frozen v1 copy");
  for (const name of NAMES) assert.deepEqual(profilesOf(join(root, "pipelines", `${name}.yaml`)), profilesOf(join(FIXTURES, `${name}-v1.yaml`)), name);
});

for (const name of NAMES) {
  const profiles = profilesOf(join(FIXTURES, `${name}-v1.yaml`));
  for (const profile of [undefined, ...profiles]) {
    test(`${name}${profile ? ` (profile ${profile})` : ""}: every stage instance has its v1 key`, () => {
      const args = profile ? ["--profile", profile] : (DEFAULT_SET[name] ?? []);
      const v1 = plan(stagedV1(name), tmpdir(), args);
      const now = plan(join(root, "pipelines", `${name}.yaml`), root, args);
      const rename = RENAMED[name] ?? (() => undefined);
      const v1Key = new Map(v1.map((s) => [s.id, s.key]));
      const mapped = now.map((s) => ({ ...s, v1Id: rename(stageIdOf(s.id), coordsFromInstanceId(s.id)) ?? s.id }));
      for (const s of mapped) {
        assert.ok(v1Key.has(s.v1Id), `${s.id}${s.v1Id !== s.id ? ` (mapped to ${s.v1Id})` : ""} is not an instance of v1; v1 has: ${[...v1Key.keys()].join(" ")}`);
        if (RELABELLED[name]?.includes(stageIdOf(s.id))) assert.notEqual(s.key, v1Key.get(s.v1Id), `${s.id}: reads renamed instances, so its key must change`);
        else assert.equal(s.key, v1Key.get(s.v1Id), `${s.id}${s.v1Id !== s.id ? ` (v1: ${s.v1Id})` : ""}: key changed`);
      }
      assert.deepEqual(mapped.map((s) => s.v1Id).sort(), [...v1Key.keys()].sort(), "one rewritten instance per v1 instance");
    });
  }
}
