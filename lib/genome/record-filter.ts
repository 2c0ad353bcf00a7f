// Keeps or drops whole FASTA records by name (e.g. only primary chromosomes, no _alt/_fix/chrUn/random).
import { StageInputError } from "../../core/errors.js";
import type { FastaSink } from "./fasta-parser.js";

export interface RecordFilterOptions {
  /** Keep only records whose name matches one of these regexes (all records when empty). */
  include: string[];
  /** Drop records whose name matches one of these regexes (applied after include). */
  exclude: string[];
}

export function recordFilter(opts: RecordFilterOptions): (name: string) => boolean {
  const compile = (src: string) => {
    try {
      return new RegExp(src);
    } catch (e) {
      throw new StageInputError(`invalid record name regex '${src}': ${(e as Error).message}`);
    }
  };
  const inc = opts.include.map(compile);
  const exc = opts.exclude.map(compile);
  return (name) => (inc.length === 0 || inc.some((r) => r.test(name))) && !exc.some((r) => r.test(name));
}

export interface RecordSummary {
  name: string;
  length: number;
  n: number;
  softMasked: number;
  kept: boolean;
}

/** Forwards only the kept records to `sink`; every record's stats (kept or not) land in `summaries`. */
export function filterRecords(sink: FastaSink, keep: (name: string) => boolean, summaries: RecordSummary[]): FastaSink {
  let forwarding = false;
  return {
    recordStart(name) {
      forwarding = keep(name);
      if (forwarding) sink.recordStart(name);
    },
    bases(buf, start, end) {
      if (forwarding) sink.bases(buf, start, end);
    },
    recordEnd(stats) {
      summaries.push({ ...stats, kept: forwarding });
      if (forwarding) sink.recordEnd(stats);
    },
  };
}
