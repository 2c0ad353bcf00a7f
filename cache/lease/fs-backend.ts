// Leases as files on a local or shared filesystem (NFS-like): create-exclusive, rename and fsync only, no flock.
import { closeSync, fstatSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { fsyncDir, writeFileAtomic } from "../atomic.js";
import type { LeaseBackend, LeaseRecord, LeaseVersion } from "./types.js";

function tokenOf(fd: number): string {
  const st = fstatSync(fd, { bigint: true });
  return `${st.ino}:${st.size}:${st.mtimeNs}`; // not ctime: the takeover rename changes it
}

function parse(text: string): LeaseRecord | undefined {
  try {
    const r = JSON.parse(text);
    return r && typeof r === "object" && r.owner && typeof r.beat === "number" ? r : undefined;
  } catch {
    return undefined;
  }
}

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

  async create(key: string, rec: LeaseRecord): Promise<string | undefined> {
    let fd: number;
    try {
      fd = openSync(this.path(key), "wx");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") return undefined;
      throw e;
    }
    try {
      writeSync(fd, JSON.stringify(rec));
      fsyncSync(fd);
      const token = tokenOf(fd);
      fsyncDir(this.dir);
      return token;
    } finally {
      closeSync(fd);
    }
  }

  async read(key: string): Promise<LeaseVersion | undefined> {
    const v = this.readAt(this.path(key));
    return v && { token: v.token, rec: v.rec };
  }

  async replace(key: string, token: string, rec: LeaseRecord): Promise<string | undefined> {
    const path = this.path(key);
    const cur = this.readAt(path);
    if (!cur || cur.token !== token) return undefined;
    if (cur.rec?.owner.runner === rec.owner.runner) {
      // Our own heartbeat: atomic replace; nobody else may take a lease that keeps changing.
      writeFileAtomic(path, JSON.stringify(rec));
      return this.readAt(path)?.token;
    }
    // Taking over: move the stale lease aside (exactly one runner's rename succeeds), check it is the version we judged
    // stale, then create ours exclusively.
    const aside = `${path}.stale-${randomBytes(4).toString("hex")}`;
    try {
      renameSync(path, aside);
    } catch {
      return undefined;
    }
    const moved = this.readAt(aside);
    if (moved?.token !== token) {
      try {
        linkSync(aside, path); // it changed after all: put it back unless a new lease is already there
      } catch {
        // a new lease exists: leave it
      }
      unlinkSync(aside);
      return undefined;
    }
    unlinkSync(aside);
    return this.create(key, rec);
  }

  async remove(key: string, token: string): Promise<void> {
    const cur = this.readAt(this.path(key));
    if (cur?.token === token) unlinkSync(this.path(key));
  }
}
