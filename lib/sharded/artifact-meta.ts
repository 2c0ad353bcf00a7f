// meta.json of a sharded artifact (segments, fragments, token shards): written last and atomically (a temporary file
// renamed over it), so a directory with a meta.json is a complete artifact (lib/sharded/reader.ts reads it back).
import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

export const META_FILE = "meta.json";

/** Writes meta.json as pretty JSON with a trailing newline (the bytes every reader and key digest has seen). */
export async function writeArtifactMeta(dir: string, meta: object): Promise<void> {
  const tmp = join(dir, `${META_FILE}.tmp`);
  await writeFile(tmp, JSON.stringify(meta, null, 2) + "\n");
  await rename(tmp, join(dir, META_FILE));
}
