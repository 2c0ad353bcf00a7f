// Every builtin's params schema as the CLI's registry exposes it, in one canonical JSON document (sorted by
// `name@version`, keywords in the order each schema writes them): the fixture test/fixtures/params/builtins.json pins
// it, so moving a schema's source (e.g. to the t.* builder) cannot change validation or defaults unnoticed.
import { builtins } from "../../engine/cli/builtins.js";
import { builtinStages } from "../../stages/index.js";

export function builtinParamsSnapshot(): Record<string, { params: unknown; unkeyed?: readonly string[] }> {
  const ids = builtinStages
    .map((d) => ({ name: d.name, version: d.version }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.version - b.version));
  const out: Record<string, { params: unknown; unkeyed?: readonly string[] }> = {};
  for (const { name, version } of ids) {
    const found = builtins.find(name, version);
    if ("error" in found) throw new Error(found.error);
    out[`${name}@${version}`] = { params: found.def.params, ...(found.def.unkeyed ? { unkeyed: found.def.unkeyed } : {}) };
  }
  return out;
}

export function builtinParamsJson(): string {
  return JSON.stringify(builtinParamsSnapshot(), null, 2) + "\n";
}
