// What every command needs: the pipeline loaded and planned against its store.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { DigestCache } from "../../cache/digest-cache.js";
import { FsStore } from "../../cache/fs-store.js";
import { LayeredStore } from "../../cache/layered-store.js";
import type { Store } from "../../cache/store.js";
import { buildDag } from "../dag/build.js";
import { builtins } from "./builtins.js";
import type { Dag } from "../dag/types.js";
import { formatProblem, mergeProblems, SpecError } from "../../core/errors.js";
import { makePlan, type Plan } from "../plan/plan.js";
import { loadPipeline } from "../spec/load.js";
import type { PipelineSpec } from "../spec/types.js";

export interface CommonOptions {
  store?: string;
  /** Local cache directory when the store is remote (s3://). */
  cache?: string;
  set?: string[];
  profile?: string;
}

export interface Loaded {
  pipeline: PipelineSpec;
  dag: Dag;
  store: Store;
  digests: DigestCache;
  plan: Plan;
}

const defaultDir = (pipelineFile?: string) => (pipelineFile ? join(dirname(resolve(pipelineFile)), ".dnaflow") : ".dnaflow");

/** A local (or shared-filesystem) store: --store DIR, then $DNAFLOW_STORE, then .dnaflow/ next to the pipeline file. */
export function storeFor(pipelineFile: string | undefined, opt?: string): FsStore {
  const dir = opt || process.env.DNAFLOW_STORE || defaultDir(pipelineFile);
  if (dir.startsWith("s3://")) throw new SpecError([{ message: `this command works on a local store; '${dir}' is remote (use dnaflow pull first)` }]);
  return new FsStore(dir);
}

/**
 * Any store: a directory, or s3://bucket/prefix seen through a local cache (--cache, then $DNAFLOW_CACHE, then
 * .dnaflow/ next to the pipeline).
 */
export async function openStore(pipelineFile: string | undefined, opts: { store?: string; cache?: string }): Promise<Store> {
  const where = opts.store || process.env.DNAFLOW_STORE || defaultDir(pipelineFile);
  if (!where.startsWith("s3://")) return new FsStore(where);
  try {
    return await LayeredStore.open(where, opts.cache || process.env.DNAFLOW_CACHE || defaultDir(pipelineFile));
  } catch (e) {
    throw new SpecError([{ message: (e as Error).message }]);
  }
}

export async function load(file: string, opts: CommonOptions): Promise<Loaded> {
  const { pipeline, dag } = loadAndBuild(file, opts);
  const store = await openStore(file, opts);
  const digests = new DigestCache(store.statePath("digests.json"));
  const plan = await makePlan(pipeline, dag, store, digests);
  return { pipeline, dag, store, digests, plan };
}

/**
 * The pipeline and its DAG. When loading finds problems, the DAG is still built from what loaded, so that bad
 * references come in the same report as (say) an unknown key and a bad type.
 */
export function loadAndBuild(file: string, opts: CommonOptions): { pipeline: PipelineSpec; dag: Dag } {
  try {
    const pipeline = loadPipeline(file, { set: opts.set, profile: opts.profile });
    for (const w of pipeline.warnings) process.stderr.write(`warning: ${formatProblem(w)}\n`); // deprecated spellings
    return { pipeline, dag: buildDag(pipeline, builtins) };
  } catch (e) {
    if (!(e instanceof SpecError) || !e.partial) throw e;
    try {
      buildDag(e.partial as PipelineSpec, builtins);
    } catch (later) {
      if (later instanceof SpecError) {
        // A place that already has a problem (say an unterminated ${{ in an input) needs no second one.
        const at = new Set(e.problems.map((p) => `${p.line}:${p.col}`));
        throw new SpecError(
          mergeProblems(
            e.problems,
            later.problems.filter((p) => !p.line || !at.has(`${p.line}:${p.col}`)),
          ),
        );
      }
      // Anything else: the partial spec was too broken for the DAG phase; the first problems stand.
    }
    throw e;
  }
}

/** For commands written `dnaflow show [FILE] STAGE`: the file defaults to dnaflow.yaml or pipeline.yaml here. */
export function fileAndStage(a: string, b?: string): { file: string; stage: string } {
  if (b !== undefined) return { file: a, stage: b };
  const def = ["dnaflow.yaml", "pipeline.yaml"].find((f) => existsSync(f));
  if (!def) throw new SpecError([{ message: `no pipeline file given and no dnaflow.yaml or pipeline.yaml here; use: dnaflow <command> FILE ${a}` }]);
  return { file: def, stage: a };
}
