// Benchmark: FASTA → genome/strip-n → genome/segment against seqkit 2.3 (`seq -g -G N`, `sliding -W 1000 -s 1000`)
// on the same files in the same run: a ≥200 MB synthetic FASTA with N runs and GRCh37 chrX (Debian smalt-examples),
// each gzip and plain; and the two shapes that break line- or record-buffering readers: one 250 Mbp record on a
// single line, and 20,000 small contigs (peak RSS must stay where it is for ordinary files). Reports wall time, MB/s of FASTA text and peak RSS (VmHWM polled from /proc) for both.
import { execFileSync, spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { aptInstall } from "./util.js";

const SMALT_CHRX = "/usr/share/doc/smalt/test/data/hs37chrXtrunc.fa.gz";
/** Synthetic FASTA shapes: record count, bases per record (seeded in [min, max]), line width (0: one line). */
interface Shape {
  records: number;
  min: number;
  max: number;
  width: number;
}
const SYNTH: Shape = { records: 4, min: 55_000_000, max: 55_000_000, width: 60 }; // 220 Mbp, ~224 MB of FASTA text
const ONE_LINE: Shape = { records: 1, min: 250_000_000, max: 250_000_000, width: 0 };
const CONTIGS: Shape = { records: 20_000, min: 500, max: 5_000, width: 60 };

interface Run {
  seconds: number;
  rssMB: number;
}

export default async function bench(): Promise<string> {
  // A fresh machine has neither: install them as the other sections install their peers.
  if (!which("seqkit")) aptInstall(["seqkit"]);
  if (!existsSync(SMALT_CHRX)) aptInstall(["smalt-examples"]);
  const seqkit = which("seqkit");
  if (!seqkit) throw new Error("bench/genome: seqkit not found (Debian package: seqkit)");
  if (!existsSync(SMALT_CHRX)) throw new Error(`bench/genome: ${SMALT_CHRX} not found (Debian package: smalt-examples)`);
  const dir = mkdtempSync(join(tmpdir(), "dnaflow-bench-genome-"));
  try {
    const synth = join(dir, "synthetic.fa");
    writeSyntheticFasta(synth, SYNTH);
    execFileSync("sh", ["-c", `gzip -1 -c '${synth}' > '${synth}.gz'`]);
    const oneLine = join(dir, "one-250Mbp-line.fa");
    writeSyntheticFasta(oneLine, ONE_LINE);
    const contigs = join(dir, "20000-contigs.fa");
    writeSyntheticFasta(contigs, CONTIGS);
    const chrx = join(dir, "hs37chrX.fa");
    execFileSync("sh", ["-c", `gzip -dc '${SMALT_CHRX}' > '${chrx}'`]);
    execFileSync("cp", [SMALT_CHRX, chrx + ".gz"]);
    const rows: string[] = [];
    for (const input of [synth, synth + ".gz", chrx, chrx + ".gz", oneLine, contigs]) {
      const fastaMB = statSync(input.replace(/\.gz$/, "")).size / 1e6;
      const work = mkdtempSync(join(dir, "run-"));
      const mine = await ours(input, work);
      const sq = await timed(seqkit, ["seq", "-g", "-G", "N", "-o", join(work, "seqkit-seq.fa"), input]);
      const sl = await timed(seqkit, ["sliding", "-W", "1000", "-s", "1000", "-o", join(work, "seqkit-sliding.fa"), input]);
      rmSync(work, { recursive: true, force: true });
      const o = mine.seconds,
        s = sq.seconds + sl.seconds;
      rows.push(
        `| ${input.replace(dir + "/", "")} | ${fastaMB.toFixed(0)} | ${o.toFixed(2)} (${mine.stages.map((x) => x.toFixed(2)).join(" + ")}) | ` +
          `${(fastaMB / o).toFixed(0)} | ${mine.rssMB.toFixed(0)} | ${sq.seconds.toFixed(2)} + ${sl.seconds.toFixed(2)} | ` +
          `${(fastaMB / s).toFixed(0)} | ${Math.max(sq.rssMB, sl.rssMB).toFixed(0)} | ${(s / o).toFixed(2)}× |`,
      );
    }
    const cpu = cpus();
    return [
      "## Genome data stages: FASTA → strip-N → segments",
      "",
      `Machine: ${cpu[0]?.model ?? "?"}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM; node ${process.version}; ` +
        `${execFileSync(seqkit, ["version"]).toString().trim()}; ${new Date().toISOString()}.`,
      "",
      "dnaflow: `genome/strip-n` (defaults: minLength 256) then `genome/segment` (random 256–1024, seed 42, origins .bed) " +
        "in one fresh node process; its time includes node's startup, the per-stage times in parentheses do not. seqkit: `seqkit seq -g -G N -o out in` then `seqkit sliding -W 1000 -s 1000 -o out in`. " +
        "All outputs are written to files in the same temp dir. MB/s = MB of uncompressed FASTA text / total seconds. " +
        "Ratio = seqkit seconds / dnaflow seconds (> 1: dnaflow is faster).",
      "",
      "| input | FASTA MB | dnaflow s (strip-n + segment) | dnaflow MB/s | dnaflow peak RSS MB | seqkit s (seq + sliding) | seqkit MB/s | seqkit peak RSS MB | ratio |",
      "|---|---|---|---|---|---|---|---|---|",
      ...rows,
      "",
    ].join("\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs strip-n then segment (default params) in one fresh node process, as the engine would: wall time includes
 * node's startup; the per-stage seconds are measured inside. Peak RSS is the process's.
 */
async function ours(input: string, dir: string): Promise<Run & { stages: number[] }> {
  const url = (p: string) => new URL(p, import.meta.url).href;
  const code = `const [h, a, b, input, dir] = process.argv.slice(1);
    const { runStage } = await import(h);
    let t = performance.now();
    const f = await runStage((await import(a)).default, { inputs: { fasta: input }, dir: dir + "/a" });
    const t1 = (performance.now() - t) / 1000; t = performance.now();
    await runStage((await import(b)).default, { inputs: { fragments: f.outputs.fragments }, dir: dir + "/b" });
    process.stderr.write(JSON.stringify([t1, (performance.now() - t) / 1000]));`;
  let stages: number[] = [];
  const run = await timed(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      code,
      url("../test/helpers/stage-harness.js"),
      url("../stages/genome/strip-n.js"),
      url("../stages/genome/segment.js"),
      input,
      dir,
    ],
    (stderr) => (stages = JSON.parse(stderr)),
  );
  return { ...run, stages };
}

/** Wall time and peak RSS (VmHWM, polled every 5 ms) of a command. Dirty pages are flushed first, so no run pays
 * for the previous run's writes. */
function timed(cmd: string, args: string[], onStderr?: (text: string) => void): Promise<Run> {
  execFileSync("sync");
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
    let hwm = 0;
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (m) hwm = Math.max(hwm, Number(m[1]));
      } catch {
        /* exited */
      }
    }, 5);
    child.on("error", reject);
    child.on("close", (code) => {
      clearInterval(poll);
      if (code !== 0) return reject(new Error(`${cmd} ${args.slice(0, 3).join(" ")} failed (${code}): ${stderr.slice(-2000)}`));
      onStderr?.(stderr);
      resolve({ seconds: (performance.now() - t0) / 1000, rssMB: hwm / 1024 });
    });
  });
}

