// The job's own output (what Slurm wrote to --output: exec-stage's event lines, its errors, anything the node said)
// is appended to the stage log that job wrote, so `dnaflow log` shows one story per attempt.
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import type { AttemptStore } from "../../../cache/store.js";

const MAX_BYTES = 1 << 20;

function tail(file: string): string {
  if (!existsSync(file)) return "(no output file: the job never started, or its node could not write there)\n";
  const buf = readFileSync(file);
  const text =
    buf.length > MAX_BYTES ? `… (${buf.length - MAX_BYTES} bytes cut)\n` + buf.subarray(buf.length - MAX_BYTES).toString("utf8") : buf.toString("utf8");
  return text.endsWith("\n") || !text ? text : text + "\n";
}

/**
 * Appends the job's output to the newest stage log the job created (logs not in `before`); when it created none (it
 * failed before the attempt began), to a log of its own under the key. Returns the log's path.
 */
export function collectJobOutput(attempts: AttemptStore, key: string, before: Set<string>, jobId: string, outFile: string, summary: string): string {
  const created = attempts.logsOf(key).filter((l) => !before.has(l));
  const log = created.at(-1) ?? attempts.newLog(key, `slurm-${jobId}`);
  appendFileSync(
    log,
    `# dnaflow: slurm job ${jobId} ended ${summary}; its output (${outFile}):\n${tail(outFile)}# dnaflow: end of slurm job ${jobId} output\n`,
  );
  return log;
}
