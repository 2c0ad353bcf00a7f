// dnaflow compare RUN... : one report across separately run pipelines (run ids, or pipeline names = their latest run).
import { resolve } from "node:path";
import { compareRuns, writeReport } from "../../../lib/report/index.js";
import { SpecError } from "../../../core/errors.js";
import { storeFor } from "../context.js";

export interface CompareOptions {
  store?: string;
  out?: string;
  metric?: string;
  split?: string;
  reference?: string[];
  baseline?: string;
}

export async function compareCmd(runs: string[], opts: CompareOptions): Promise<number> {
  const store = storeFor(undefined, opts.store);
  let baseline: { axis: string; value: string } | undefined;
  if (opts.baseline) {
    const [axis, value] = opts.baseline.split("=");
    if (!axis || value === undefined) throw new SpecError([{ message: `--baseline '${opts.baseline}': expected AXIS=VALUE, e.g. init=scratch` }]);
    baseline = { axis, value };
  }
  let report;
  try {
    report = await compareRuns(store.root, runs, {
      ...(opts.metric ? { metric: opts.metric } : {}),
      ...(opts.split ? { split: opts.split } : {}),
      references: opts.reference ?? [],
      ...(baseline ? { baseline } : {}),
    }, (m) => process.stderr.write(`warning: ${m}\n`));
  } catch (e) {
    throw new SpecError([{ message: (e as Error).message }]);
  }
  process.stdout.write(report.terminal + "\n");
  if (opts.out) {
    writeReport(resolve(opts.out), report);
    process.stderr.write(`wrote ${resolve(opts.out)}/report.html, report.md, results.csv\n`);
  }
  return 0;
}
