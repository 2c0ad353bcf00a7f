// Live terminal view: a line per running stage (bar, progress, ETA once it reports progress; elapsed time always)
// below the log of finished events.
import cliProgress from "cli-progress";
import type { EventSink } from "../run/events.js";
import { formatDuration } from "../spec/units.js";
import { eventLine } from "./format.js";

interface Payload {
  stage: string;
  unit: string;
  started: number;
  hasTotal: boolean;
}

const BAR = 24;

function render(options: cliProgress.Options, params: cliProgress.Params, p: Payload): string {
  const elapsed = formatDuration(Date.now() - p.started);
  if (!p.hasTotal) return ` ${"·".repeat(BAR)}  running  ${p.stage}  ${p.unit ? p.unit + "  " : ""}${elapsed}`;
  const frac = params.total ? Math.min(1, params.value / params.total) : 0;
  const full = Math.round(frac * BAR);
  const bar = (options.barCompleteChar ?? "█").repeat(full) + (options.barIncompleteChar ?? "░").repeat(BAR - full);
  const eta = params.eta > 0 && Number.isFinite(params.eta) ? formatDuration(params.eta * 1000) : "–";
  return ` ${bar} ${String(Math.floor(frac * 100)).padStart(3)}%  ${p.stage}  ${params.value}/${params.total} ${p.unit}  ${elapsed}  ETA ${eta}`;
}

export function ttyReporter(): EventSink {
  const bars = new cliProgress.MultiBar(
    { format: render as unknown as string, hideCursor: true, clearOnComplete: true, autopadding: true, etaBuffer: 20, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  const running = new Map<string, cliProgress.SingleBar>();
  return (e) => {
    const line = eventLine(e);
    if (e.type === "run-done") {
      bars.stop();
      if (line) process.stderr.write(line + "\n");
      return;
    }
    if (line) bars.log(line + "\n");
    if (e.type === "stage-start") {
      running.set(e.id, bars.create(1, 0, { stage: e.id, unit: "", started: Date.now(), hasTotal: false } satisfies Payload));
    } else if (e.type === "stage-progress") {
      const bar = running.get(e.id);
      if (bar && e.total) {
        bar.setTotal(e.total);
        bar.update(e.done, { unit: e.unit ?? "", hasTotal: true });
      } else if (bar && e.unit) bar.update(0, { unit: e.unit, hasTotal: false }); // a phase without a count: its words
    } else if (e.type === "stage-done" || e.type === "stage-failed") {
      const bar = running.get(e.id);
      if (bar) {
        bars.remove(bar);
        running.delete(e.id);
      }
    }
  };
}
