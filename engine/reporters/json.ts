// --json: one event object per line on stdout, for tools.
import type { EventSink } from "../run/events.js";

export function jsonReporter(out: NodeJS.WritableStream = process.stdout): EventSink {
  return (e) => void out.write(JSON.stringify({ time: new Date().toISOString(), ...e }) + "\n");
}
