// core/write-text: writes a params-given text into a file. Useful for small configs and for testing pipelines.
import { writeFile } from "node:fs/promises";
import { t, type Static } from "../../core/schema.js";
import { defineStage } from "../../engine/stage.js";

const writeTextParams = t.params({ text: t.string() }, { required: ["text"] });

export default defineStage<Static<typeof writeTextParams>>({
  name: "core/write-text",
  version: 1,
  description: "Write `text` into the output file `file`.",
  params: writeTextParams,
  inputs: {},
  outputs: ["file"],
  async run(ctx) {
    await writeFile(ctx.output("file"), ctx.params.text);
  },
});
