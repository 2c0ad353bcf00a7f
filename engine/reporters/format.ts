// Shared wording of events, so the TTY view and the plain log say the same things.
import type { RunEvent } from "../run/events.js";
import { formatDuration } from "../spec/units.js";

export const short = (key: string) => key.slice(0, 10);

/** One line per event worth a line, or undefined (progress is drawn, not logged). */
export function eventLine(e: RunEvent): string | undefined {
  switch (e.type) {
    case "plan":
      return `${e.pipeline}: ${e.total} stage(s), ${e.cached} cached, ${e.toRun} to run (store ${e.store})`;
    case "stage-cached":
      return undefined;
    case "stage-start":
      return `▶ ${e.id} ${short(e.key)}${e.attempt > 1 ? ` attempt ${e.attempt}` : ""}${e.reasons.length ? ` — ${e.reasons.join("; ")}` : ""}`;
    case "stage-done":
      return `✓ ${e.id} ${short(e.key)} ${formatDuration(e.seconds * 1000)}${e.published === "exists" ? " (already published by another runner)" : ""}`;
    case "stage-failed":
      return `✗ ${e.id} attempt ${e.attempt}: ${e.error.split("\n")[0]}${e.retryInMs !== undefined ? ` — retrying in ${formatDuration(e.retryInMs)}` : ""}${e.log ? `\n    log: ${e.log}` : ""}`;
    case "stage-skipped":
      return `- ${e.id} skipped: ${e.reason}`;
    case "stage-waiting":
      return `… ${e.id} waiting: ${e.reason}`;
    case "corrupt":
      return `! ${e.id} ${short(e.key)} object is corrupt (${e.problems[0]}); quarantined, making it again`;
    case "warning":
      return `warning: ${e.message}`;
    case "interrupt":
      return e.force ? "interrupted again: killing stages now" : "interrupted: stopping stages (Ctrl-C again to force)";
    case "run-done":
      return `${e.outcome === "ok" ? "done" : e.outcome}: ${e.ran} ran, ${e.cached} cached, ${e.failed} failed, ${e.skipped} skipped in ${formatDuration(e.seconds * 1000)}`;
    default:
      return undefined;
  }
}
