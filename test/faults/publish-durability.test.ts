// A published object must survive a power cut: every file of it is fsynced (fsync or fdatasync on that very file)
// before the rename that publishes it, else a crash could leave a manifest vouching for bytes that never reached the
// disk, and a days-long training run would read them as cached. Watched with strace on a real run: builtin stages
// (written through BufferedFile, or hard links to their input's shards), a run: command stage and the engine's publish.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { CLI, tempProject } from "../helpers/cli.js";
import { CHRM_PIPELINE_STAGES, chrMPipeline } from "../helpers/chrm-pipeline.js";
import { fixture } from "../helpers/paths.js";

const COPY_STAGE = `  copy:
    run: [sh, -c, 'mkdir -p "$2/sub" && cp "$1" "$2/sub/x.fa" && echo done > "$2/y.txt"', x, "\${{ inputs.fasta }}", "\${{ outputs.out }}"]
    inputs: { fasta: ${JSON.stringify(fixture("genome/chrM.fa"))} }
    outputs: [out]
`;

test("every file of every published object is fsynced before the rename that publishes it", () => {
  const dir = realpathSync(tempProject({ "p.yaml": chrMPipeline(COPY_STAGE) }));
  const trace = join(dir, "strace.txt");
  const r = spawnSync(
    "strace",
    ["-f", "-y", "-qq", "-e", "trace=fsync,fdatasync,rename,renameat,renameat2", "-o", trace, process.execPath, CLI, "run", "p.yaml"],
    {
      cwd: dir,
      env: { ...process.env, DNAFLOW_STORE: "" },
      encoding: "utf8",
    },
  );
  assert.equal(r.error, undefined, `strace could not start (scripts/ensure-test-deps.sh installs it): ${r.error?.message}`);
  assert.equal(r.status, 0, r.stderr);
  const lines = readFileSync(trace, "utf8").split("\n");
  const synced = new Map<string, number>(); // path → line of its first fsync/fdatasync
  const published = new Map<string, { from: string; at: number }>(); // object dir → attempt dir renamed onto it, line
  lines.forEach((line, at) => {
    const sync = /\b(?:fsync|fdatasync)\(\d+<([^>]+)>/.exec(line);
    if (sync && !synced.has(sync[1])) synced.set(sync[1], at);
    const ren = /\brename(?:at2?)?\((?:[^,]+, )?"([^"]+)", (?:[^,]+, )?"([^"]+)"/.exec(line);
    if (ren && /\/objects\/[^/]+$/.test(ren[2])) published.set(ren[2], { from: ren[1], at });
  });
  const objects = join(dir, ".dnaflow", "objects");
  const keys = readdirSync(objects);
  assert.equal(keys.length, CHRM_PIPELINE_STAGES + 1, "every stage published");
  let files = 0;
  for (const key of keys) {
    const p = published.get(join(objects, key));
    assert.ok(p, `${key}: its publishing rename is in the trace`);
    const manifest = JSON.parse(readFileSync(join(objects, key, "manifest.json"), "utf8"));
    for (const f of manifest.files as Array<{ path: string }>) {
      const before = join(p.from, "out", f.path);
      const at = synced.get(before);
      assert.ok(at !== undefined && at < p.at, `${manifest.instance}: ${f.path} was ${at === undefined ? "never" : "only after publishing"} fsynced`);
      files++;
    }
    // the manifest is written to a temporary name, fsynced, then renamed
    const manifestSynced = [...synced].some(([path, at]) => path.startsWith(join(p.from, "manifest.json")) && at < p.at);
    assert.ok(manifestSynced, `${key}: manifest.json fsynced before publishing`);
  }
  assert.ok(files >= 10, `${files} files checked`);
});
