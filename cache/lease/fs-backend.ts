// Leases as files on a local or shared filesystem (NFS-like): create-exclusive, link, rename and fsync only, no flock.
//
// Every change is a compare-and-swap built from two atomic steps: rename the current lease file aside (of runners
// racing on it, exactly one gets it), check that what was moved is the version judged (else put it back), then
// publish the new version with link(2), which fails if a lease file exists again. A heartbeat and a takeover take the
// same path, so an owner can never overwrite a lease that another runner took meanwhile (and vice versa). One file per
// key, however many heartbeats: nothing accumulates.
import {
  closeSync,
  fstatSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { fsyncDir } from "../atomic.js";
import type { LeaseBackend, LeaseRecord, LeaseVersion } from "./types.js";

function tokenOf(fd: number): string {
  const st = fstatSync(fd, { bigint: true });
  return `${st.ino}:${st.size}:${st.mtimeNs}`; // not ctime: renames and links change it
}

function parse(text: string): LeaseRecord | undefined {
  try {
    const r = JSON.parse(text);
    return r && typeof r === "object" && r.owner && typeof r.beat === "number" ? r : undefined;
  } catch {
    return undefined;
  }
}

const unlinkQuiet = (p: string) => {
  try {
    unlinkSync(p);
  } catch {
    // already gone
  }
};

/** Side files older than this are leftovers of a killed runner (a live one removes its own within milliseconds). */
const SIDE_FILE_GRACE_MS = 10 * 60_000;

export class FsLeaseBackend implements LeaseBackend {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  private path(key: string): string {
    return join(this.dir, key);
  }

  private readAt(path: string): (LeaseVersion & { raw: string }) | undefined {
    let fd: number;
    try {
      fd = openSync(path, "r");
    } catch {
      return undefined;
    }
    try {
      const token = tokenOf(fd);
      const raw = readFileSync(fd, "utf8");
      return { token, rec: parse(raw), raw };
    } finally {
      closeSync(fd);
    }
  }

  /** Writes a complete new version under a side name (not yet visible as the lease). */
  private stage(key: string, rec: LeaseRecord): { tmp: string; token: string } {
    const tmp = `${this.path(key)}.new-${randomBytes(4).toString("hex")}`;
    const fd = openSync(tmp, "wx");
    try {
      writeSync(fd, JSON.stringify(rec));
      fsyncSync(fd);
      return { tmp, token: tokenOf(fd) };
    } finally {
      closeSync(fd);
    }
  }

  /** Makes a staged version the lease if no lease file exists; its token, or undefined if one exists. */
  private install(key: string, staged: { tmp: string; token: string }): string | undefined {
    try {
      linkSync(staged.tmp, this.path(key));
      fsyncDir(this.dir);
      return staged.token;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") return undefined;
      throw e;
    } finally {
      unlinkQuiet(staged.tmp);
    }
  }

  /** Takes the lease file out of the way if it is still version `token`; false if it changed or vanished. */
  private takeAside(key: string, token: string): boolean {
    const path = this.path(key);
    const aside = `${path}.old-${randomBytes(4).toString("hex")}`;
    try {
      renameSync(path, aside);
    } catch {
      return false;
    }
    const moved = this.readAt(aside);
    if (moved?.token !== token) {
      try {
        linkSync(aside, path); // not the version judged: put it back, unless a new lease is already there
      } catch {
        // a new lease exists: leave it
      }
      unlinkQuiet(aside);
      return false;
    }
    unlinkQuiet(aside);
    return true;
  }

  async create(key: string, rec: LeaseRecord): Promise<string | undefined> {
    if (statSync(this.path(key), { throwIfNoEntry: false })) return undefined; // the common case, without writing
    this.sweep(key);
    return this.install(key, this.stage(key, rec));
  }

  async read(key: string): Promise<LeaseVersion | undefined> {
    const v = this.readAt(this.path(key));
    return v && { token: v.token, rec: v.rec };
  }

  async replace(key: string, token: string, rec: LeaseRecord): Promise<string | undefined> {
    const staged = this.stage(key, rec); // written before the swap: the lease is absent only for a rename + link
    if (!this.takeAside(key, token)) {
      unlinkQuiet(staged.tmp);
      return undefined;
    }
    return this.install(key, staged);
  }

  async remove(key: string, token: string): Promise<void> {
    if (this.takeAside(key, token)) fsyncDir(this.dir);
  }

  /** Removes side files a runner killed mid-swap left behind (never the lease itself). */
  private sweep(key: string): void {
    const limit = Date.now() - SIDE_FILE_GRACE_MS;
    for (const n of readdirSync(this.dir)) {
      if (!n.startsWith(`${key}.`) || !/\.(new|old|stale)-[0-9a-f]{8}$/.test(n)) continue;
      const st = statSync(join(this.dir, n), { throwIfNoEntry: false });
      if (st && st.mtimeMs < limit) unlinkQuiet(join(this.dir, n));
    }
  }
}
