#!/usr/bin/env node
// dnaflow command line. Exit codes: 0 ok, 1 a stage failed, 2 usage/spec error, 130 interrupted.
import { Command, CommanderError, Option } from "commander";
import { readFileSync } from "node:fs";
import { describeSystemError, FatalError, SpecError } from "../../core/errors.js";
import { compareCmd } from "./commands/compare.js";
import { dagCmd } from "./commands/dag.js";
import { doctorCmd } from "./commands/doctor.js";
import { execStageCmd } from "./commands/exec-stage.js";
import { logCmd, showCmd, statusCmd } from "./commands/inspect.js";
import { traceCmd } from "./commands/trace.js";
import { gcCmd, verifyCmd } from "./commands/maintain.js";
import { planCmd } from "./commands/plan.js";
import { pullCmd, pushCmd } from "./commands/transfer.js";
import { runCmd } from "./commands/run.js";
import { watchCmd } from "./commands/watch.js";
import { exportCmd } from "./commands/export.js";

const version = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")).version;
const collect = (v: string, prev: string[] = []) => [...prev, v];
const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new SpecError([{ message: `-j must be a positive integer, got '${v}'` }]);
  return n;
};

let exitCode = 0;
const act =
  <A extends unknown[]>(fn: (...args: A) => Promise<number>) =>
  async (...args: A) => {
    exitCode = await fn(...args);
  };

const program = new Command("dnaflow")
  .description("Declarative, content-hashed, resumable pipelines for genomic language models")
  .version(version)
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

const common = (c: Command) =>
  c
    .option("--store <dir|s3://bucket/prefix>", "store (default: $DNAFLOW_STORE or .dnaflow/ next to the pipeline)")
    .option("--cache <dir>", "local cache of a remote store (default: $DNAFLOW_CACHE or .dnaflow/ next to the pipeline)")
    .option("--set <key=value>", "override a pipeline param (repeatable; typed like its default)", collect)
    .option("--profile <name>", "apply a named profile of param overrides");

common(program.command("run <file> [stages...]").description("run the pipeline, or the named stages and their upstream"))
  .option("-j, --jobs <n>", "stages running at once (default: CPU count)", positiveInt)
  .option("-k, --keep-going", "keep running independent stages after a failure")
  .option("--json", "JSON event stream on stdout")
  .addOption(new Option("--executor <name>", "where stages that name no executor run").choices(["local", "slurm"]))
  .option("--python <path>", "interpreter for the training worker, e.g. a GPU box's own CUDA torch (default: $DNAFLOW_PYTHON, else a managed venv)")
  .action(act((file: string, stages: string[], o) => runCmd(file, stages, o)));

common(program.command("plan <file>").description("show each stage's key, whether it is cached, and why it would run"))
  .option("--explain", "every changed key component, and the components themselves")
  .option("--json", "machine-readable plan")
  .action(act((file: string, o) => planCmd(file, o)));

common(program.command("dag <file>").description("print the stage graph"))
  .addOption(new Option("--format <format>", "output format").choices(["mermaid", "dot"]).default("mermaid"))
  .action(act((file: string, o) => dagCmd(file, o)));

common(program.command("status <file>").description("state of every stage and the last run"))
  .option("--trace", "one row per stage with what it used: wall, CPU, peak RSS, bytes read/written, input MB/s, GPU")
  .option("--sort <column>", "with --trace: sort by a column (wall, cpu, rss, MB/s, …)")
  .option("--desc", "with --sort: largest first")
  .option("--json", "with --trace: rows as JSON")
  .option("--html <file>", "with --trace: also write an HTML timeline")
  .option("--follow", "then follow the running stages live (what dnaflow watch shows)")
  .action(
    act(async (file: string, o) => (o.trace || o.html ? traceCmd(file, o) : o.follow ? (await statusCmd(file, o)) || watchCmd(file, o) : statusCmd(file, o))),
  );

common(
  program.command("watch <file>").description("live view of running stages from any machine that reads the store: host, step, loss, tokens/s, ETA, heartbeat"),
)
  .option("--once", "print one snapshot and exit")
  .option("--json", "snapshots as JSON lines")
  .option("--interval <seconds>", "refresh interval", "2")
  .action(act((file: string, o) => watchCmd(file, o)));

common(program.command("export <run>").description("export a run's provenance: a Workflow Run RO-Crate (run id, or pipeline name for its latest run)"))
  .requiredOption("--ro-crate <dir>", "directory to write the crate into (ro-crate-metadata.json and the pipeline file)")
  .option("--file <pipeline>", "the pipeline file, if the path the run recorded does not resolve from here")
  .action(act((run: string, o) => exportCmd(run, o)));

