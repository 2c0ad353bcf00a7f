// The CLI composes the engine with the shipped builtins: the registry the DAG resolves `uses:` against, and the entry
// file the builtin child process runs (it finds the same builtins there).
import { fileURLToPath } from "node:url";
import { builtinStages } from "../../stages/index.js";
import { createRegistry } from "../registry.js";

export const builtins = createRegistry(builtinStages);

/** `node BUILTIN_CHILD job.json` runs one builtin of `builtins` (engine/executors/builtin-child.ts). */
export const BUILTIN_CHILD = fileURLToPath(new URL("./builtin-child.js", import.meta.url));
