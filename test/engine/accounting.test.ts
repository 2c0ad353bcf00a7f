// Per-stage resource accounting: CPU seconds, peak RSS and bytes written of the stage's whole process tree land in the
// manifest, in `dnaflow show`, and in `dnaflow status --trace` (sortable, JSON, HTML timeline).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseIo, parseNvidiaSmi, parseStat, parseStatus } from "../../engine/executors/resource-sampler.js";
import { dnaflow, planJson, tempProject } from "../helpers/cli.js";

// A grandchild process (node started by sh) burns 1.5 s of CPU while holding ~300 MB and writes 40 MB: accounting
// must see the process tree, not only the process the engine started. (I/O in a process's last sampling interval is
// not seen, so the writing comes first.)
const HUNGRY = `
const b = Buffer.alloc(300 * 2 ** 20, 1);
require("fs").writeFileSync(process.argv[1], Buffer.alloc(40e6, 7));
let x = 0; while (process.cpuUsage().user < 1.5e6) x += b[x % b.length];
`;

const PIPE = `
name: acct
stages:
  hungry:
    run: [sh, -c, 'node -e "$0" "$1"; echo done', '${HUNGRY.replace(/\n/g, " ").replace(/'/g, "''")}', "\${{ outputs.out }}"]
    outputs: [out]
  light:
    uses: core/write-text@1
    with: { text: "ACGT" }
  reader:
    run: [sh, -c, 'cat "$0" | wc -c > "$1"; sleep 0.5', "\${{ inputs.f }}", "\${{ outputs.n }}"]
    inputs: { f: "\${{ stages.hungry.outputs.out }}" }
    outputs: [n]
`;

test("manifest, show and status --trace carry CPU, peak RSS and I/O of the stage's process tree", () => {
  const dir = tempProject({ "p.yaml": PIPE });
  const r = dnaflow(["run", "p.yaml", "-j", "1"], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const keys = Object.fromEntries(planJson(dir, "p.yaml").map((s) => [s.id, s.key]));
  const m = JSON.parse(readFileSync(join(dir, ".dnaflow", "objects", keys.hungry, "manifest.json"), "utf8"));
  const u = m.resources;
  assert.equal(u.method, "proc-sampling");
  assert.ok(u.cpuSeconds >= 1.5 && u.cpuSeconds <= m.timings.seconds * 2 + 1, `cpu ${u.cpuSeconds} s, wall ${m.timings.seconds} s`);
  assert.ok(u.peakRssBytes >= 300 * 2 ** 20 && u.peakRssBytes < 2 * 2 ** 30, `peak RSS ${u.peakRssBytes}`);
  assert.ok(u.writeBytes >= 40e6, `written ${u.writeBytes}`);
  assert.ok(u.processes >= 2, `processes ${u.processes}`);
  // A builtin (its own Node child) is accounted too, and is far lighter.
  const light = JSON.parse(readFileSync(join(dir, ".dnaflow", "objects", keys.light, "manifest.json"), "utf8")).resources;
  assert.ok(light.peakRssBytes > 0 && light.peakRssBytes < u.peakRssBytes, `light ${light.peakRssBytes}`);
  // The reader stage read its 40 MB input.
  const reader = JSON.parse(readFileSync(join(dir, ".dnaflow", "objects", keys.reader, "manifest.json"), "utf8")).resources;
  assert.ok(reader.readBytes >= 40e6, `read ${reader.readBytes}`);

  const show = JSON.parse(dnaflow(["show", "p.yaml", "hungry"], { cwd: dir }).stdout);
  assert.equal(show.resources.cpuSeconds, u.cpuSeconds);

  const trace = dnaflow(["status", "p.yaml", "--trace", "--sort", "rss", "--desc", "--json", "--html", "t.html"], { cwd: dir });
  assert.equal(trace.code, 0, trace.stderr);
  const rows = JSON.parse(trace.stdout);
  assert.equal(rows.length, 3);
  assert.equal(rows[0].stage, "hungry");
  assert.ok(rows[0].peakRssBytes >= rows[1].peakRssBytes && rows[1].peakRssBytes >= rows[2].peakRssBytes);
  const hungryManifest = JSON.parse(readFileSync(join(dir, ".dnaflow", "objects", keys.hungry, "manifest.json"), "utf8")).resources;
  assert.equal(rows[0].sysS, hungryManifest.systemSeconds, "sys: the manifest's system CPU seconds");
  assert.ok(rows[0].sysS <= rows[0].cpuS);
  const readerRow = rows.find((x: any) => x.stage === "reader");
  assert.equal(readerRow.inputBytes, 40e6); // from the upstream manifest's file sizes
  assert.ok(readerRow.inputMBps > 0);
  const html = readFileSync(join(dir, "t.html"), "utf8");
  for (const s of ["hungry", "light", "reader"]) assert.match(html, new RegExp(`>${s}<`));

  const text = dnaflow(["status", "p.yaml", "--trace", "--sort", "wall"], { cwd: dir });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout.split("\n")[0], /^stage\s+state\s+started\s+wall\s+cpu\s+sys\s+cpu%\s+rss/);
  assert.equal(text.stdout.trim().split("\n").length, 4);
  const bad = dnaflow(["status", "p.yaml", "--trace", "--sort", "rsss"], { cwd: dir });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown trace column 'rsss'/);
});

test("/proc and nvidia-smi parsers read the fields they claim", () => {
  // A command name with spaces and parentheses must not shift the fields.
  const stat = "4242 (my (odd) cmd) S 1 4240 4240 0 -1 4194560 500 0 0 0 123 45 6 7 20 0 1 0 100 1000 10";
  assert.deepEqual(parseStat(stat), { ppid: 1, pgrp: 4240, utime: 123, stime: 45, cutime: 6, cstime: 7 });
  assert.deepEqual(parseStatus("Name:\tx\nVmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\n"), { rss: 1024 * 1024, hwm: 2048 * 1024 });
  assert.deepEqual(parseIo("rchar: 10\nwchar: 20\nsyscr: 1\nsyscw: 2\nread_bytes: 4096\nwrite_bytes: 8192\n"), {
    rchar: 10,
    wchar: 20,
    readBytes: 4096,
    writeBytes: 8192,
  });
  const apps = "101, GPU-aaa, 2000\n202, GPU-bbb, 1000\n303, GPU-aaa, 500\n";
  const gpus = "GPU-aaa, NVIDIA H100 80GB HBM3, 90\nGPU-bbb, NVIDIA H100 80GB HBM3, 10\n";
  const r = parseNvidiaSmi(apps, gpus, new Set([101, 303]));
  assert.equal(r.memory, 2500 * 2 ** 20);
  assert.deepEqual([...r.devices.keys()], ["GPU-aaa"]);
});
