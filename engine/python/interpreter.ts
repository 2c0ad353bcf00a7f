// Which Python runs the training worker: $DNAFLOW_PYTHON (e.g. a GPU box's own CUDA torch), else a venv provisioned
// on first use from worker/requirements.txt and keyed by its digest (so changing a pin builds a new one).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const WORKER_DIR = fileURLToPath(new URL("../../../worker", import.meta.url));
export const REQUIREMENTS = join(WORKER_DIR, "requirements.txt");

export function requirementsDigest(): string {
  return createHash("sha256").update(readFileSync(REQUIREMENTS)).digest("hex");
}

/** Where the provisioned venv for the current requirements lives, and whether it is complete. */
export function provisionedVenv(): { root: string; venv: string; python: string; ready: boolean } {
  const digest = requirementsDigest().slice(0, 16);
  const root = process.env.DNAFLOW_VENV_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "dnaflow", "venvs");
  const venv = join(root, digest);
  return { root, venv, python: join(venv, "bin", "python"), ready: existsSync(join(venv, ".complete")) };
}

/** The interpreter to use, provisioning the venv if needed. `log` receives progress lines. */
export function workerPython(log: (line: string) => void = () => {}): string {
  const given = process.env.DNAFLOW_PYTHON;
  if (given) return given;
  const { root, venv, python, ready } = provisionedVenv();
  if (ready) return python;
  // Built beside its final name and renamed when complete: a killed install never looks usable.
  const tmp = `${venv}.tmp-${process.pid}`;
  mkdirSync(root, { recursive: true });
  rmSync(tmp, { recursive: true, force: true });
  const base = process.env.DNAFLOW_BASE_PYTHON || "python3";
  log(`provisioning the worker environment (${venv}) from ${REQUIREMENTS}`);
  execFileSync(base, ["-m", "venv", tmp], { stdio: ["ignore", "inherit", "inherit"] });
  execFileSync(join(tmp, "bin", "python"), ["-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", REQUIREMENTS], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  execFileSync("sh", ["-c", 'touch "$1/.complete"', "sh", tmp]);
  try {
    renameSync(tmp, venv);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another process finished first: use theirs
  }
  return python;
}
