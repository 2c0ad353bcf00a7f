// Gathers a stage instance's key components: upstream keys, content digests of external inputs and named scripts.
import { statSync } from "node:fs";
import { basename, isAbsolute, relative, resolve } from "node:path";
import type { DigestCache } from "../../cache/digest-cache.js";
import { listTree, treeDigest } from "../../cache/digest.js";
import type { StageInstance } from "../dag/types.js";
import { STORE_FORMAT, type KeyComponents } from "../../core/key.js";
import { WORKER_DIR } from "../python/interpreter.js";
import { keyedParams } from "../stage-params.js";

let workerDigestMemo: Promise<string> | undefined;

/** Requirements pins + every .py file of the worker + the params schemas it validates against (tests and caches excluded). */
function workerDigest(digests: DigestCache): Promise<string> {
  workerDigestMemo ??= (async () => {
    const files = (await listTree(WORKER_DIR)).filter(
      (f) => (f.rel.endsWith(".py") || f.rel === "requirements.txt" || /^schemas\/[^/]+\.json$/.test(f.rel)) && !/(^|\/)(tests|__pycache__)\//.test(f.rel),
    );
    const withSha = [];
    for (const f of files) withSha.push({ ...f, sha256: await digests.digest(f.abs) });
    return treeDigest(withSha);
  })();
  return workerDigestMemo;
}

export async function contentDigest(path: string, digests: DigestCache): Promise<string> {
  const files = await listTree(path);
  if (files.length === 1 && files[0].rel === "") return digests.digest(path);
  const withSha = [];
  for (const f of files) withSha.push({ ...f, sha256: await digests.digest(f.abs) });
  return `tree:${treeDigest(withSha)}`;
}

/** Per pipeline directory: does this argv word name a file in it? (Thousands of stages repeat the same words.) */
const isScriptCache = new Map<string, boolean>();

function namesScript(word: string, dir: string): string | undefined {
  if (!word || word.includes("${{") || word.startsWith("-") || isAbsolute(word)) return undefined;
  const abs = resolve(dir, word);
  if (relative(dir, abs).startsWith("..")) return undefined;
  let yes = isScriptCache.get(abs);
  if (yes === undefined) isScriptCache.set(abs, (yes = !!statSync(abs, { throwIfNoEntry: false })?.isFile()));
  return yes ? abs : undefined;
}

/** Argv words that name files inside the pipeline directory (scripts): their content is part of the key. */
async function scriptDigests(words: string[], dir: string, digests: DigestCache): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const w of words) {
    const abs = namesScript(w, dir);
    if (abs) out[w] = await digests.digest(abs);
  }
  return out;
}

export async function keyComponents(
  inst: StageInstance,
  keyOf: (inst: StageInstance) => string,
  pipelineDir: string,
  digests: DigestCache,
  hostEnv: NodeJS.ProcessEnv,
): Promise<KeyComponents> {
  const inputs: KeyComponents["inputs"] = {};
  for (const [name, list] of Object.entries(inst.inputs)) {
    inputs[name] = [];
    for (const b of list) {
      inputs[name].push(b.kind === "stage" ? { upstream: keyOf(b.from), output: b.output } : { content: await contentDigest(b.path, digests) });
    }
  }
  let stage: KeyComponents["stage"];
  if (inst.def) {
    stage = { uses: inst.def.name, version: inst.def.version, revision: inst.def.revision ?? 0 };
  } else {
    const r = inst.run!;
    const words = r.argv ?? r.command!.split(/\s+/);
    stage = { run: r.argv ?? r.command!, shell: r.shell, scripts: await scriptDigests(words, pipelineDir, digests) };
  }
  const env: Record<string, string | null> = { ...inst.env };
  for (const name of inst.passEnv) env[name] = hostEnv[name] ?? null;
  const worker = inst.def?.usesWorker ? await workerDigest(digests) : undefined;
  const inputLabels = inst.def?.keysInputLabels ? labelsOf(inst) : undefined;
  return {
    format: STORE_FORMAT,
    stage,
    params: keyedParams(inst.def, inst.params),
    inputs,
    outputs: [...inst.outputs],
    env,
    ...(worker ? { worker } : {}),
    ...(inputLabels ? { inputLabels } : {}),
  };
}

/** What a stage that writes its inputs' provenance sees of them (engine/run/stage-inputs.ts hands it the same). */
function labelsOf(inst: StageInstance): NonNullable<KeyComponents["inputLabels"]> {
  const out: NonNullable<KeyComponents["inputLabels"]> = {};
  for (const [name, list] of Object.entries(inst.inputs)) {
    out[name] = list.map((b) => (b.kind === "stage" ? { from: b.from.id, matrix: { ...b.from.coords } } : { file: basename(b.path) }));
  }
  return out;
}
