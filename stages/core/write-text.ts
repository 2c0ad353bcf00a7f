// core/write-text: writes a params-given text into a file. Useful for small configs and for testing pipelines.
import { writeFile } from "node:fs/promises";
import { defineStage } from "../../engine/stage.js";

export default defineStage<{ text: string }>({
  name: "core/write-text",
  version: 1,
  description: "Write `text` into the output file `file`.",
  params: {
    properties: { text: { type: "string" } },
    required: ["text"],
    additionalProperties: false,
  },
  inputs: {},
  outputs: ["file"],
  async run(ctx) {
    await writeFile(ctx.output("file"), ctx.params.text);
  },
});
