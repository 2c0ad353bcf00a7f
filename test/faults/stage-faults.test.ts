// Stage-level faults through the built CLI: an orphaned builtin whose engine was killed, a run: stage publishing a
// link to outside, a timeout past 2^31 ms.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dnaflow, dnaflowAsync, events, objectKeys, planJson, tempProject } from "../helpers/cli.js";

const alive = (pgid: number) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

test("an orphaned builtin (engine SIGKILLed) stops with one quiet line in its log, no stack trace", async () => {
  // ~240 MB of plain FASTA: strip-n (~150 MB/s) keeps reporting progress (bytes read) every 200 ms for a second or more
  // after the engine is gone, so its next report meets the broken pipe (30 MB could finish before any further report).
  const line = "ACGTTGCA".repeat(10) + "\n";
  const dir = tempProject({ "p.yaml": "stages:\n  strip:\n    uses: genome/strip-n@1\n    with: { minLength: 1 }\n    inputs: { fasta: g.fa }\n" });
  const chunk = line.repeat(370_000);
  writeFileSync(join(dir, "g.fa"), ">chr1\n");
  for (let i = 0; i < 8; i++) appendFileSync(join(dir, "g.fa"), chunk);
  const child = dnaflowAsync(["run", "p.yaml", "--json"], { cwd: dir });
  let buf = "";
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d) => {
      buf += d;
      const complete = buf.slice(0, buf.lastIndexOf("\n") + 1);
      if (!child.killed && events(complete).some((e) => e.type === "stage-progress")) child.kill("SIGKILL"); // the engine only
    });
    child.on("exit", (_code, signal) => (signal === "SIGKILL" ? resolve() : reject(new Error(`engine ended before the kill: ${buf}`))));
  });
  const attempts = join(dir, ".dnaflow", "attempts");
  const [attempt] = readdirSync(attempts);
  const { childPgid } = JSON.parse(readFileSync(join(attempts, attempt, "owner.json"), "utf8"));
  assert.ok(childPgid, "the stage's process group was recorded");
  for (let i = 0; i < 600 && alive(childPgid); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(!alive(childPgid), "the orphan stopped");
  const key = attempt.split(".")[0];
  const log = readFileSync(join(dir, ".dnaflow", "logs", key, readdirSync(join(dir, ".dnaflow", "logs", key))[0]), "utf8");
  assert.match(log, /^dnaflow: the engine is gone \(event pipe: EPIPE\); this orphaned stage stops$/m);
  assert.doesNotMatch(log, /^\s+at |Unhandled 'error' event/m, log);
  assert.deepEqual(objectKeys(join(dir, ".dnaflow")), [], "nothing published");
});

test("a run: stage whose output is a symbolic link to outside is refused (not retried); verify flags such an object", () => {
  const dir = tempProject({
    "p.yaml": `stages:
  link:
    run: [ln, -s, "\${{ inputs.x }}", "\${{ outputs.out }}"]
    inputs: { x: outside.txt }
    outputs: [out]
    retries: 2
  inner:
    run: [sh, -c, 'mkdir "$DNAFLOW_OUTPUT_OUT" && echo x > "$DNAFLOW_OUTPUT_OUT/f" && ln -s f "$DNAFLOW_OUTPUT_OUT/g"']
    outputs: [out]
`,
    "outside.txt": "x\n",
  });
  const r = dnaflow(["run", "p.yaml", "-k"], { cwd: dir });
  assert.equal(r.code, 1, r.stderr);
  assert.match(
    r.stderr,
    /✗ link attempt 1: output out is a symbolic link to \S+\/outside\.txt, outside the stage's outputs: the store keeps bytes, not pointers; copy the file \(cp, not ln -s\)/,
  );
  assert.doesNotMatch(r.stderr, /link attempt 2/, "not retried");
  assert.match(r.stderr, /✓ inner /, "a link inside the outputs is fine");
  const inner = planJson(dir, "p.yaml").find((s) => s.id === "inner")!;
  assert.deepEqual(objectKeys(join(dir, ".dnaflow")), [inner.key]);

  // An object published before this rule (or edited in place) whose file is a link to outside: verify fails it.
  const f = join(dir, ".dnaflow", "objects", inner.key, "out", "out", "f");
  rmSync(f);
  symlinkSync(join(dir, "outside.txt"), f); // same bytes, so size and sha256 still match
  const v = dnaflow(["verify", "p.yaml"], { cwd: dir });
  assert.equal(v.code, 1, v.stdout + v.stderr);
  assert.match(v.stdout, /corrupt \w+: out\/f: a symbolic link to \S+\/outside\.txt, outside the object \(its bytes are not in the store\)/);
});

test("timeout: 30d (past 2^31 ms) does not kill the stage at once", () => {
  const dir = tempProject({
    "p.yaml": "stages:\n  a:\n    run: [sh, -c, 'sleep 1; echo a > \"$DNAFLOW_OUTPUT_OUT\"']\n    outputs: [out]\n    timeout: 30d\n",
  });
  const r = dnaflow(["run", "p.yaml"], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /timed out/);
  assert.equal(objectKeys(join(dir, ".dnaflow")).length, 1);
});

test("a retry backoff past 2^31 ms waits instead of retrying at once", async () => {
  // The stage counts its attempts in a file beside the pipeline; with `backoff: 30d` the second attempt is weeks away.
  const dir = tempProject({
    "p.yaml": "stages:\n  a:\n    run: [sh, -c, 'echo x >> attempts.txt; exit 1']\n    outputs: [out]\n    retries: { max: 1, backoff: 30d }\n",
  });
  const child = dnaflowAsync(["run", "p.yaml"], { cwd: dir });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const early = await Promise.race([exited.then(() => "exited"), new Promise((r) => setTimeout(() => r("waiting"), 3000))]);
  assert.equal(early, "waiting", "the engine must still be waiting for the backoff, not have retried and exited");
  assert.equal(readFileSync(join(dir, "attempts.txt"), "utf8"), "x\n", "exactly one attempt before the backoff");
  child.kill("SIGINT");
  assert.equal(await exited, 130);
  assert.equal(objectKeys(join(dir, ".dnaflow")).length, 0);
});
