// Plain line log when stdout is not a terminal (CI logs, files): one timestamped line per event.
import type { EventSink } from "../run/events.js";
import { eventLine } from "./format.js";

export function plainReporter(out: NodeJS.WritableStream = process.stderr): EventSink {
  const lastPct = new Map<string, number>();
  return (e) => {
    let line = eventLine(e);
    if (e.type === "stage-progress" && e.total) {
      // Progress in 10% steps: enough to see movement without flooding the log.
      const pct = Math.floor((100 * e.done) / e.total / 10) * 10;
      if (pct !== lastPct.get(e.id)) {
        lastPct.set(e.id, pct);
        line = `  ${e.id} ${pct}%`;
      }
    }
    // A phase without a count (e.g. installing the worker's packages): its words, once.
    if (e.type === "stage-progress" && !e.total && e.unit && lastPct.get(e.id + "\0" + e.unit) === undefined) {
      lastPct.set(e.id + "\0" + e.unit, 0);
      line = `  ${e.id}: ${e.unit}`;
    }
    if (line) out.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  };
}
