// The embedded default runs end to end on the bundled data, and a second run is all cache hits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dnaflow, events, ran } from "../helpers/cli.js";
import { repoRoot } from "../helpers/paths.js";

test("pipelines/quickstart.yaml runs on the bundled data; the rerun makes nothing", () => {
  const store = mkdtempSync(join(tmpdir(), "quickstart-store-"));
  const args = ["run", join(repoRoot(), "pipelines", "quickstart.yaml"), "--store", store, "--json"];
  const first = dnaflow(args, { cwd: tmpdir() });
  assert.equal(first.code, 0, first.stderr);
  const done = ran(first.stdout);
  assert.ok(done.includes("tokenizer[tokenizer=bpe]") && done.includes("train-tokens[tokenizer=kmer6]"), done.join(" "));
  const plan = events(first.stdout).find((e) => e.type === "plan")!;
  assert.equal(done.length, plan.total);
  // Real properties of the data: the chr2 slice has one N run at its start, so strip-n keeps one 2,323,275 bp fragment.
  const frag = events(first.stdout).find((e) => e.type === "stage-done" && e.id === "fragments")!;
  const meta = JSON.parse(readFileSync(join(store, "objects", frag.key, "manifest.json"), "utf8")).meta;
  assert.equal(meta.basesKept, 2_323_275);
  const again = dnaflow(args, { cwd: tmpdir() });
  assert.equal(again.code, 0);
  assert.deepEqual(ran(again.stdout), []);
});
