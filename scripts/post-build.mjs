// Marks the CLI entry executable so `npm link` / the package bin works without `node` in front.
import { chmodSync, existsSync } from "node:fs";
const cli = new URL("../dist/engine/cli/main.js", import.meta.url);
if (existsSync(cli)) chmodSync(cli, 0o755);
