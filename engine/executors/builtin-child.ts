// The process that runs one builtin stage: `node engine/cli/builtin-child.js job.json`, events on fd 3. The entry file
// lives in the CLI layer, which composes the registry of builtins; this module only runs what it is given.
// Stages run in their own process so they use their own core, can be killed as a group, and run the same way locally,
// under Slurm, or on another machine.
import { createWriteStream, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import type { Registry } from "../registry.js";
import { StageInputError } from "../../core/errors.js";
import type { JsonValue } from "../../core/json.js";
import type { StageContext } from "../stage.js";
import type { BuiltinJob } from "./builtin-job.js";
import type { StageEvent } from "./protocol.js";
import { selfFinalUsage } from "./resource-sampler.js";
import { writtenDigests } from "../../lib/sharded/written-digests.js";

/** Runs the builtin that `jobFile` names, found in `registry`, and exits with its outcome. */
export function runBuiltinChild(jobFile: string, registry: Registry): void {
  const job: BuiltinJob = JSON.parse(readFileSync(jobFile, "utf8"));
  const events = createWriteStream("", { fd: 3 });
  // The engine was killed (kill -9, a lost node): nobody reads the events any more. An orphan stops, quietly.
  events.on("error", (e: NodeJS.ErrnoException) => {
    process.stderr.write(`dnaflow: the engine is gone (event pipe: ${e.code ?? e.message}); this orphaned stage stops\n`);
    process.exit(1);
  });
  const send = (e: StageEvent) => events.write(JSON.stringify(e) + "\n");
  const controller = new AbortController();
  for (const sig of ["SIGTERM", "SIGINT"] as const) process.on(sig, () => controller.abort(new Error(`stage cancelled (${sig})`)));

  let lastProgress = 0;
  const ctx: StageContext = {
    params: job.params,
    input(name) {
      const items = job.inputs[name] ?? [];
      if (items.length !== 1) throw new Error(`input '${name}' has ${items.length} artifacts; this stage expects one (use inputs())`);
      return items[0].path;
    },
    inputs: (name) => job.inputs[name] ?? [],
    hasInput: (name) => (job.inputs[name]?.length ?? 0) > 0,
    output(name) {
      return join(job.outDir, name);
    },
    checkpointDir: job.checkpointDir,
    workDir: job.workDir,
    resources: job.resources,
    lineage: job.lineage ?? [],
    progress(done, total, unit, metrics) {
      const now = Date.now();
      // Throttled: a hot loop may call this per record.
      if (now - lastProgress < 200 && done !== total) return;
      lastProgress = now;
      send({ event: "progress", done, total, unit, ...(metrics ? { metrics } : {}) });
    },
    log: (message) => send({ event: "log", message }),
    setMeta: (meta: Record<string, JsonValue>) => send({ event: "meta", meta }),
    signal: controller.signal,
  };

  function finish(code: number): void {
    // Exact CPU, I/O and peak RSS of this process and the children it reaped (the engine samples the rest).
    const usage = selfFinalUsage();
    if (usage) send({ event: "usage", usage });
    events.end(() => process.exit(code)); // a pipe closed by now: the end callback runs first, and the exit is quiet
  }

  async function main(): Promise<void> {
    const found = registry.find(job.stage, job.version);
    if ("error" in found) throw new Error(found.error);
    await found.def.run(ctx);
    // What the stage hashed while writing spares the engine reading its outputs back.
    const files = writtenDigests()
      .map((d) => ({ ...d, path: relative(job.outDir, d.path) }))
      .filter((d) => d.path && !d.path.startsWith("..") && !d.path.startsWith(sep))
      .map((d) => ({ ...d, path: d.path.split(sep).join("/") }));
    if (files.length) send({ event: "digests", files });
    send({ event: "done" });
  }

  main().then(
    () => finish(0),
    (e: unknown) => {
      const err = e instanceof Error ? e : new Error(String(e));
      send({ event: "error", message: err instanceof StageInputError ? err.message : (err.stack ?? err.message), inputError: err instanceof StageInputError });
      finish(1);
    },
  );
}
