// Live terminal view: a bar per running stage (state, elapsed, progress, ETA) above the log of finished events.
import cliProgress from "cli-progress";
import type { EventSink } from "../run/events.js";
import { eventLine } from "./format.js";

export function ttyReporter(): EventSink & { stop(): void } {
  const bars = new cliProgress.MultiBar(
    {
      format: " {bar} {percentage}% | {stage} | {value}/{total} {unit} | {duration_formatted} | ETA {eta_formatted}",
      barsize: 24,
      hideCursor: true,
      clearOnComplete: true,
      stopOnComplete: false,
      autopadding: true,
      etaBuffer: 20,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  const running = new Map<string, cliProgress.SingleBar>();
  const sink = ((e) => {
    const line = eventLine(e);
    if (line) bars.log(line + "\n");
    if (e.type === "stage-start") running.set(e.id, bars.create(1, 0, { stage: e.id, unit: "" }));
    else if (e.type === "stage-progress") {
      const bar = running.get(e.id);
      if (bar && e.total) bar.setTotal(e.total), bar.update(e.done, { unit: e.unit ?? "" });
    } else if (e.type === "stage-done" || e.type === "stage-failed") {
      const bar = running.get(e.id);
      if (bar) bars.remove(bar), running.delete(e.id);
    } else if (e.type === "run-done") bars.stop();
  }) as EventSink & { stop(): void };
  sink.stop = () => bars.stop();
  return sink;
}
