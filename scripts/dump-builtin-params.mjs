// Writes test/fixtures/params/builtins.json: every builtin's params schema from the CLI's registry (after
// `npm run build`). Regenerate only when a params change is intended; test/params/builtin-schemas.test.ts compares.
import { writeFileSync } from "node:fs";
import { builtinParamsJson } from "../dist/test/helpers/builtin-params.js";

writeFileSync(new URL("../test/fixtures/params/builtins.json", import.meta.url), builtinParamsJson());
console.log("wrote test/fixtures/params/builtins.json");