common(program.command("show <fileOrStage> [stage]").description("key, components, params, inputs, outputs, timings of a stage")).action(
  act((a: string, b: string | undefined, o) => showCmd(a, b, o)),
);

common(program.command("log <fileOrStage> [stage]").description("the stage's latest log"))
  .option("--all", "every attempt's log")
  .action(act((a: string, b: string | undefined, o) => logCmd(a, b, o)));

common(program.command("verify [file]").description("rehash objects (the pipeline's, or the whole store) and quarantine corrupt ones")).action(
  act((file: string | undefined, o) => verifyCmd(file, o)),
);

program
  .command("compare <runs...>")
  .description("one report (table, charts, gain over baseline) across runs: run ids or pipeline names (their latest run)")
  .option("--store <dir>", "store directory (default: $DNAFLOW_STORE or ./.dnaflow)")
  .option("--out <dir>", "also write report.html, report.md and results.csv there")
  .option("--metric <name>", "metric to compare (default: each task's own: mcc, pearson)")
  .option("--split <name>", "split whose metrics are compared", "test")
  .option("--reference <name>", "published numbers to show (dnabert2, nt-2500m-multi, dnabert-6, randommask); repeatable", collect)
  .option("--baseline <axis=value>", "variant the gain chart compares against, e.g. init=scratch")
  .action(act((runs: string[], o) => compareCmd(runs, o)));

program
  .command("doctor")
  .description("Node, Python, torch, CUDA, GPUs: what the training worker has and what is missing")
  .option("--python <path>", "interpreter to check (default: $DNAFLOW_PYTHON, else the managed venv)")
  .option("--json", "machine-readable report")
  .action(act((o) => doctorCmd(o)));

program
  .command("push [file]")
  .description("upload the pipeline's objects (or, without FILE, the whole local store) to an S3 store")
  .requiredOption("--to <s3url>", "s3://bucket/prefix")
  .option("--store <dir>", "local store (default: $DNAFLOW_STORE or .dnaflow/ next to the pipeline)")
  .option("--set <key=value>", "param override, as for run", collect)
  .option("--profile <name>", "profile, as for run")
  .action(act((file: string | undefined, o) => pushCmd(file, o)));

program
  .command("pull [file]")
  .description("download the pipeline's objects that an S3 store has into the local store (verified)")
  .requiredOption("--from <s3url>", "s3://bucket/prefix")
  .option("--store <dir>", "local store (default: $DNAFLOW_STORE or .dnaflow/ next to the pipeline)")
  .option("--set <key=value>", "param override, as for run", collect)
  .option("--profile <name>", "profile, as for run")
  .action(act((file: string | undefined, o) => pullCmd(file, o)));

program
  .command("gc [file]")
  .description("remove objects no recent run references (the store next to FILE, or --store)")
  .option("--store <dir>", "store directory")
  .option("--dry-run", "only report what would be removed")
  .option("--keep-last <n>", "keep objects of the last N complete runs of each pipeline (and of any run since)", "1")
  .option("--older-than <duration>", "grace period: keep anything younger (e.g. 1h, 7d)", "1h")
  .action(act((file: string | undefined, o) => gcCmd(file, o)));

// Run by cluster jobs (the Slurm executor): one stage instance, by key, against the store.
common(program.command("exec-stage <file>", { hidden: true }).description("make one stage instance by key against the store (what a cluster job runs)"))
  .requiredOption("--stage <id>", "stage instance id, e.g. tokenize[kind=bpe]")
  .requiredOption("--key <key>", "the key the submitter planned; refused (exit 2) if it plans differently here")
  .option("--result <file>", "write the verdict there as JSON (for the submitting engine)")
  .action(act((file: string, o) => execStageCmd(file, o)));

// --debug (anywhere on the line, or DNAFLOW_DEBUG=1): unexpected errors with their stack trace.
const debug = process.argv.includes("--debug") || !!process.env.DNAFLOW_DEBUG;
try {
  await program.parseAsync(process.argv.filter((a) => a !== "--debug"));
} catch (e) {
  if (e instanceof CommanderError) {
    exitCode = e.exitCode === 0 ? 0 : 2; // help/version print and exit 0; usage errors are 2
  } else if (e instanceof SpecError) {
    process.stderr.write(e.message + "\n");
    exitCode = 2;
  } else {
    // One line (a full disk, a read-only store, a bug): the stack only with --debug.
    const line = describeSystemError(e) ?? `${(e as Error)?.message ?? e}`;
    process.stderr.write(
      debug
        ? `dnaflow: ${line}\n${(e as Error)?.stack ?? ""}\n`
        : `dnaflow: ${line}${describeSystemError(e) || e instanceof FatalError ? "" : " (--debug shows where)"}\n`,
    );
    exitCode = 1;
  }
}
process.exitCode = exitCode;
