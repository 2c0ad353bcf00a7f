// dnaflow export RUN --ro-crate DIR on a real run (bundled chrM → BPE → shards → tiny pretrain): the crate passes the
// RO-Crate community's validator (roc-validator: RO-Crate 1.1, Workflow RO-Crate, Process Run Crate, Workflow Run Crate
// SHACL shapes) at the REQUIRED level, expands as JSON-LD with nothing dropped (pyld), and holds what a reviewer needs:
// the pipeline file, a CreateAction per stage with instrument/object/result, params, sha256 of every output file
// (checked against the bytes), software versions, host and timings.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { dnaflow, planJson } from "../helpers/cli.js";
import { repoRoot } from "../helpers/paths.js";
import { ENV, PYTHON, TINY, project, requireWorkerPython, tinyPipeline } from "../model/helpers.js";

requireWorkerPython();

const VALIDATE = join(repoRoot(), "test", "live", "validate_ro_crate.py");
const sha256 = (p: string) => createHash("sha256").update(readFileSync(p)).digest("hex");

function validate(crate: string, profile: string): { issues: string[]; expanded: number; dropped: string[] } {
  const r = spawnSync(PYTHON, [VALIDATE, crate, profile, "REQUIRED"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr.slice(-3000));
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

test("export --ro-crate: a valid Workflow Run Crate with every stage, its params, outputs (sha256), software and host", () => {
  const dir = project(tinyPipeline(TINY));
  const r = dnaflow(["run", "p.yaml"], { cwd: dir, env: ENV });
  assert.equal(r.code, 0, r.stderr);
  const runId = JSON.parse(readFileSync(join(dir, ".dnaflow", "runs", "index.json"), "utf8"))[0].id;

  const bad = dnaflow(["export", "nope", "--ro-crate", "c0"], { cwd: dir, env: ENV });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /no run 'nope' in the store .*pipeline name: p\b/);

  const e = dnaflow(["export", "p", "--ro-crate", "crate"], { cwd: dir, env: ENV });
  assert.equal(e.code, 0, e.stderr);
  const crate = join(dir, "crate");
  assert.ok(readFileSync(join(crate, "p.yaml")).equals(readFileSync(join(dir, "p.yaml"))), "the pipeline file travels in the crate");
  const byId = dnaflow(["export", runId, "--ro-crate", "crate2"], { cwd: dir, env: ENV });
  assert.equal(byId.code, 0, byId.stderr);
  assert.equal(
    readFileSync(join(dir, "crate2", "ro-crate-metadata.json"), "utf8"),
    readFileSync(join(crate, "ro-crate-metadata.json"), "utf8"),
    "by run id = by pipeline name (latest run); same run, same crate",
  );

  for (const profile of ["workflow-run-crate", "process-run-crate", "workflow-ro-crate", "ro-crate-1.1"]) {
    const v = validate(crate, profile);
    assert.deepEqual(v.issues, [], `${profile}: ${v.issues.slice(0, 5).join("\n")}`);
    assert.deepEqual(v.dropped, [], "every property maps to an IRI");
    assert.ok(v.expanded > 50);
  }

  // The profile's required entities, checked explicitly as well.
  const doc = JSON.parse(readFileSync(join(crate, "ro-crate-metadata.json"), "utf8"));
  const g = new Map<string, any>(doc["@graph"].map((x: any) => [x["@id"], x]));
  const ids = (v: unknown) => asList(v as any).map((x: any) => x["@id"]);
  assert.deepEqual(ids(g.get("ro-crate-metadata.json").conformsTo), ["https://w3id.org/ro/crate/1.1", "https://w3id.org/workflowhub/workflow-ro-crate/1.0"]);
  const root = g.get("./");
  assert.equal(root["@type"], "Dataset");
  for (const p of ["https://w3id.org/ro/wfrun/process/0.5", "https://w3id.org/ro/wfrun/workflow/0.5"]) assert.ok(ids(root.conformsTo).includes(p), p);
  assert.equal(root.mainEntity["@id"], "p.yaml");
  const wf = g.get("p.yaml");
  assert.deepEqual(wf["@type"], ["File", "SoftwareSourceCode", "ComputationalWorkflow"]);
  assert.equal(wf.sha256, sha256(join(dir, "p.yaml")));

  const actions = doc["@graph"].filter((x: any) => x["@type"] === "CreateAction");
  const run = actions.find((a: any) => a.instrument["@id"] === "p.yaml");
  assert.ok(run, "a CreateAction of the whole run with the pipeline as instrument");
  assert.equal(run.actionStatus, "http://schema.org/CompletedActionStatus");
  assert.equal(run.location, hostname());
  const keys = Object.fromEntries(planJson(dir, "p.yaml").map((s) => [s.id, s.key]));
  const stages = actions.filter((a: any) => a !== run);
  assert.deepEqual(stages.map((a: any) => a.name).sort(), Object.keys(keys).sort(), "one CreateAction per stage instance");
  for (const a of stages) {
    assert.equal(a.identifier, keys[a.name], `${a.name}: its key`);
    assert.ok(g.get(a.instrument["@id"])["@type"] === "SoftwareApplication", `${a.name}: instrument`);
    assert.ok(asList(a.object).length > 0 && asList(a.result).length > 0, `${a.name}: object and result`);
    assert.match(a.startTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
    assert.equal(a.location, hostname());
    const usage = ids(a.resourceUsage).map((i) => g.get(i));
    assert.ok(
      usage.some((u: any) => u.name === "wallClockTime" && u.unitCode === "SEC" && u.value >= 0),
      `${a.name}: wall time`,
    );
    assert.ok(ids(root.mentions).includes(a["@id"]));
  }

  // Params, key components, worker digest and software of the pretraining stage.
  const pre = stages.find((a: any) => a.name === "pretrain");
  const objects = ids(pre.object).map((i) => g.get(i));
  assert.equal(objects.find((o: any) => o.name === "steps").value, 24);
  assert.equal(JSON.parse(objects.find((o: any) => o.name === "model").value).hidden, 32);
  const manifest = JSON.parse(readFileSync(join(dir, ".dnaflow", "objects", keys.pretrain, "manifest.json"), "utf8"));
  assert.equal(objects.find((o: any) => o.name === "dnaflow.workerDigest").value, manifest.components.worker);
  assert.equal(
    createHash("sha256")
      .update(objects.find((o: any) => o.name === "dnaflow.keyComponents").value)
      .digest("hex"),
    keys.pretrain,
    "the key is the sha256 of the components given",
  );
  const tool = g.get(pre.instrument["@id"]);
  const sw = ids(tool.softwareRequirements).map((i) => g.get(i));
  const torch = spawnSync(PYTHON, ["-c", "import torch, transformers; print(torch.__version__, transformers.__version__)"], { encoding: "utf8" })
    .stdout.trim()
    .split(" ");
  assert.equal(sw.find((s: any) => s.name === "torch")?.version, torch[0]);
  assert.equal(sw.find((s: any) => s.name === "transformers")?.version, torch[1]);
  assert.equal(sw.find((s: any) => s.name === "Node.js")?.version, process.version);
  assert.ok(sw.find((s: any) => s.name === "python")?.version);

  // Outputs: every file of the model with the sha256 of its bytes; the input chain links to upstream results.
  const model = g.get(ids(pre.result)[0]);
  assert.equal(model["@type"], "Dataset");
  const files = ids(model.hasPart).map((i) => g.get(i));
  assert.deepEqual(files.map((f: any) => f.name).sort(), manifest.files.map((f: any) => f.path).sort());
  for (const f of files) assert.equal(f.sha256, sha256(fileURLToPath(f["@id"])), f.name);
  const tokens = stages.find((a: any) => a.name === "tokens");
  assert.ok(ids(pre.object).includes(ids(tokens.result)[0]), "pretrain consumes what tokens made");
  const fasta = g.get(ids(run.object)[0]);
  assert.equal(fasta.name, "chrM.fa");
  assert.equal(fasta.sha256, sha256(join(dir, "chrM.fa")));
  assert.ok(ids(run.result).includes(model["@id"]), "the run's result: outputs nothing downstream consumed");
});
