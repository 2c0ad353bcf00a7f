// Which Python runs the training worker: $DNAFLOW_PYTHON (e.g. a GPU box's own CUDA torch), else a venv provisioned
// on first use from worker/requirements.txt and keyed by its digest (so changing a pin builds a new one). Provisioning
// happens once per machine (per venv directory): a lock file makes concurrent stages wait for the first installer
// instead of each installing torch into its own temporary venv.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { homedir, hostname } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { isSameProcessAlive, processStartTime } from "../../lib/os/process-liveness.js";

export const WORKER_DIR = fileURLToPath(new URL("../../../worker", import.meta.url));
export const REQUIREMENTS = join(WORKER_DIR, "requirements.txt");
export const INSTALLING = "installing the training worker's Python packages…";

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function requirementsDigest(file = REQUIREMENTS): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

/** Where the provisioned venv for the given requirements lives, and whether it is complete. */
export function provisionedVenv(requirements = REQUIREMENTS): { root: string; venv: string; python: string; ready: boolean } {
  const digest = requirementsDigest(requirements).slice(0, 16);
  const root = process.env.DNAFLOW_VENV_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "dnaflow", "venvs");
  const venv = join(root, digest);
  return { root, venv, python: join(venv, "bin", "python"), ready: existsSync(join(venv, ".complete")) };
}

export interface ProvisionHooks {
  /** Progress lines for the stage log. */
  log?: (line: string) => void;
  /** Called once when this process starts installing, or starts waiting for another process's install. */
  onInstalling?: () => void;
}

/** Takes the install lock (exclusive create); a lock left by a dead process on this host is broken. */
function tryLock(lock: string): boolean {
  const me = { host: hostname(), pid: process.pid, pidStart: processStartTime(process.pid) };
  try {
    writeFileSync(lock, JSON.stringify(me), { flag: "wx" });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
  let owner: typeof me | undefined;
  try {
    owner = JSON.parse(readFileSync(lock, "utf8"));
  } catch {
    return false; // being written right now: look again next time
  }
  if (owner && owner.host === me.host && !isSameProcessAlive(owner.pid, owner.pidStart)) {
    try {
      unlinkSync(lock); // stale: its installer was killed; the next round takes it (exclusive create decides who)
    } catch {
      // another waiter removed it first
    }
  }
  return false;
}

/** The venv's interpreter, installing it first if needed (once: concurrent callers wait for the one that installs). */
export async function provisionVenv(requirements = REQUIREMENTS, hooks: ProvisionHooks = {}): Promise<string> {
  const log = hooks.log ?? (() => {});
  const { root, venv, python } = provisionedVenv(requirements);
  const complete = () => existsSync(join(venv, ".complete"));
  if (complete()) return python;
  mkdirSync(root, { recursive: true });
  const lock = `${venv}.lock`;
  let announced = false;
  for (;;) {
    if (complete()) return python;
    if (tryLock(lock)) break;
    if (!announced) {
      announced = true;
      hooks.onInstalling?.();
      log(`waiting for another process that is installing the worker environment (${venv})`);
    }
    await sleep(1000);
  }
  try {
    if (complete()) return python; // finished by the previous lock holder just before we took the lock
    if (!announced) hooks.onInstalling?.();
    // Built beside its final name and renamed when complete: a killed install never looks usable.
    const tmp = `${venv}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    rmSync(venv, { recursive: true, force: true }); // an incomplete one (no .complete) left by a killed install
    const base = process.env.DNAFLOW_BASE_PYTHON || "python3";
    log(`${INSTALLING} (${venv}, from ${requirements})`);
    const step = async (cmd: string, args: string[]) => {
      const r = await run(cmd, args, { maxBuffer: 1 << 26 }).catch((e) => {
        throw new Error(`provisioning the worker environment failed: ${cmd} ${args.join(" ")}: ${(e as { stderr?: string }).stderr || (e as Error).message}`);
      });
      if (r.stdout.trim()) log(r.stdout.trim());
    };
    await step(base, ["-m", "venv", tmp]);
    await step(join(tmp, "bin", "python"), ["-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", requirements]);
    writeFileSync(join(tmp, ".complete"), "");
    renameSync(tmp, venv);
    log(`worker environment ready: ${python}`);
    return python;
  } finally {
    try {
      unlinkSync(lock);
    } catch {
      // already gone
    }
  }
}

/** The interpreter to use: $DNAFLOW_PYTHON, else the provisioned venv (installed on first use). */
export async function workerPython(hooks: ProvisionHooks = {}): Promise<string> {
  return process.env.DNAFLOW_PYTHON || provisionVenv(REQUIREMENTS, hooks);
}
