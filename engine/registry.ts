// Resolves `uses: family/name@version` to a builtin stage definition.
import { builtinStages } from "../stages/index.js";
import type { StageDefinition } from "./stage.js";
import { didYouMean } from "./suggest.js";

const byName = new Map<string, StageDefinition[]>();
for (const def of builtinStages) byName.set(def.name, [...(byName.get(def.name) ?? []), def]);

export function findBuiltin(name: string, version: number): { def: StageDefinition } | { error: string } {
  const defs = byName.get(name);
  if (!defs) return { error: `unknown stage '${name}'${didYouMean(name, byName.keys())}` };
  const def = defs.find((d) => d.version === version);
  if (!def) return { error: `stage '${name}' has no version ${version}; available: ${defs.map((d) => `${name}@${d.version}`).join(", ")}` };
  return { def };
}

export function listBuiltins(): StageDefinition[] {
  return [...builtinStages];
}
