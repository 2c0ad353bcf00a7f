// run: stages: params reach the command verbatim and are never executed; failures, retries, timeouts, fail-fast.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dnaflow, events, planJson, ran, tempProject } from "../helpers/cli.js";

const NASTY = `a; touch pwned1 $(touch pwned2) \`touch pwned3\` "quoted" 'single' \\ back\nsecond line`;

test("params with ; $( ) backticks quotes and newlines reach a run: stage verbatim and never execute", () => {
  const dir = tempProject({
    "p.yaml": `
params:
  evil: ${JSON.stringify(NASTY)}
stages:
  echo:
    run: [node, -e, 'const fs=require("fs"); const o=process.argv[1]; fs.mkdirSync(o); fs.writeFileSync(o+"/argv", process.argv[2]); fs.writeFileSync(o+"/env", process.env.DNAFLOW_PARAM_EVIL); fs.writeFileSync(o+"/json", JSON.parse(fs.readFileSync(process.env.DNAFLOW_PARAMS,"utf8")).evil)', "\${{ outputs.out }}", "\${{ params.evil }}"]
    with: { evil: "\${{ params.evil }}" }
    outputs: [out]
  shell:
    run: 'printf "%s" "$DNAFLOW_PARAM_EVIL" > "$DNAFLOW_OUTPUT_OUT"'
    shell: true
    with: { evil: "\${{ params.evil }}" }
    outputs: [out]
`,
  });
  const r = dnaflow(["run", "p.yaml"], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const plan = planJson(dir, "p.yaml");
  const out = (id: string) => join(dir, ".dnaflow", "objects", plan.find((s) => s.id === id)!.key, "out", "out");
  for (const f of ["argv", "env", "json"]) assert.equal(readFileSync(join(out("echo"), f), "utf8"), NASTY, f);
  assert.equal(readFileSync(out("shell"), "utf8"), NASTY);
  for (const p of ["pwned1", "pwned2", "pwned3"]) assert.equal(existsSync(join(dir, p)), false, `${p} must not exist`);
});

test("a failing stage: exit 1, its log kept, downstream skipped, nothing published for it; fail-fast stops the rest", () => {
  const dir = tempProject({
    "p.yaml": `
stages:
  bad:
    run: [sh, -c, 'echo "something broke" >&2; exit 3']
    outputs: [out]
  after:
    run: [sh, -c, 'echo x > "$DNAFLOW_OUTPUT_OUT"']
    inputs: { x: "\${{ stages.bad.outputs.out }}" }
    outputs: [out]
  independent:
    run: [sh, -c, 'sleep 0.5; echo y > "$DNAFLOW_OUTPUT_OUT"']
    outputs: [out]
`,
  });
  const r = dnaflow(["run", "p.yaml", "--json", "-j", "1"], { cwd: dir });
  assert.equal(r.code, 1);
  const ev = events(r.stdout);
  const failed = ev.find((e) => e.type === "stage-failed")!;
  assert.equal(failed.id, "bad");
  assert.equal(failed.error, "command exited with status 3");
  assert.match(readFileSync(failed.log, "utf8"), /something broke/);
  assert.ok(!ran(r.stdout).includes("after"));
  const log = dnaflow(["log", "p.yaml", "bad"], { cwd: dir });
  assert.match(log.stdout, /something broke/);
  const status = dnaflow(["status", "p.yaml"], { cwd: dir });
  assert.match(status.stdout, /failed\s+bad/);

  const k = dnaflow(["run", "p.yaml", "--json", "--keep-going"], { cwd: dir });
  assert.equal(k.code, 1);
  assert.ok(ran(k.stdout).includes("independent"), "--keep-going runs independent stages");
  assert.ok(events(k.stdout).some((e) => e.type === "stage-skipped" && e.id === "after" && /upstream bad failed/.test(e.reason)));
});

test("retries with backoff succeed on a later attempt; a timeout fails the stage", () => {
  const dir = tempProject({
    "p.yaml": `
stages:
  flaky:
    run: [sh, -c, 'n=$(cat "$DNAFLOW_CHECKPOINT_DIR/n" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$DNAFLOW_CHECKPOINT_DIR/n"; [ $n -ge 3 ] || exit 1; echo $n > "$DNAFLOW_OUTPUT_OUT"']
    retries: { max: 2, backoff: 50ms }
    outputs: [out]
  slow:
    run: [sleep, "5"]
    timeout: 300ms
    outputs: [out]
`,
  });
  const r = dnaflow(["run", "p.yaml", "--json", "--keep-going"], { cwd: dir });
  assert.equal(r.code, 1);
  const ev = events(r.stdout);
  assert.deepEqual(
    ev.filter((e) => e.type === "stage-failed" && e.id === "flaky").map((e) => e.retryInMs),
    [50, 100],
  );
  assert.ok(ran(r.stdout).includes("flaky"));
  const key = ev.find((e) => e.type === "stage-done" && e.id === "flaky")!.key;
  assert.equal(
    readFileSync(join(dir, ".dnaflow", "objects", key, "out", "out"), "utf8"),
    "3\n",
    "the third attempt published; the checkpoint dir survived failures",
  );
  assert.ok(ev.some((e) => e.type === "stage-failed" && e.id === "slow" && e.error === "timed out after 300ms"));
});

test("retries: the old { attempts } loads with a warning naming file:line and the same retries as max; retries are not part of the key", () => {
  const flaky = (retries: string) => `
stages:
  flaky:
    run: [sh, -c, 'n=$(cat "$DNAFLOW_CHECKPOINT_DIR/n" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$DNAFLOW_CHECKPOINT_DIR/n"; [ $n -ge 3 ] || exit 1; echo $n > "$DNAFLOW_OUTPUT_OUT"']
    retries: ${retries}
    outputs: [out]
`;
  const dir = tempProject({ "p.yaml": flaky("{ attempts: 2, backoff: 20ms }") });
  const r = dnaflow(["run", "p.yaml", "--json"], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const warnings = r.stderr.split("\n").filter((l) => l.startsWith("warning:"));
  assert.deepEqual(warnings, [
    "warning: p.yaml:5:16: stages.flaky.retries: 'attempts' is deprecated (it counts retries after the first failure); write retries: { max: 2, backoff: 20ms }",
  ]);
  assert.deepEqual(
    events(r.stdout)
      .filter((e) => e.type === "stage-failed")
      .map((e) => e.retryInMs),
    [20, 40],
    "attempts: 2 is two retries, as max: 2",
  );
  const key = planJson(dir, "p.yaml")[0].key;
  for (const retries of ["{ max: 2, backoff: 20ms }", "5", "{ max: 0 }"]) {
    writeFileSync(join(dir, "p.yaml"), flaky(retries));
    const p = planJson(dir, "p.yaml")[0];
    assert.equal(p.key, key, `retries: ${retries} keeps the key`);
    assert.equal(p.action, "cached");
    const again = dnaflow(["run", "p.yaml"], { cwd: dir });
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /warning/, "max: is the current spelling");
  }
});

test("a stage that forgets an output or writes an undeclared one fails with a clear message", () => {
  const dir = tempProject({
    "p.yaml": `
stages:
  forgets:
    run: [true]
    outputs: [out]
  extra:
    run: [sh, -c, 'echo > "$DNAFLOW_OUTPUT_OUT"; echo > "$(dirname "$DNAFLOW_OUTPUT_OUT")/surprise"']
    outputs: [out]
`,
  });
  const r = dnaflow(["run", "p.yaml", "--json", "--keep-going"], { cwd: dir });
  const errs = Object.fromEntries(
    events(r.stdout)
      .filter((e) => e.type === "stage-failed")
      .map((e) => [e.id, e.error]),
  );
  assert.match(errs.forgets, /did not write its output 'out'/);
  assert.match(errs.extra, /undeclared outputs: surprise/);
});

test("independent stages run concurrently", () => {
  const dir = tempProject({
    "p.yaml": `
stages:
${[1, 2].map((i) => `  s${i}:\n    run: [sh, -c, 'date +%s%N > "$DNAFLOW_OUTPUT_OUT"; sleep 1']\n    outputs: [out]\n`).join("")}`,
  });
  const t = Date.now();
  const r = dnaflow(["run", "p.yaml", "--json", "-j", "2"], { cwd: dir });
  assert.equal(r.code, 0);
  const starts = events(r.stdout)
    .filter((e) => e.type === "stage-start")
    .map((e) => Date.parse(e.time));
  const dones = events(r.stdout)
    .filter((e) => e.type === "stage-done")
    .map((e) => Date.parse(e.time));
  assert.ok(Math.max(...starts) < Math.min(...dones), "the second started before the first finished");
  assert.ok(Date.now() - t > 1000);
});
