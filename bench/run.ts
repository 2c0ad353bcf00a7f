// npm run bench [-- section... [--option value]]: runs the benchmarks and writes BENCHMARKS.md (command, machine,
// date, peers, ratios). `scale` (GRCh38-sized, tens of minutes, ~30 GB of disk), `bpe-genome` (BPE on a whole
// GRCh38-sized genome, ~15 min, ~13 GB of memory) and `gpu` (needs CUDA) run only when named; options such as `--size 0.1` go to the sections that read them.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../test/helpers/paths.js";
import { machine } from "./util.js";

const sections: Record<string, () => Promise<{ default: () => Promise<string> }>> = {
  engine: () => import("./engine.js"),
  genome: () => import("./genome.js"),
  tokenize: () => import("./tokenize.js"),
  pretrain: () => import("./pretrain.js"),
  datafeed: () => import("./datafeed.js"),
  scale: () => import("./scale.js"),
  "bpe-genome": () => import("./bpe-genome.js"),
  gpu: () => import("./gpu.js"),
};
const OPT_IN = new Set(["scale", "bpe-genome", "gpu"]);

const args = process.argv.slice(2);
const named = args.filter((a, i) => !a.startsWith("--") && !args[i - 1]?.startsWith("--"));
const wanted = named.length ? named : Object.keys(sections).filter((s) => !OPT_IN.has(s));
const unknown = named.filter((n) => !(n in sections));
if (unknown.length) {
  process.stderr.write(`bench: unknown section(s) ${unknown.join(", ")} (known: ${Object.keys(sections).join(", ")})\n`);
  process.exit(2);
}
const file = join(repoRoot(), "BENCHMARKS.md");
const previous = existsSync(file) ? readFileSync(file, "utf8") : "";

/** Keeps the sections not rerun this time, so one section can be refreshed alone. */
function keptSection(name: string): string | undefined {
  const m = new RegExp(`<!-- section:${name} -->([\\s\\S]*?)<!-- /section:${name} -->`).exec(previous);
  return m?.[1];
}

const parts: string[] = [];
for (const name of Object.keys(sections)) {
  let body: string | undefined;
  if (wanted.includes(name)) {
    process.stderr.write(`bench: ${name}…\n`);
    const started = new Date();
    const where = machine();
    try {
      body = await (await sections[name]()).default();
      const opts = args.filter((a, i) => a.startsWith("--") || args[i - 1]?.startsWith("--")).join(" ");
      body += `\n_Measured ${started.toISOString().slice(0, 16).replace("T", " ")} UTC with \`npm run bench -- ${name}${opts ? " " + opts : ""}\` on ${where}._\n`;
    } catch (e) {
      process.stderr.write(`bench ${name} failed: ${(e as Error).stack}\n`);
      process.exitCode = 1;
      body = keptSection(name);
    }
  } else body = keptSection(name);
  if (body) parts.push(`<!-- section:${name} -->\n${body.trim()}\n<!-- /section:${name} -->`);
}
writeFileSync(
  file,
  `# Benchmarks\n\nWritten by \`npm run bench\` (\`npm run bench -- engine\` for one section). Each section names its command, machine and date, and measures its peer in the same run.\n\n${parts.join("\n\n")}\n`,
);
process.stderr.write(`bench: wrote ${file}\n`);
