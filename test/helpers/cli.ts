// Spawns the built CLI, as a user would, in a temp project directory.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync, readdirSync, existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./paths.js";

export const CLI = join(repoRoot(), "dist", "engine", "cli", "main.js");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function dnaflow(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: opts.cwd, env: { ...process.env, DNAFLOW_STORE: "", ...opts.env }, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function dnaflowAsync(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd, env: { ...process.env, DNAFLOW_STORE: "", ...opts.env }, stdio: ["ignore", "pipe", "pipe"] });
}

export function tempProject(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "dnaflow-test-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** Keys of published objects in a store. */
export function objectKeys(store: string): string[] {
  const d = join(store, "objects");
  return existsSync(d) ? readdirSync(d).sort() : [];
}

/** Parses `dnaflow run --json` output into events. */
export function events(stdout: string): Array<Record<string, any>> {
  return stdout
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** Stage ids that actually ran in a --json run. */
export function ran(stdout: string): string[] {
  return events(stdout)
    .filter((e) => e.type === "stage-done")
    .map((e) => e.id)
    .sort();
}

export function planJson(
  dir: string,
  file: string,
  extra: string[] = [],
  env?: NodeJS.ProcessEnv,
): Array<{ id: string; key: string; action: string; reasons: string[] }> {
  const r = dnaflow(["plan", file, "--json", ...extra], { cwd: dir, env });
  if (r.code !== 0) throw new Error(`plan failed: ${r.stderr}`);
  return JSON.parse(r.stdout).stages;
}

export const read = (p: string) => readFileSync(p, "utf8");

/**
 * A machine crash at a step: runs `dnaflow run FILE --json` in `dir` and, once stage `id` reports progress `step`,
 * SIGKILLs the engine and at once the stage's process group (the builtin and anything it started).
 */
export async function runAndKillEngineAt(dir: string, id: string, step: number, env?: NodeJS.ProcessEnv, file = "p.yaml"): Promise<void> {
  const child = dnaflowAsync(["run", file, "--json"], { cwd: dir, env });
  let buf = "";
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d) => {
      buf += d;
      const seen = events(buf.slice(0, buf.lastIndexOf("\n") + 1)).some((e) => e.type === "stage-progress" && e.id === id && e.done >= step);
      if (!seen || child.killed) return;
      child.kill("SIGKILL");
      const attempts = join(dir, ".dnaflow", "attempts");
      for (const a of readdirSync(attempts)) {
        const owner = JSON.parse(readFileSync(join(attempts, a, "owner.json"), "utf8"));
        if (owner.childPgid) {
          try {
            process.kill(-owner.childPgid, "SIGKILL");
          } catch {
            /* already gone */
          }
        }
      }
    });
    child.on("exit", (code, signal) =>
      signal === "SIGKILL" ? resolve() : reject(new Error(`engine ended (${code}) before step ${step}: ${buf.slice(-1500)}`)),
    );
  });
}
