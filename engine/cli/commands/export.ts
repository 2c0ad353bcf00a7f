// dnaflow export RUN --ro-crate DIR: a run's provenance as a Workflow Run RO-Crate (lib/provenance/ro-crate.ts) —
// ro-crate-metadata.json plus a copy of the pipeline file. RUN is a run id, or a pipeline name for its latest run.
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { basename, isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { DigestCache } from "../../../cache/digest-cache.js";
import type { RunRecord } from "../../../cache/runs.js";
import type { ObjectStore, RunStore } from "../../../cache/store.js";
import { buildRoCrate, type CrateStage } from "../../../lib/provenance/ro-crate.js";
import { buildDag } from "../../dag/build.js";
import { SpecError } from "../../../core/errors.js";
import { builtins } from "../builtins.js";
import { contentDigest } from "../../plan/components.js";
import { loadPipeline } from "../../spec/load.js";
import { LayeredStore } from "../../../cache/layered-store.js";
import { openStore } from "../context.js";

export interface ExportOptions {
  roCrate: string;
  store?: string;
  cache?: string;
  /** The pipeline file, when the path the run recorded does not resolve from here. */
  file?: string;
}

function findRun(store: RunStore, run: string): RunRecord {
  const byId = store.runs.read(run);
  if (byId) return byId;
  const latest = store.runs.recent(run, 1)[0];
  if (latest) return latest;
  const known = store.runs.pipelines();
  throw new SpecError([{ message: `no run '${run}' in the store ${store.location} (a run id, or a pipeline name: ${known.join(", ") || "none recorded"})` }]);
}

/** Where a published output lives, as an absolute URI: s3://… for an S3 store, else a file:// URL. */
function outputUris(store: ObjectStore): (key: string, output: string, file?: string) => string {
  return (key, output, file) => {
    const remote = store instanceof LayeredStore ? store.outputUri(key, output, file) : undefined;
    if (remote) return remote;
    return pathToFileURL(join(store.outputPath(key, output), file ?? "")).href;
  };
}

export async function exportCmd(run: string, opts: ExportOptions): Promise<number> {
  const store = await openStore(opts.file, opts);
  const rec = findRun(store, run);
  const file = opts.file ?? rec.file;
  const path = isAbsolute(file) ? file : resolve(file);
  if (!existsSync(path))
    throw new SpecError([{ message: `${file}: the pipeline file of run ${rec.id} is not there (from ${process.cwd()}); name it with --file` }]);
  const text = readFileSync(path);

  // External inputs by content digest, so the crate can name and locate them (as the key saw them: by content).
  const external = new Map<string, { uri: string; name: string }>();
  try {
    const pipeline = loadPipeline(path, { set: rec.set, profile: rec.profile });
    const digests = new DigestCache(store.statePath("digests.json"));
    for (const inst of buildDag(pipeline, builtins).instances) {
      for (const list of Object.values(inst.inputs)) {
        for (const b of list)
          if (b.kind === "file" && existsSync(b.path)) external.set(await contentDigest(b.path, digests), { uri: pathToFileURL(b.path).href, name: b.shown });
      }
    }
    digests.save();
  } catch {
    // The pipeline changed since the run: external inputs are then named by digest only.
  }

  const stages: CrateStage[] = Object.entries(rec.stages).map(([id, s]) => {
    const m = s.status === "ran" || s.status === "cached" ? store.readManifest(s.key) : undefined;
    const meta = (m?.meta ?? {}) as Record<string, unknown>;
    const resources = (m as unknown as { resources?: Record<string, unknown> })?.resources ?? (meta.resources as Record<string, unknown> | undefined);
    return {
      id,
      key: s.key,
      status: s.status,
      error: s.error,
      components: (s.components ?? m?.components) as CrateStage["components"],
      made: m
        ? { outputs: m.outputs, files: m.files, timings: m.timings, host: m.host, software: meta.software as Record<string, string> | undefined, resources }
        : undefined,
    };
  });
  const version = JSON.parse(readFileSync(new URL("../../../../package.json", import.meta.url), "utf8")).version;
  const crate = buildRoCrate({
    run: rec,
    workflow: { path: basename(path), size: statSync(path).size, sha256: createHash("sha256").update(text).digest("hex") },
    stages,
    engine: { version, node: process.version, url: new URL("../../../../", import.meta.url).href },
    outputUri: outputUris(store),
    externalInput: (d) => external.get(d),
  });
  mkdirSync(opts.roCrate, { recursive: true });
  copyFileSync(path, join(opts.roCrate, basename(path)));
  writeFileSync(join(opts.roCrate, "ro-crate-metadata.json"), JSON.stringify(crate, null, 2) + "\n");
  process.stdout.write(
    `${join(opts.roCrate, "ro-crate-metadata.json")}: run ${rec.id} (${rec.pipeline}, ${rec.outcome}), ${stages.length} stage instance(s)\n`,
  );
  return 0;
}
