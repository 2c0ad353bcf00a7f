// Parses YAML keeping source ranges, so any problem found later can be reported as file:line:col.
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from "yaml";
import { ProblemList, type SourcePos } from "../errors.js";

export type JsonPath = ReadonlyArray<string | number>;

export class SourceDoc {
  private constructor(
    readonly file: string,
    readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  /** Parses `text`; YAML syntax errors (and duplicate keys) are added to `problems` with positions. */
  static parse(file: string, text: string, problems: ProblemList): SourceDoc {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const src = new SourceDoc(file, doc, lines);
    for (const e of doc.errors) {
      const { line, col } = lines.linePos(e.pos[0]);
      const msg = e.code === "DUPLICATE_KEY" ? `duplicate key: ${firstLine(e.message)}` : firstLine(e.message);
      problems.add(msg, { file, line, col });
    }
    return src;
  }

  toJS(): unknown {
    return this.doc.toJS({ maxAliasCount: 100 });
  }

  /** Position of the value at `path`, or of the deepest existing ancestor. `key: true` points at the map key. */
  pos(path: JsonPath, opts: { key?: boolean } = {}): SourcePos {
    let node: unknown = this.doc.contents;
    let keyNode: unknown;
    for (const seg of path) {
      const next = childOf(node, seg);
      if (!next) break;
      node = next.value;
      keyNode = next.key;
    }
    const target = (opts.key && keyNode) || node;
    const offset = (target as Node | undefined)?.range?.[0] ?? 0;
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, col };
  }
}

function childOf(node: unknown, seg: string | number): { key?: unknown; value: unknown } | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      const k = isScalar(pair.key) ? pair.key.value : pair.key;
      if (String(k) === String(seg)) return { key: pair.key, value: pair.value ?? pair.key };
    }
  } else if (isSeq(node) && typeof seg === "number") {
    const v = node.items[seg];
    if (v) return { value: v };
  }
  return undefined;
}

function firstLine(s: string): string {
  return s.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
}
