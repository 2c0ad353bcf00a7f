// Decides which split each segment goes to: an exact seeded fraction, or whole records held out.
import { SeededRng } from "./rng.js";

export type SplitName = "train" | "validation" | "test";

/**
 * Exactly round(count * fraction) segments go to validation and to test, chosen uniformly at random while streaming
 * (sequential selection sampling, Knuth's Algorithm S): segment i goes to validation with probability
 * validationLeft / remaining.
 */
export class FractionAssigner {
  private remaining: number;
  private validationLeft: number;
  private testLeft: number;
  private readonly rng: SeededRng;

  constructor(count: number, validation: number, test: number, seed: number) {
    this.remaining = count;
    this.validationLeft = Math.round(count * validation);
    this.testLeft = Math.min(count - this.validationLeft, Math.round(count * test));
    this.rng = new SeededRng(seed, "split");
  }

  next(): SplitName {
    if (this.remaining <= 0) throw new Error("more segments than the artifact's meta.json counts");
    const r = this.rng.int(0, this.remaining - 1);
    this.remaining--;
    if (r < this.validationLeft) {
      this.validationLeft--;
      return "validation";
    }
    if (r < this.validationLeft + this.testLeft) {
      this.testLeft--;
      return "test";
    }
    return "train";
  }
}

/** Whole records (chromosomes) held out: a segment's split follows its record name. */
export class RecordAssigner {
  readonly seen = new Set<string>();
  private readonly byRecord = new Map<string, SplitName>();

  constructor(validationRecords: string[], testRecords: string[]) {
    for (const r of validationRecords) this.byRecord.set(r, "validation");
    for (const r of testRecords) {
      if (this.byRecord.has(r)) throw new Error(`record '${r}' is held out for both validation and test`);
      this.byRecord.set(r, "test");
    }
  }

  next(record: string): SplitName {
    this.seen.add(record);
    return this.byRecord.get(record) ?? "train";
  }

  /** Held-out names that never appeared (typos, or records dropped upstream). */
  missing(): string[] {
    return [...this.byRecord.keys()].filter((r) => !this.seen.has(r));
  }
}
