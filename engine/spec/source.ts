// YAML text → data, with file:line:col for any path on demand. Data comes from js-yaml (10–15× faster on generated
// 10,000-stage pipelines); the position-keeping `yaml` document is built only when a message needs a position.
import jsYaml from "js-yaml";
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document, type Node, type YAMLMap } from "yaml";
import type { ProblemList, SourcePos } from "../../core/errors.js";

export type JsonPath = ReadonlyArray<string | number>;

export class SourceDoc {
  private located?: { doc: Document.Parsed; lines: LineCounter };
  private readonly keyIndex = new WeakMap<YAMLMap, Map<string, { key: unknown; value: unknown }>>();

  private constructor(
    readonly file: string,
    private readonly text: string,
    private readonly data: unknown,
  ) {}

  /** Parses `text`; syntax errors and duplicate keys are added to `problems` with positions. */
  static parse(file: string, text: string, problems: ProblemList): SourceDoc {
    try {
      return new SourceDoc(file, text, jsYaml.load(text, { filename: file }));
    } catch (err) {
      // Report through the `yaml` parser, whose messages and positions are the ones users see everywhere else.
      const src = new SourceDoc(file, text, undefined);
      const { doc, lines } = src.locate();
      for (const e of doc.errors) {
        const { line, col } = lines.linePos(e.pos[0]);
        problems.add(e.code === "DUPLICATE_KEY" ? `duplicate key: ${firstLine(e.message)}` : firstLine(e.message), { file, line, col });
      }
      if (!doc.errors.length) {
        // Only js-yaml objects (an undefined alias, `<<:` merging a scalar, a NUL byte): its own reason and place.
        // Its line/column are wrong after a NUL byte, its character offset is not.
        const { reason, mark } = err as { reason?: string; mark?: { position: number } };
        const { line, col } = mark ? lines.linePos(mark.position) : { line: 1, col: 1 };
        problems.add(reason ? `invalid YAML: ${reason}` : `invalid YAML: ${firstLine((err as Error).message)}`, { file, line, col });
      }
      return src;
    }
  }

  toJS(): unknown {
    return this.data;
  }

  private locate(): { doc: Document.Parsed; lines: LineCounter } {
    if (!this.located) {
      const lines = new LineCounter();
      const doc = parseDocument(this.text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
      this.located = { doc, lines };
    }
    return this.located;
  }

  /** Position of the value at `path`, or of the deepest existing ancestor. `key: true` points at the map key. */
  pos(path: JsonPath, opts: { key?: boolean } = {}): SourcePos {
    const { doc, lines } = this.locate();
    let node: unknown = doc.contents;
    let keyNode: unknown;
    for (const seg of path) {
      const next = this.childOf(node, seg);
      if (!next) break;
      node = next.value;
      keyNode = next.key;
    }
    const target = (opts.key && keyNode) || node;
    const offset = (target as Node | undefined)?.range?.[0] ?? 0;
    const { line, col } = lines.linePos(offset);
    return { file: this.file, line, col };
  }

  /** The source text of the value at `path` (as written: `1e400`, not Infinity). */
  textAt(path: JsonPath): string {
    const { doc } = this.locate();
    let node: unknown = doc.contents;
    for (const seg of path) {
      const next = this.childOf(node, seg);
      if (!next) return "";
      node = next.value;
    }
    const r = (node as Node | undefined)?.range;
    return r ? this.text.slice(r[0], r[1]).trim() : "";
  }

  private childOf(node: unknown, seg: string | number): { key?: unknown; value: unknown } | undefined {
    if (isMap(node)) {
      let index = this.keyIndex.get(node);
      if (!index) {
        // Indexed once per map: positions for thousands of stages stay linear.
        index = new Map();
        for (const pair of node.items) {
          const k = String(isScalar(pair.key) ? pair.key.value : pair.key);
          if (!index.has(k)) index.set(k, { key: pair.key, value: pair.value ?? pair.key });
        }
        this.keyIndex.set(node, index);
      }
      return index.get(String(seg));
    }
    if (isSeq(node) && typeof seg === "number") {
      const v = node.items[seg];
      if (v) return { value: v };
    }
    return undefined;
  }
}

function firstLine(s: string): string {
  return s.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
}
