// Reads a whole genome file through the FASTA parser into a sink: the one entry point the stages use.
import { FastaParser, type FastaParserOptions, type FastaSink } from "./fasta-parser.js";
import { fastaBytes, type ReadOptions } from "./fasta-source.js";

export async function readFasta(
  path: string,
  sink: FastaSink,
  opts: Omit<FastaParserOptions, "file"> & ReadOptions & { file?: string; afterChunk?: () => Promise<void> },
): Promise<void> {
  const parser = new FastaParser(sink, { ...opts, file: opts.file ?? path });
  for await (const chunk of fastaBytes(path, opts)) {
    opts.signal?.throwIfAborted();
    parser.push(chunk);
    await opts.afterChunk?.();
  }
  parser.end();
}
