// A Workflow Run RO-Crate (https://www.researchobject.org/workflow-run-crate/, profile 0.5, on RO-Crate 1.1) of one
// dnaflow run: the pipeline file as the ComputationalWorkflow, one CreateAction for the run (instrument: the pipeline)
// and one per stage instance (instrument: the builtin or command; object: its inputs and params; result: its outputs
// with sha256), with key, key components, host, timings, resource usage and software versions. Built from the run
// record and the manifests; a pure function of them, so the same run exports the same crate.

/** JSON with sorted keys at every level (as the key is computed), so equal values give equal strings. */
function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .filter((k) => o[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(",")}}`;
}

export const RO_CRATE = "https://w3id.org/ro/crate/1.1";
export const PROFILES = {
  process: { id: "https://w3id.org/ro/wfrun/process/0.5", name: "Process Run Crate", version: "0.5" },
  workflow: { id: "https://w3id.org/ro/wfrun/workflow/0.5", name: "Workflow Run Crate", version: "0.5" },
  workflowCrate: { id: "https://w3id.org/workflowhub/workflow-ro-crate/1.0", name: "Workflow RO-Crate", version: "1.0" },
};
const WFRUN_TERMS = "https://w3id.org/ro/terms/workflow-run#";

export interface CrateFile {
  path: string;
  size: number;
  sha256: string;
}

export interface CrateStage {
  /** Instance id in the pipeline, e.g. finetune[init=scratch]. */
  id: string;
  key: string;
  status: "ran" | "cached" | "failed" | "skipped" | "cancelled" | "planned";
  error?: string;
  components?: {
    stage: { uses: string; version: number; revision: number } | { run: string[] | string; shell: boolean; scripts: Record<string, string> };
    params: Record<string, unknown>;
    inputs: Record<string, Array<{ upstream: string; output: string } | { content: string }>>;
    outputs: string[];
    env: Record<string, string | null>;
    worker?: string;
  };
  /** From the manifest of the published object (absent for a failed stage or an object not in the local store). */
  made?: {
    outputs: Record<string, "file" | "dir">;
    files: CrateFile[];
    timings: { started: string; finished: string; seconds: number };
    host: string;
    /** Software the stage reported (node, python, torch, transformers, ...). */
    software?: Record<string, string>;
    /** Resources: requested slots and measured use where the manifest records them. */
    resources?: Record<string, unknown>;
  };
}

export interface CrateInput {
  run: { id: string; pipeline: string; started: string; finished?: string; outcome: string; host: string; profile?: string; set?: string[] };
  workflow: { path: string; size: number; sha256: string };
  stages: CrateStage[];
  /** dnaflow's version, where it is installed (a file:// URL ending in /) and the Node.js that exported the crate. */
  engine: { version: string; node: string; url: string };
  /** Absolute URI of a published output (or of one file inside it). */
  outputUri(key: string, output: string, file?: string): string;
  /** Absolute URI (and name) of an external input by content digest, when the pipeline names it. */
  externalInput(digest: string): { uri: string; name: string } | undefined;
}

type Ref = { "@id": string };
type Entity = { "@id": string; "@type": string | string[]; [k: string]: unknown };

const ref = (id: string): Ref => ({ "@id": id });
const frag = (s: string) => encodeURIComponent(s).replace(/%2F/g, "/").replace(/%40/g, "@");

/** Collects entities by @id, merging list-valued references added from several places. */
class Graph {
  readonly byId = new Map<string, Entity>();

  add(e: Entity): Entity {
    const have = this.byId.get(e["@id"]);
    if (!have) {
      this.byId.set(e["@id"], e);
      return e;
    }
    for (const [k, v] of Object.entries(e)) if (!(k in have)) have[k] = v;
    return have;
  }

  link(id: string, prop: string, target: string): void {
    const e = this.byId.get(id)!;
    const list = (Array.isArray(e[prop]) ? e[prop] : e[prop] === undefined ? [] : [e[prop]]) as Ref[];
    if (!list.some((r) => r["@id"] === target)) list.push(ref(target));
    e[prop] = list;
  }
}

const paramType = (v: unknown) => (typeof v === "boolean" ? "Boolean" : typeof v === "number" ? (Number.isInteger(v) ? "Integer" : "Float") : "Text");
const paramValue = (v: unknown) => (typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? v : canonicalJson(v));

export function buildRoCrate(c: CrateInput): { "@context": unknown; "@graph": Entity[] } {
  const g = new Graph();
  const runId = `#run/${frag(c.run.id)}`;
  const wf = c.workflow.path;
  const dnaflow = "#software/dnaflow";
  const done = c.stages.filter((s) => s.status === "ran" || s.status === "cached" || s.status === "failed");
  const other = c.stages.filter((s) => !done.includes(s));

  g.add({ "@id": "ro-crate-metadata.json", "@type": "CreativeWork", conformsTo: [ref(RO_CRATE), ref(PROFILES.workflowCrate.id)], about: ref("./") });
  g.add({
    "@id": "./",
    "@type": "Dataset",
    name: `dnaflow run ${c.run.id} of ${c.run.pipeline}`,
    description:
      `Provenance of the dnaflow run ${c.run.id} of the pipeline ${c.run.pipeline} (${c.run.outcome}), on ${c.run.host}: ` +
      `${done.length} stage instance(s) made or reused` +
      (other.length ? `; not run: ${other.map((s) => `${s.id} (${s.status})`).join(", ")}` : "") +
      ". Outputs are referenced where they are stored, each file with its sha256.",
    datePublished: c.run.finished ?? c.run.started,
    license: ref("https://spdx.org/licenses/CC-BY-4.0"),
    conformsTo: [ref(PROFILES.process.id), ref(PROFILES.workflow.id), ref(PROFILES.workflowCrate.id)],
    mainEntity: ref(wf),
    hasPart: [ref(wf)],
    mentions: [ref(runId)],
  });
  g.add({ "@id": "https://spdx.org/licenses/CC-BY-4.0", "@type": "CreativeWork", name: "Creative Commons Attribution 4.0 International" });
  for (const p of Object.values(PROFILES)) g.add({ "@id": p.id, "@type": "CreativeWork", name: p.name, version: p.version });
  g.add({
    "@id": "#language/dnaflow",
    "@type": "ComputerLanguage",
    name: "dnaflow pipeline YAML",
    alternateName: "dnaflow",
    version: c.engine.version,
    url: ref(`${c.engine.url}schema/pipeline.schema.json`),
  });
  g.add({
    "@id": dnaflow,
    "@type": "SoftwareApplication",
    name: "dnaflow",
    version: c.engine.version,
    url: ref(c.engine.url),
    description: "the engine that ran the pipeline",
  });
  g.add({
    "@id": wf,
    "@type": ["File", "SoftwareSourceCode", "ComputationalWorkflow"],
    name: c.run.pipeline,
    programmingLanguage: ref("#language/dnaflow"),
    encodingFormat: "application/yaml",
    contentSize: String(c.workflow.size),
    sha256: c.workflow.sha256,
    version: c.workflow.sha256.slice(0, 12),
    conformsTo: ref("https://bioschemas.org/profiles/ComputationalWorkflow/1.0-RELEASE"),
  });

  const results = new Set<string>();
  const objects = new Set<string>();

  const softwareRef = (name: string, version: string): string => {
    const id = `#software/${frag(name)}/${frag(version)}`;
    g.add({ "@id": id, "@type": "SoftwareApplication", name, version, url: ref(softwareUrl(name, version)) });
    return id;
  };
  const nodeId = softwareRef("Node.js", c.engine.node);
  g.link(dnaflow, "softwareRequirements", nodeId);

  /** The data entity of a published output: a File, or a Dataset whose hasPart lists its files (with sha256). */
  const outputEntity = (key: string, output: string, made?: CrateStage["made"]): string => {
    const kind = made?.outputs[output];
    const files = made?.files.filter((f) => f.path === output || f.path.startsWith(`${output}/`)) ?? [];
    const id = c.outputUri(key, output) + (kind === "dir" ? "/" : "");
    g.link("./", "hasPart", id); // data entities must be reachable from the root, even those stored elsewhere
    if (kind === "file" && files[0]) {
      g.add({
        "@id": id,
        "@type": "File",
        name: output,
        contentSize: String(files[0].size),
        sha256: files[0].sha256,
        encodingFormat: mediaType(output),
        identifier: `${key}/${output}`,
      });
    } else {
      const e = g.add({ "@id": id, "@type": "Dataset", name: output, identifier: `${key}/${output}` });
      if (files.length) {
        e.hasPart = files.map((f) => ref(c.outputUri(key, output, f.path.slice(output.length + 1))));
        for (const f of files) {
          g.add({
            "@id": c.outputUri(key, output, f.path.slice(output.length + 1)),
            "@type": "File",
            name: f.path,
            contentSize: String(f.size),
            sha256: f.sha256,
            encodingFormat: mediaType(f.path),
          });
        }
      }
    }
    return id;
  };

  const byKey = new Map(c.stages.filter((s) => s.made).map((s) => [s.key, s]));

  for (const s of done) {
    const comp = s.components;
    const actionId = `${runId}/stage/${frag(s.id)}`;
    const stageDesc = comp?.stage;
    const toolId =
      stageDesc && "uses" in stageDesc
        ? `#tool/${frag(stageDesc.uses)}@${stageDesc.version}`
        : `#tool/run/${frag(canonicalJson(stageDesc && "run" in stageDesc ? stageDesc.run : s.id)).slice(0, 120)}`;
    g.add({
      "@id": toolId,
      "@type": "SoftwareApplication",
      name:
        stageDesc && "uses" in stageDesc
          ? stageDesc.uses
          : `run: ${stageDesc && "run" in stageDesc ? (Array.isArray(stageDesc.run) ? stageDesc.run.join(" ") : stageDesc.run) : s.id}`,
      version: stageDesc && "uses" in stageDesc ? `${stageDesc.version}.${stageDesc.revision}` : "1",
      url: ref(stageDesc && "uses" in stageDesc ? `${c.engine.url}stages/${stageDesc.uses}.ts` : wf),
      description:
        stageDesc && "uses" in stageDesc
          ? `dnaflow builtin ${stageDesc.uses}, interface version ${stageDesc.version}, output revision ${stageDesc.revision}`
          : "a command stage",
    });
    g.link(toolId, "softwareRequirements", dnaflow);
    for (const [name, version] of Object.entries(s.made?.software ?? {})) {
      g.link(toolId, "softwareRequirements", softwareRef(name === "node" ? "Node.js" : name, String(version)));
    }

    const action: Entity = {
      "@id": actionId,
      "@type": "CreateAction",
      name: s.id,
      description: `${s.id}: ${s.status === "cached" ? "reused from the store (made by an earlier run)" : s.status === "ran" ? "made in this run" : "failed in this run"}; key ${s.key}`,
      identifier: s.key,
      instrument: ref(toolId),
      actionStatus: s.status === "failed" ? "http://schema.org/FailedActionStatus" : "http://schema.org/CompletedActionStatus",
      ...(s.error ? { error: s.error.split("\n")[0] } : {}),
      ...(s.made ? { startTime: isoTime(s.made.timings.started), endTime: isoTime(s.made.timings.finished), location: s.made.host } : {}),
    };
    g.add(action);
    g.link("./", "mentions", actionId);

    // Params (and the key's other components) as PropertyValues, each an example of the tool's FormalParameter.
    const param = (name: string, value: unknown, description?: string) => {
      const fp = `${toolId}/param/${frag(name)}`;
      g.add({
        "@id": fp,
        "@type": "FormalParameter",
        name,
        additionalType: paramType(value),
        ...(description ? { description } : {}),
        conformsTo: ref("https://bioschemas.org/profiles/FormalParameter/1.0-RELEASE"),
      });
      g.link(toolId, "input", fp);
      const pv = `${actionId}/param/${frag(name)}`;
      g.add({ "@id": pv, "@type": "PropertyValue", name, value: paramValue(value), exampleOfWork: ref(fp) });
      g.link(fp, "workExample", pv);
      g.link(actionId, "object", pv);
    };
    for (const [k, v] of Object.entries(comp?.params ?? {})) param(k, v);
    if (comp) {
      param("dnaflow.keyComponents", canonicalJson(comp), "everything the dnaflow key is the sha256 of (canonical JSON)");
      if (comp.worker) param("dnaflow.workerDigest", comp.worker, "sha256 over the training worker's pinned requirements and source");
      for (const [k, v] of Object.entries(comp.env ?? {})) {
        const pv = `${actionId}/env/${frag(k)}`;
        g.add({ "@id": pv, "@type": "PropertyValue", name: k, value: v ?? "" });
        g.link(actionId, "environment", pv);
      }
    }

    // Inputs: upstream outputs (data entities shared with the producing action) or external files by digest.
    for (const [name, items] of Object.entries(comp?.inputs ?? {})) {
      const fp = `${toolId}/input/${frag(name)}`;
      for (const it of items) {
        let id: string;
        if ("upstream" in it) {
          id = outputEntity(it.upstream, it.output, byKey.get(it.upstream)?.made);
          g.add({
            "@id": fp,
            "@type": "FormalParameter",
            name,
            additionalType: g.byId.get(id)!["@type"] === "File" ? "File" : "Dataset",
            conformsTo: ref("https://bioschemas.org/profiles/FormalParameter/1.0-RELEASE"),
          });
        } else {
          const ext = c.externalInput(it.content);
          const tree = it.content.startsWith("tree:");
          id = ext ? ext.uri + (tree && !ext.uri.endsWith("/") ? "/" : "") : `urn:sha256:${it.content.replace(/^tree:/, "")}`;
          g.add({
            "@id": id,
            "@type": it.content.startsWith("tree:") ? "Dataset" : "File",
            name: ext?.name ?? `input ${name}`,
            ...(it.content.startsWith("tree:") ? { identifier: it.content } : { sha256: it.content, encodingFormat: mediaType(ext?.name ?? "") }),
          });
          g.link("./", "hasPart", id);
          g.add({
            "@id": fp,
            "@type": "FormalParameter",
            name,
            additionalType: it.content.startsWith("tree:") ? "Dataset" : "File",
            conformsTo: ref("https://bioschemas.org/profiles/FormalParameter/1.0-RELEASE"),
          });
          objects.add(id);
        }
        g.link(toolId, "input", fp);
        g.link(fp, "workExample", id);
        g.link(id, "exampleOfWork", fp);
        g.link(actionId, "object", id);
      }
    }

    // Outputs with their sha256.
    if (s.made) {
      for (const output of comp?.outputs ?? Object.keys(s.made.outputs)) {
        const id = outputEntity(s.key, output, s.made);
        const fp = `${toolId}/output/${frag(output)}`;
        g.add({
          "@id": fp,
          "@type": "FormalParameter",
          name: output,
          additionalType: s.made.outputs[output] === "file" ? "File" : "Dataset",
          conformsTo: ref("https://bioschemas.org/profiles/FormalParameter/1.0-RELEASE"),
        });
        g.link(toolId, "output", fp);
        g.link(fp, "workExample", id);
        g.link(id, "exampleOfWork", fp);
        g.link(actionId, "result", id);
        results.add(id);
      }
      // Resource usage: wall time always; requested slots and measured use where the manifest has them.
      const usage: Array<[string, unknown, string]> = [["wallClockTime", s.made.timings.seconds, "SEC"]];
      for (const [k, v] of Object.entries(s.made.resources ?? {}))
        if (typeof v === "number") usage.push([k, v, /bytes|memory|rss/i.test(k) ? "E34" : /seconds|time/i.test(k) ? "SEC" : "C62"]);
      for (const [name, value, unit] of usage) {
        const pv = `${actionId}/usage/${frag(name)}`;
        g.add({ "@id": pv, "@type": "PropertyValue", name, value, unitCode: unit });
        g.link(actionId, "resourceUsage", pv);
      }
    }
  }

  // The run as a whole: instrument the pipeline; object the external inputs; result every output not consumed again.
  const consumed = new Set<string>();
  for (const e of g.byId.values())
    if (e["@type"] === "CreateAction" && e["@id"] !== runId) for (const o of (e.object as Ref[] | undefined) ?? []) consumed.add(o["@id"]);
  const finals = [...results].filter((id) => !consumed.has(id));
  g.add({
    "@id": runId,
    "@type": "CreateAction",
    name: `dnaflow run ${c.run.id}`,
    description: `dnaflow run ${c.run.pipeline}${c.run.profile ? ` --profile ${c.run.profile}` : ""}${(c.run.set ?? []).map((s) => ` --set ${s}`).join("")} on ${c.run.host}: ${c.run.outcome}`,
    instrument: ref(wf),
    startTime: isoTime(c.run.started),
    ...(c.run.finished ? { endTime: isoTime(c.run.finished) } : {}),
    actionStatus: c.run.outcome === "ok" ? "http://schema.org/CompletedActionStatus" : "http://schema.org/FailedActionStatus",
    ...(c.run.outcome !== "ok" ? { error: `the run ended ${c.run.outcome}` } : {}),
    location: c.run.host,
    object: [...objects].map(ref),
    result: finals.map(ref),
  });

  // RO-Crate's JSON-LD style: a property with one value holds it, not a one-element list.
  const graph = [...g.byId.values()].map(
    (e) => Object.fromEntries(Object.entries(e).map(([k, v]) => [k, Array.isArray(v) && v.length === 1 && k !== "@type" ? v[0] : v])) as Entity,
  );
  // Terms RO-Crate 1.1's context lacks: schema.org's sha256 (newer than its schema.org 10) and the Workflow Run terms.
  const extra = { sha256: "http://schema.org/sha256", resourceUsage: `${WFRUN_TERMS}resourceUsage`, environment: `${WFRUN_TERMS}environment` };
  return { "@context": [`${RO_CRATE}/context`, extra], "@graph": graph };
}

