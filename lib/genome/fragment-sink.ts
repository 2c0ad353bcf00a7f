// A fragment: a maximal N-free stretch of one record, streamed in pieces (a fragment can be a whole chromosome arm).

export interface FragmentSink {
  /** `start` is the 0-based offset of the fragment's first base in its record. */
  fragmentStart(record: string, start: number): void;
  /** Bases buf[start, end). The buffer is reused after the call: copy what you keep. */
  fragmentBases(buf: Buffer, start: number, end: number): void;
  fragmentEnd(length: number): void;
}
