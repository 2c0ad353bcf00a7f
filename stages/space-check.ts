// The disk-space check as a stage sees it: not enough room is a deterministic failure for this attempt (not retried
// at once), reported with both sizes before anything is written.
import { StageInputError } from "../core/errors.js";
import { ensureSpace, NoSpaceError } from "../lib/os/disk-space.js";

export function ensureInputSpace(outPath: string, estimate: number, what: string): void {
  try {
    ensureSpace(outPath, estimate, what);
  } catch (e) {
    throw e instanceof NoSpaceError ? new StageInputError(e.message) : e;
  }
}
