// Errors the CLI maps to exit codes: spec/usage problems (2) carry file:line:col; stage failures (1) come as events.

export interface SourcePos {
  file: string;
  line: number;
  col: number;
}

export interface SpecProblem extends Partial<SourcePos> {
  message: string;
}

export function formatProblem(p: SpecProblem): string {
  const where = p.file ? `${p.file}${p.line ? `:${p.line}:${p.col ?? 1}` : ""}: ` : "";
  return `${where}${p.message}`;
}

/** One or more problems with the pipeline spec or the command line; the CLI prints them all and exits 2. */
export class SpecError extends Error {
  override name = "SpecError";
  constructor(
    readonly problems: SpecProblem[],
    /** What could be built despite the problems, so that a later checking phase can add its own to the same report. */
    readonly partial?: unknown,
  ) {
    super(problems.map(formatProblem).join("\n"));
  }
}

/** Problems of two checking phases as one report: file order, each once. */
export function mergeProblems(a: SpecProblem[], b: SpecProblem[]): SpecProblem[] {
  const seen = new Set<string>();
  return sortProblems([...a, ...b]).filter((p) => !seen.has(formatProblem(p)) && seen.add(formatProblem(p)));
}

function sortProblems(items: SpecProblem[]): SpecProblem[] {
  return [...items].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
}

/** A failure the CLI reports as one line and exit 1, with nothing to debug (a read-only store, a full disk). */
export class FatalError extends Error {
  override name = "FatalError";
}

/** Collects problems so that several are reported at once instead of only the first; each once (every instance of a
 * matrix stage finds the same problem in the `with:` they share). */
export class ProblemList {
  readonly items: SpecProblem[] = [];
  private readonly seen = new Set<string>();
  add(message: string, pos?: Partial<SourcePos>): void {
    const p = { ...pos, message };
    if (this.seen.has(formatProblem(p))) return;
    this.seen.add(formatProblem(p));
    this.items.push(p);
  }
  get size(): number {
    return this.items.length;
  }
  throwIfAny(partial?: unknown): void {
    if (this.items.length) throw new SpecError(sortProblems(this.items), partial);
  }
}

const REASONS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  ENOTDIR: "a path component is not a directory",
  EISDIR: "is a directory",
  ENOENT: "no such file or directory",
  EEXIST: "already exists",
  EIO: "input/output error",
  EMFILE: "too many open files",
  ENAMETOOLONG: "file name too long",
};

const OPERATIONS: Record<string, string> = {
  mkdir: "create directory",
  open: "open",
  write: "write",
  read: "read",
  rename: "rename",
  unlink: "remove",
  rmdir: "remove directory",
  rm: "remove",
  scandir: "list directory",
  fsync: "sync",
  copyfile: "copy",
  symlink: "create link",
  stat: "stat",
  lstat: "stat",
  utime: "set times of",
};

/** A Node filesystem error (code + syscall) as one line: "cannot write /store/runs/x.json: no space left on device (ENOSPC)". */
export function describeSystemError(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException & { dest?: string };
  if (!err || typeof err !== "object" || typeof err.code !== "string" || !err.syscall) return undefined;
  const op = OPERATIONS[err.syscall] ?? err.syscall;
  const reason = REASONS[err.code] ?? err.message.replace(/^[A-Z]+: /, "").split(",")[0];
  const where = err.path ? ` ${err.path}${err.dest ? ` to ${err.dest}` : ""}` : "";
  return `cannot ${op}${where}: ${reason} (${err.code})`;
}

/** Adds the path to a filesystem error that lacks one (write(2) and fsync(2) on a descriptor name none). */
export function withPath<E>(e: E, path: string): E {
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err === "object" && typeof err.code === "string" && !err.path) err.path = path;
  return e;
}

/** Thrown by a stage for bad input: the message names the file/record/line; the engine prints it without a stack. */
export class StageInputError extends Error {
  override name = "StageInputError";
}
