// Resolves `uses: family/name@version` to a stage definition. The engine core receives a registry; the CLI composes
// the one of the shipped builtins (engine/cli/builtins.ts), so the core never names a concrete stage.
import type { StageDefinition } from "./stage.js";
import { didYouMean } from "../core/suggest.js";

export interface Registry {
  find(name: string, version: number): { def: StageDefinition } | { error: string };
}

export function createRegistry(defs: readonly StageDefinition[]): Registry {
  const byName = new Map<string, StageDefinition[]>();
  for (const def of defs) byName.set(def.name, [...(byName.get(def.name) ?? []), def]);
  return {
    find(name, version) {
      const found = byName.get(name);
      if (!found) return { error: `unknown stage '${name}'${didYouMean(name, byName.keys())}` };
      const def = found.find((d) => d.version === version);
      if (!def) return { error: `stage '${name}' has no version ${version}; available: ${found.map((d) => `${name}@${d.version}`).join(", ")}` };
      return { def };
    },
  };
}
