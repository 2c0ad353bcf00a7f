// A file's identity and state as stat sees them: equal stamps mean the bytes were not replaced or rewritten since
// (ctime cannot be set from user space, so even an edit that restores mtime changes the stamp).
import { statSync } from "node:fs";

/** "dev:ino:size:mtimeNs[:ctimeNs]", or undefined when the file does not exist. */
export function fileStamp(path: string, opts: { ctime?: boolean } = {}): string | undefined {
  const st = statSync(path, { bigint: true, throwIfNoEntry: false });
  if (!st) return undefined;
  const stamp = `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}`;
  return opts.ctime === false ? stamp : `${stamp}:${st.ctimeNs}`;
}
