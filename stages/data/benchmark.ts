// data/benchmark: benchmark tasks (GUE layout: a folder per task with train.csv, dev.csv, test.csv, header
// `sequence,label`; NT-style CSVs with train/test) from a local folder, an archive or a URL → the normalized task
// artifact (tasks.json + <task>/<split>.csv) that finetune and eval stages read. Layout: docs/evaluation.md.
import { createHash } from "node:crypto";
import { mkdirSync, statSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { t, type Static } from "../../core/schema.js";
import { defineStage } from "../../engine/stage.js";
import { StageInputError } from "../../core/errors.js";
import { describeTask, taskKind, type TaskInfo, type TaskSet } from "../../lib/benchmark/artifact.js";
import { selectTasks, splitSuitePrefix, tasksNotInSuite } from "../../lib/benchmark/select.js";
import {
  archiveRoot,
  discoverTasks,
  download,
  extract,
  fileNameOf,
  isArchive,
  localPath,
  verifySha256,
  type FetchOptions,
  type TaskFiles,
} from "../../lib/benchmark/source.js";
import { suiteNames, suites, type Suite } from "../../lib/benchmark/suites.js";
import { checkClasses, checkTaskSplits } from "../../lib/benchmark/task-checks.js";
import { formatTaskSplit, parseTaskSplit, type SplitData } from "../../lib/benchmark/task-csv.js";

const benchmarkParams = t.params({
  url: t.string({
    description: "Archive (.zip, .tar.gz, …) or base URL of task folders; http(s), file:// or a path. Instead of the `source` input.",
  }),
  sha256: t.string({ pattern: "^[0-9a-fA-F]{64}$", description: "Expected sha256 of the archive at url." }),
  allowUnverified: t.boolean({ default: false, description: "Accept a download without a sha256 to verify." }),
  root: t.string({ description: "Folder inside the archive that holds the task folders (default: descend through single folders)." }),
  suite: t.string({ description: "Known task list (gue, nt): its task names and class counts; also given as a pattern prefix, gue/prom/*." }),
  tasks: t.array(t.string(), {
    default: ["**"],
    description: "Task globs: prom/*, tf/0, gue/EMP/*; * stays in one folder, ** crosses folders.",
  }),
  kind: t.enum(["auto", "classification", "regression"], {
    default: "auto",
    description: "auto: integer labels → classification, other numbers → regression.",
  }),
  name: t.string({ description: "Task name when the source is a single task folder (default: the folder's name)." }),
  retries: t.integer({ minimum: 0, default: 8 }),
  timeoutMs: t.integer({ minimum: 1, default: 60000 }),
  backoffMs: t.integer({ minimum: 0, default: 2000 }),
});

export type BenchmarkParams = Static<typeof benchmarkParams>;

const GLOB = /[*?]/;

export default defineStage<BenchmarkParams>({
  name: "data/benchmark",
  version: 1,
  description: "Benchmark tasks (GUE layout, NT CSVs) from a folder, archive or URL → tasks.json + normalized <task>/<split>.csv",
  params: benchmarkParams,
  // Network knobs: how hard to try, not what is fetched; the same sources give the same bytes with any of them.
  unkeyed: ["retries", "timeoutMs", "backoffMs"],
  inputs: { source: { optional: true, description: "Local folder of task folders (GUE layout), one task folder, or an archive." } },
  outputs: ["tasks"],
  resources: { cpus: 1, memory: "2G" },
  planCheck({ params: p }) {
    // A named suite and task names without wildcards: a task the suite does not list fails the plan, not the run.
    let split: { suite?: string; patterns: string[] };
    try {
      split = splitSuitePrefix(p.tasks, suiteNames());
    } catch {
      return []; // two task lists named: the run reports it
    }
    const suite = suites().get(p.suite ?? split.suite ?? "");
    if (!suite) return [];
    const msg = tasksNotInSuite(
      split.patterns.filter((t) => !GLOB.test(t)),
      suite,
    );
    return msg ? [{ message: msg, path: ["tasks"] }] : [];
  },
  async run(ctx) {
    const p = ctx.params;
    const known = suiteNames();
    const split = splitSuitePrefix(p.tasks, known);
    const suiteName = p.suite ?? split.suite;
    if (p.suite && split.suite && p.suite !== split.suite) throw new StageInputError(`tasks name the task list '${split.suite}' but suite is '${p.suite}'`);
    let suite: Suite | undefined;
    if (suiteName) {
      suite = suites().get(suiteName);
      if (!suite) throw new StageInputError(`unknown suite '${suiteName}' (known: ${known.join(", ")})`);
    }
    const patterns = split.patterns;
    const fo: FetchOptions = {
      checkpointDir: ctx.checkpointDir,
      workDir: ctx.workDir,
      retries: p.retries,
      timeoutMs: p.timeoutMs,
      backoffMs: p.backoffMs,
      signal: ctx.signal,
      log: ctx.log,
      progress: (d, t, u) => ctx.progress(d, t, u),
    };

    let files: TaskFiles;
    let where: string;
    let sourceName = "local";
    const fromLocal = async (path: string, shown: string, sha256?: string) => {
      if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) return discoverTasks(path, (rel) => join(path, rel), p.name);
      if (!isArchive(path)) throw new StageInputError(`${shown}: neither a folder nor an archive (.zip, .tar, .tar.gz, .tgz)`);
      const digest = await verifySha256(path, sha256, shown, ctx.signal);
      ctx.setMeta({ archiveSha256: digest });
      const into = join(ctx.workDir, "unpacked");
      await extract(path, shown, into);
      const root = archiveRoot(into, p.root, shown);
      return discoverTasks(root, (rel) => `${shown}!/${relative(into, join(root, rel)).split(sep).join("/")}`, p.name);
    };
    if (ctx.hasInput("source")) {
      if (p.url) throw new StageInputError("give either the `source` input or the `url` param, not both");
      const path = ctx.input("source");
      files = await fromLocal(path, path, p.sha256);
      where = path;
    } else if (p.url) {
      where = p.url;
      const local = localPath(p.url);
      if (local !== undefined) files = await fromLocal(local, p.url, p.sha256);
      else {
        sourceName = p.url;
        if (isArchive(fileNameOf(p.url))) {
          if (!p.sha256 && !p.allowUnverified) throw new StageInputError(`${p.url}: no checksum to verify against (give sha256, or allowUnverified: true)`);
          const archive = await download(p.url, fo);
          files = await fromLocal(archive, p.url, p.sha256);
        } else files = await fetchTaskFolders(p.url, suite, patterns, p.allowUnverified, fo);
      }
    } else throw new StageInputError("data/benchmark: give a `source` input (a local folder) or a `url` param");

    const selected = selectTasks([...files.keys()], patterns, where);
    const outside = suite && tasksNotInSuite(selected, suite);
    if (outside) throw new StageInputError(outside);
    const out = ctx.output("tasks");
    const infos: TaskInfo[] = [];
    let done = 0;
    for (const name of selected) {
      ctx.signal.throwIfAborted();
      const parsed: Record<string, SplitData & { sha256: string }> = {};
      for (const [splitName, f] of files.get(name)!) {
        const text = await readFile(f.path, "utf8");
        parsed[splitName] = { ...parseTaskSplit(text, f.display), sha256: createHash("sha256").update(text).digest("hex") };
      }
      const suiteTask = suite?.tasks.find((t) => t.name === name);
      const display = (s: string) => files.get(name)!.get(s)!.display;
      checkTaskSplits(name, parsed, dirname(display(Object.keys(parsed)[0])));
      // Before describing the task: its class counts are arrays as long as the largest label.
      if (taskKind(parsed, suiteTask?.kind ?? p.kind) === "classification") checkClasses(name, parsed, display);
      const info = describeTask(name, parsed, { kind: suiteTask?.kind ?? p.kind, metric: suite?.metric });
      if (suiteTask?.classes !== undefined && info.numClasses !== undefined && info.numClasses !== suiteTask.classes)
        ctx.log(`warning: ${name}: labels give ${info.numClasses} classes, ${suite!.name} lists ${suiteTask.classes}`);
      for (const [s, d] of Object.entries(parsed)) {
        const file = join(out, info.splits[s].file);
        mkdirSync(dirname(file), { recursive: true });
        await writeFile(file, formatTaskSplit(d));
      }
      infos.push(info);
      ctx.progress(++done, selected.length, "tasks");
    }
    const set: TaskSet = { format: 1, ...(suite ? { suite: suite.name } : {}), source: sourceName, tasks: infos };
    await writeFile(join(out, "tasks.json"), JSON.stringify(set, null, 2) + "\n");
    for (const t of infos) {
      const rows = Object.entries(t.splits)
        .map(([s, i]) => `${s} ${i.rows}`)
        .join(", ");
      const what = t.kind === "classification" ? `${t.numClasses} classes` : `regression ${t.labelRange!.min}..${t.labelRange!.max}`;
      ctx.log(`${t.name}: ${what}; ${rows}`);
    }
    ctx.setMeta({ tasks: infos.length, rows: infos.reduce((a, t) => a + Object.values(t.splits).reduce((b, s) => b + s.rows, 0), 0) });
  },
});

