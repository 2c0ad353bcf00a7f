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

/** Collects problems so that several are reported at once instead of only the first. */
export class ProblemList {
  readonly items: SpecProblem[] = [];
  add(message: string, pos?: Partial<SourcePos>): void {
    this.items.push({ ...pos, message });
  }
  get size(): number {
    return this.items.length;
  }
  throwIfAny(partial?: unknown): void {
    if (this.items.length) throw new SpecError(sortProblems(this.items), partial);
  }
}
