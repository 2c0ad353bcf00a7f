// dnaflow dag FILE [--format mermaid|dot]
import { toDot, toMermaid } from "../../dag/render.js";
import { SpecError } from "../../../core/errors.js";
import { load, type CommonOptions } from "../context.js";

export async function dagCmd(file: string, opts: CommonOptions & { format?: string }): Promise<number> {
  const format = opts.format ?? "mermaid";
  if (format !== "mermaid" && format !== "dot") throw new SpecError([{ message: `--format must be mermaid or dot, got '${format}'` }]);
  const { plan } = await load(file, opts);
  process.stdout.write(format === "dot" ? toDot(plan) : toMermaid(plan));
  return 0;
}