/** Base URL: fetch <url>/<task>/<split>.csv for the tasks the patterns select from the suite (or literal task names). */
async function fetchTaskFolders(base: string, suite: Suite | undefined, patterns: string[], allowUnverified: boolean, fo: FetchOptions): Promise<TaskFiles> {
  if (!allowUnverified)
    throw new StageInputError(`${base}: files fetched from a base URL cannot be verified (give an archive with sha256, or allowUnverified: true)`);
  let names: string[];
  if (suite)
    names = selectTasks(
      suite.tasks.map((t) => t.name),
      patterns,
      `task list '${suite.name}'`,
    );
  else if (patterns.every((x) => !GLOB.test(x))) names = patterns;
  else throw new StageInputError(`${base}: a base URL cannot be listed; name a suite (suite: gue, or tasks: [gue/prom/*]) or list tasks without wildcards`);
  const files: TaskFiles = new Map();
  const root = base.replace(/\/+$/, "");
  for (const name of names) {
    const m = new Map<string, { path: string; display: string }>();
    for (const s of suite?.splits ?? ["train", "dev", "test"]) {
      const url = `${root}/${name.split("/").map(encodeURIComponent).join("/")}/${s}.csv`;
      try {
        m.set(s, { path: await download(url, fo, `${s}.csv`), display: url });
      } catch (e) {
        if (!suite && s === "dev" && /HTTP 404/.test((e as Error).message)) continue;
        throw e;
      }
    }
    files.set(name, m);
  }
  return files;
}