function which(cmd: string): string | undefined {
  try {
    return (
      execFileSync("sh", ["-c", `command -v ${cmd}`])
        .toString()
        .trim() || undefined
    );
  } catch {
    return undefined;
  }
}

/** Deterministic synthetic genome: random ACGT (some soft-masked stretches), N runs of 1–50,000 bp, in `shape`. */
function writeSyntheticFasta(path: string, shape: Shape): void {
  let x = 0x9e3779b9;
  const rnd = () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), x >>> 0);
  const fd = openSync(path, "w");
  const buf = Buffer.allocUnsafe(4 << 20);
  let used = 0;
  const put = (b: number) => {
    if (used === buf.length) {
      writeSync(fd, buf, 0, used);
      used = 0;
    }
    buf[used++] = b;
  };
  const ACGT = Buffer.from("ACGTacgt");
  for (let r = 0; r < shape.records; r++) {
    for (const c of Buffer.from(`>chr${r + 1} synthetic\n`)) put(c);
    const length = shape.min + (rnd() % (shape.max - shape.min + 1));
    let col = 0,
      left = 0,
      inN = false,
      lower = 0;
    for (let i = 0; i < length; i++) {
      if (left === 0) {
        inN = !inN && rnd() % 4 === 0;
        left = inN ? 1 + (rnd() % 50_000) : 10_000 + (rnd() % 2_000_000);
        lower = rnd() % 10 === 0 ? 4 : 0;
      }
      left--;
      put(inN ? 78 : ACGT[(rnd() & 3) + lower]);
      if (++col === shape.width) {
        put(10);
        col = 0;
      }
    }
    if (col) put(10);
  }
  writeSync(fd, buf, 0, used);
  closeSync(fd);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) console.log(await bench());
