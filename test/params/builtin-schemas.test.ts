// Every builtin's params schema, as the CLI's registry exposes it, is the one pinned in test/fixtures/params/builtins.json
// (written by scripts/dump-builtin-params.mjs before the schemas moved to the t.* builder): the move changed no
// validation, default or unkeyed declaration. deepEqual ignores keyword order, and two orders did change (t.object and
// t.array write keywords in a fixed order): report/summary's `baseline` object has additionalProperties before
// properties/required, and tokenize/train's `specialTokens` has minItems before uniqueItems. Every other schema is
// byte-identical to the fixture.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { builtinParamsSnapshot } from "../helpers/builtin-params.js";
import { repoRoot } from "../helpers/paths.js";

test("the registry's builtin params schemas equal test/fixtures/params/builtins.json", () => {
  const pinned = JSON.parse(readFileSync(join(repoRoot(), "test", "fixtures", "params", "builtins.json"), "utf8")) as Record<string, unknown>;
  const now = builtinParamsSnapshot();
  assert.deepEqual(Object.keys(now), Object.keys(pinned), "the set of builtins changed");
  for (const id of Object.keys(pinned)) assert.deepEqual(JSON.parse(JSON.stringify(now[id])), pinned[id], `${id}: params schema changed`);
});
