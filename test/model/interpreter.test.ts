// The worker's managed venv is provisioned once per machine: two stages starting together do not each install it;
// the one that waits says so; a lock left by a killed installer does not block forever.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../helpers/paths.js";

const MODULE = join(repoRoot(), "dist", "engine", "python", "interpreter.js");
// A child process provisioning the venv for REQ: prints its events and the interpreter it got.
const CHILD = `
const { provisionVenv } = await import(process.argv[1]);
const python = await provisionVenv(process.argv[2], { log: (l) => console.log("log " + l), onInstalling: () => console.log("installing-event") });
console.log("python " + python);
`;

function provision(req: string, venvDir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ["--input-type=module", "-e", CHILD, MODULE, req], {
      env: { ...process.env, DNAFLOW_VENV_DIR: venvDir },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    c.stdout.on("data", (d) => (out += d));
    c.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`provisioning exited ${code}: ${out}`))));
  });
}

test("two processes provisioning the same venv at once: one installs, the other waits and uses it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "dnaflow-venv-"));
  const req = join(dir, "requirements.txt");
  writeFileSync(req, `# nothing to install (offline); unique digest ${dir}\n`);
  const venvs = join(dir, "venvs");
  const [a, b] = await Promise.all([provision(req, venvs), provision(req, venvs)]);
  const installs = [a, b].filter((o) => /log installing the training worker's Python packages…/.test(o));
  assert.equal(installs.length, 1, `${a}\n---\n${b}`);
  const waiter = installs[0] === a ? b : a;
  assert.match(waiter, /installing-event/); // the waiting stage shows the same progress line
  assert.match(waiter, /log waiting for another process that is installing/);
  const pa = /python (.*)/.exec(a)![1],
    pb = /python (.*)/.exec(b)![1];
  assert.equal(pa, pb);
  assert.equal(spawnSync(pa, ["-c", "import sys; print(sys.prefix)"], { encoding: "utf8" }).status, 0);
  // Only the finished venv is left: no lock, no temporary directory.
  assert.deepEqual(readdirSync(venvs), [pa.split("/").at(-3)]);
  // Provisioned: a third call neither installs nor waits.
  const c = await provision(req, venvs);
  assert.doesNotMatch(c, /installing/);
});

test("a lock left by a killed installer is broken, and a half-made venv is rebuilt", async () => {
  const dir = mkdtempSync(join(tmpdir(), "dnaflow-venv-"));
  const req = join(dir, "requirements.txt");
  writeFileSync(req, `# nothing to install; unique digest ${dir}\n`);
  const venvs = join(dir, "venvs");
  // Learn the venv's path, then fake a dead installer: its lock (pid of an exited process) and a venv without .complete.
  const { provisionedVenv } = await import(MODULE);
  process.env.DNAFLOW_VENV_DIR = venvs;
  const { venv } = provisionedVenv(req);
  delete process.env.DNAFLOW_VENV_DIR;
  const dead = spawnSync("true").pid!;
  spawnSync("mkdir", ["-p", join(venv, "bin")]);
  writeFileSync(`${venv}.lock`, JSON.stringify({ host: (await import("node:os")).hostname(), pid: dead }));
  const out = await provision(req, venvs);
  assert.match(out, /log installing the training worker's Python packages…/);
  assert.ok(existsSync(join(venv, ".complete")));
  assert.ok(!existsSync(`${venv}.lock`));
});
