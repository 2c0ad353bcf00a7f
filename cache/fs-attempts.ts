// Attempts at making a key, on the local filesystem: a directory each (renamed onto the object when published), the
// owner that runs it, and its log. An S3 store runs its attempts in its local cache, so both stores share this part.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { FsLayout } from "./layout.js";
import type { Attempt, AttemptOwner, AttemptStore } from "./store.js";

export class FsAttempts implements AttemptStore {
  constructor(private readonly layout: FsLayout) {}

  async begin(key: string, owner: AttemptOwner): Promise<Attempt> {
    const id = `${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
    const dir = this.layout.attempt(key, id);
    const attempt: Attempt = {
      key,
      id,
      dir,
      outDir: this.layout.attemptOut(dir),
      workDir: this.layout.attemptWork(dir),
      logFile: this.layout.log(key, id),
    };
    mkdirSync(attempt.outDir, { recursive: true });
    mkdirSync(attempt.workDir, { recursive: true });
    mkdirSync(this.layout.logs(key), { recursive: true });
    this.updateOwner(attempt, owner);
    return attempt;
  }

  updateOwner(attempt: Attempt, owner: AttemptOwner): void {
    writeFileSync(this.layout.attemptOwner(attempt.dir), JSON.stringify(owner));
  }

  of(key: string): Array<{ dir: string; owner?: AttemptOwner }> {
    return readdirSync(this.layout.attempts())
      .filter((n) => this.layout.keyOfAttempt(n) === key)
      .map((n) => {
        const dir = join(this.layout.attempts(), n);
        try {
          return { dir, owner: JSON.parse(readFileSync(this.layout.attemptOwner(dir), "utf8")) as AttemptOwner };
        } catch {
          return { dir };
        }
      });
  }

  async discard(attempt: Attempt): Promise<void> {
    await this.removeDir(attempt.dir);
  }

  async removeDir(dir: string): Promise<void> {
    await rm(dir, { recursive: true, force: true });
  }

  logsOf(key: string): string[] {
    const d = this.layout.logs(key);
    if (!existsSync(d)) return [];
    return readdirSync(d)
      .map((n) => join(d, n))
      .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs);
  }

  newLog(key: string, name: string): string {
    mkdirSync(this.layout.logs(key), { recursive: true });
    return this.layout.log(key, name);
  }
}
