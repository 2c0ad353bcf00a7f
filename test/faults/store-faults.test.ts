// Store and filesystem faults through the built CLI: a store path that is a file, a read-only store (mount and
// permissions), a full disk before the start and in the middle of a stage's write. Each: one line naming the path and
// the operation, the right exit code, no stack trace (unless --debug), nothing partial published, nothing lost.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CLI, dnaflow, objectKeys, tempProject } from "../helpers/cli.js";
import { mountTmpfs, readOnlyBind } from "./mounts.js";

const PIPELINE = `
stages:
  a:
    run: [sh, -c, 'echo a > "$DNAFLOW_OUTPUT_OUT"']
    outputs: [out]
`;

const noStack = (s: string) => assert.doesNotMatch(s, /^\s+at /m, `no stack trace:\n${s}`);

test("a store path that is a regular file is a usage error (exit 2), one line", () => {
  const dir = tempProject({ "p.yaml": PIPELINE, store: "not a directory\n" });
  for (const cmd of ["run", "plan", "status"]) {
    const r = dnaflow([cmd, "p.yaml", "--store", "store"], { cwd: dir });
    assert.equal(r.code, 2, `${cmd}: ${r.stderr}`);
    assert.equal(r.stderr, `store ${join(dir, "store")} is a file, not a directory: --store (or $DNAFLOW_STORE) takes a directory or s3://bucket/prefix\n`);
  }
});

test("a read-only mount as a new store: one line naming the directory, EROFS, exit 1; --debug adds the stack", () => {
  const ro = mountTmpfs("ro,size=1m");
  try {
    const dir = tempProject({ "p.yaml": PIPELINE });
    const store = join(ro.dir, "store");
    const r = dnaflow(["run", "p.yaml", "--store", store], { cwd: dir });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, `dnaflow: cannot create directory ${store}/objects: read-only file system (EROFS)\n`);
    const d = dnaflow(["run", "p.yaml", "--store", store, "--debug"], { cwd: dir });
    assert.equal(d.code, 1);
    assert.match(d.stderr, /^dnaflow: cannot create directory .*\(EROFS\)\n.*\n\s+at /);
  } finally {
    ro.unmount();
  }
});

test("a store directory without write permission (chmod, as an unprivileged user): EACCES, one line, exit 1", () => {
  const dir = tempProject({ "p.yaml": PIPELINE });
  const store = join(dir, "store");
  mkdirSync(store);
  chmodSync(dir, 0o755);
  chmodSync(store, 0o555); // root ignores this; user nobody does not
  const r = spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, CLI, "run", "p.yaml", "--store", store], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, DNAFLOW_STORE: "" },
  });
  assert.equal(r.error, undefined, "setpriv runs (util-linux)");
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stderr, `dnaflow: cannot create directory ${store}/objects: permission denied (EACCES)\n`);
});

test("a read-only, fully cached store: plan, status, verify and a no-op run work; a run with work says why not", () => {
  const dir = tempProject({
    "p.yaml": `${PIPELINE}    inputs: { x: in.txt }\n`,
    "in.txt": "input\n",
  });
  const made = dnaflow(["run", "p.yaml", "--store", "s"], { cwd: dir });
  assert.equal(made.code, 0, made.stderr);
  // A new mtime, same bytes: the input is rehashed and the digest memory (in the store) cannot be saved. No matter.
  utimesSync(join(dir, "in.txt"), new Date(), new Date(Date.now() + 5000));
  const ro = readOnlyBind(join(dir, "s"));
  try {
    const verify = dnaflow(["verify", "p.yaml", "--store", ro.dir], { cwd: dir });
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    assert.match(verify.stdout, /verified 1 object\(s\): 1 ok, 0 corrupt/);
    const plan = dnaflow(["plan", "p.yaml", "--store", ro.dir], { cwd: dir });
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /1 cached, 0 to run/);
    const status = dnaflow(["status", "p.yaml", "--store", ro.dir], { cwd: dir });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^ {2}done {5}a /m);
    const run = dnaflow(["run", "p.yaml", "--store", ro.dir], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /warning: store .* is read-only \(EROFS\): everything is cached, so nothing runs; this run is not recorded/);
    noStack(run.stderr);
    writeFileSync(join(dir, "q.yaml"), `${PIPELINE.replace("echo a", "echo b")}    inputs: { x: in.txt }\n`);
    const work = dnaflow(["run", "q.yaml", "--store", ro.dir], { cwd: dir });
    assert.equal(work.code, 1, work.stderr);
    assert.equal(work.stderr, `dnaflow: store ${ro.dir} is read-only (EROFS): a would have to run there; nothing was run\n`);
  } finally {
    ro.unmount();
  }
});

test("a full disk before the start: one line naming the file and the operation (ENOSPC), exit 1", () => {
  const m = mountTmpfs("size=64k");
  try {
    const dir = tempProject({ "p.yaml": PIPELINE });
    const store = join(m.dir, "s");
    // Fill the disk: whatever does not fit is the point.
    spawnSync("dd", ["if=/dev/zero", `of=${join(m.dir, "fill")}`, "bs=4k", "count=64"], { stdio: "ignore" });
    const r = dnaflow(["run", "p.yaml", "--store", store], { cwd: dir });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^dnaflow: cannot (write|open|create directory) ${store}/\\S+: no space left on device \\(ENOSPC\\)$`, "m"));
    assert.doesNotMatch(r.stderr, /\.tmp-/, "names the file, not a temp name");
    noStack(r.stderr);
    assert.deepEqual(objectKeys(store), []);
  } finally {
    m.unmount();
  }
});

test("ENOSPC in the middle of a stage's write: store intact, exit 1; with space, the rerun succeeds", () => {
  const m = mountTmpfs("size=1m");
  try {
    const dir = tempProject({
      "p.yaml": `${PIPELINE}
  big:
    run: [sh, -c, 'head -c 3000000 /dev/zero > "$DNAFLOW_OUTPUT_OUT"']
    inputs: { a: "\${{ stages.a.outputs.out }}" }
    outputs: [out]
`,
    });
    const store = join(m.dir, "s");
    const r = dnaflow(["run", "p.yaml", "--store", store], { cwd: dir });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /✗ big attempt 1: command exited with status 1/);
    noStack(r.stderr);
    assert.equal(objectKeys(store).length, 1, "only 'a' is published");
    assert.deepEqual(readdirSync(join(store, "attempts")), [], "the failed attempt is cleared");
    const v = dnaflow(["verify", "p.yaml", "--store", store], { cwd: dir });
    assert.equal(v.code, 0, v.stdout + v.stderr);
    assert.match(v.stdout, /verified 1 object\(s\): 1 ok, 0 corrupt/);

    m.remount("size=16m");
    const again = dnaflow(["run", "p.yaml", "--store", store], { cwd: dir });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /done: 1 ran, 1 cached, 0 failed/);
    assert.equal(objectKeys(store).length, 2);
  } finally {
    m.unmount();
  }
});
