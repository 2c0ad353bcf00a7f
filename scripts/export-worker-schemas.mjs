// Writes the params schemas the Python worker validates its config against (worker/schemas/<name>.params.json) from
// the builtins' TypeScript definitions (stages/model/*-params.ts), the one place they are written. Run after
// `npm run build` whenever params change; test/params/worker-schemas.test.ts fails until the files match.
import { writeFileSync } from "node:fs";
import { WORKER_SCHEMAS, workerSchemaJson } from "../dist/stages/model/worker-schemas.js";

for (const [name, schema] of Object.entries(WORKER_SCHEMAS)) {
  const file = new URL(`../worker/schemas/${name}.params.json`, import.meta.url);
  writeFileSync(file, workerSchemaJson(schema));
  console.log(`wrote worker/schemas/${name}.params.json`);
}
