// Locates the repository root from compiled test files (dist/test/...), so fixtures resolve in any cwd.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) || dir.endsWith("dist")) {
    const up = dirname(dir);
    if (up === dir) throw new Error("repository root not found");
    dir = up;
  }
  return dir;
}

export const fixture = (...parts: string[]) => join(repoRoot(), "test", "fixtures", ...parts);
