// dnaflow doctor: what this machine can run — Node, the worker's Python (given by --python / $DNAFLOW_PYTHON, else the
// provisioned venv), torch, CUDA, GPUs, and which pinned worker requirements are missing or off-pin. Exit 0 when the
// worker can train, 1 when something is missing (each missing piece is named with the command that fixes it).
import { spawnSync } from "node:child_process";
import { dirname } from "node:path";
import { provisionedVenv, REQUIREMENTS, WORKER_DIR } from "../../python/interpreter.js";

export interface DoctorOptions {
  /** Interpreter to inspect (default: $DNAFLOW_PYTHON, else the provisioned venv, else python3). */
  python?: string;
  /** Print the report as JSON. */
  json?: boolean;
}

interface PythonReport {
  python: string;
  executable: string;
  torch: string | null;
  cuda: string | null;
  cudaAvailable: boolean;
  gpus?: Array<{ name: string; memoryGiB: number; bf16: boolean }>;
  threads?: number;
  packages: Record<string, string>;
  missing: string[];
  mismatched: string[];
}

export async function doctorCmd(opts: DoctorOptions = {}): Promise<number> {
  const venv = provisionedVenv();
  const source = opts.python
    ? "--python"
    : process.env.DNAFLOW_PYTHON
      ? "$DNAFLOW_PYTHON"
      : venv.ready
        ? "provisioned venv"
        : "python3 (no venv provisioned yet)";
  const python = opts.python || process.env.DNAFLOW_PYTHON || (venv.ready ? venv.python : "python3");
  const r = spawnSync(python, ["-m", "worker", "doctor"], {
    encoding: "utf8",
    env: { ...process.env, PYTHONPATH: [dirname(WORKER_DIR), process.env.PYTHONPATH].filter(Boolean).join(":") },
  });
  let py: PythonReport | undefined;
  let pyError: string | undefined;
  if (r.error) pyError = `${python}: ${r.error.message}`;
  else if (r.status !== 0) pyError = `${python} -m worker doctor failed: ${(r.stderr || "").trim().split("\n").pop()}`;
  else py = JSON.parse(r.stdout);

  const problems: string[] = [];
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major < 20 || (major === 20 && minor < 5)) problems.push(`Node ${process.versions.node} is older than 20.5`);
  if (pyError) problems.push(`${pyError} (install Python 3.10+, or give an interpreter with --python / DNAFLOW_PYTHON)`);
  if (py?.missing.length)
    problems.push(`missing: ${py.missing.join(", ")} — ${python} -m pip install -r ${REQUIREMENTS} (or let dnaflow provision its venv: unset DNAFLOW_PYTHON)`);
  if (py?.mismatched.length) problems.push(`not the pinned version: ${py.mismatched.join(", ")} (works, but results may differ from the pinned environment)`);

  const report = {
    node: process.versions.node,
    pythonSource: source,
    venv: { path: venv.venv, ready: venv.ready },
    ...(py ?? {}),
    ok: !problems.some((p) => !p.startsWith("not the pinned")),
    problems,
  };
  if (opts.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + "\n");
    return report.ok ? 0 : 1;
  }
  const lines = [
    `node      ${process.versions.node}`,
    `python    ${py ? `${py.python} (${py.executable}) — ${source}` : `unavailable — ${source}`}`,
    `venv      ${venv.venv} ${venv.ready ? "(ready)" : "(not provisioned; made on first use)"}`,
  ];
  if (py) {
    lines.push(`torch     ${py.torch ?? "missing"}${py.torch ? `, CUDA ${py.cuda ?? "none (CPU build)"}, ${py.threads} CPU threads` : ""}`);
    const gpus = py.gpus ?? [];
    lines.push(
      `gpus      ${gpus.length ? gpus.map((g, i) => `${i}: ${g.name} ${g.memoryGiB} GiB${g.bf16 ? " bf16" : ""}`).join("; ") : py.cudaAvailable ? "CUDA available, no devices" : "none (training runs on CPU)"}`,
    );
    lines.push(
      `packages  ${Object.entries(py.packages)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}`,
    );
  }
  lines.push(problems.length ? problems.map((p) => `problem   ${p}`).join("\n") : "ok        the worker can train here");
  process.stdout.write(lines.join("\n") + "\n");
  return report.ok ? 0 : 1;
}