/** IANA media type by file name, for the crate's encodingFormat (application/octet-stream when unknown). */
function mediaType(name: string): string {
  const ext = /\.([a-z0-9]+)(\.gz)?$/i.exec(name)?.[1]?.toLowerCase() ?? "";
  const types: Record<string, string> = {
    json: "application/json",
    jsonl: "application/jsonl",
    md: "text/markdown",
    txt: "text/plain",
    csv: "text/csv",
    tsv: "text/tab-separated-values",
    svg: "image/svg+xml",
    html: "text/html",
    yaml: "application/yaml",
    yml: "application/yaml",
    fa: "text/x-fasta",
    fasta: "text/x-fasta",
    fna: "text/x-fasta",
    bed: "text/x-bed",
    seq: "text/plain",
  };
  return /\.gz$/i.test(name) ? "application/gzip" : (types[ext] ?? "application/octet-stream");
}

/** ISO 8601 with a numeric offset (+00:00), the form the Process Run Crate profile asks for. */
function isoTime(t: string): string {
  return t.replace(/Z$/, "+00:00");
}

/** Where a piece of software is published: PyPI for the worker's Python packages. */
function softwareUrl(name: string, version: string): string {
  if (name === "Node.js") return `https://nodejs.org/download/release/${version}/`;
  if (name === "python") return `https://www.python.org/downloads/release/python-${version.replace(/\./g, "")}/`;
  return `https://pypi.org/project/${encodeURIComponent(name)}/${encodeURIComponent(version)}/`;
}
