// Entry point of the process that runs one builtin stage: `node builtin-child.js job.json`, events on fd 3.
import { runBuiltinChild } from "../executors/builtin-child.js";
import { builtins } from "./builtins.js";

runBuiltinChild(process.argv[2], builtins);
