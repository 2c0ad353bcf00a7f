// A published object's file digests, remembered against the paths they are read from: the next plan (or a
// consumer's input verification) then need not hash those files again.
import type { DigestCache } from "../../cache/digest-cache.js";
import type { Manifest } from "../../cache/manifest.js";
import type { Store } from "../../cache/store.js";
import { join } from "node:path";

export function rememberOutputDigests(store: Store, digests: DigestCache, key: string, manifest: Pick<Manifest, "files">): void {
  for (const f of manifest.files) {
    const [output, ...rest] = f.path.split("/");
    digests.remember(join(store.outputPath(key, output), ...rest), f.sha256);
  }
}
