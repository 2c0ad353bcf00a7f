// Checksums of a downloaded file: md5 / sha256 (node:crypto) and the BSD `sum` that Ensembl's CHECKSUMS files use.
import { createReadStream } from "node:fs";
import { createHash } from "node:crypto";

export type ChecksumAlgorithm = "md5" | "sha256" | "sum";

export interface Checksum {
  algorithm: ChecksumAlgorithm;
  /** Lowercase hex for md5/sha256; "checksum blocks" (decimal, no padding) for sum. */
  value: string;
}

export interface FileDigests {
  size: number;
  md5: string;
  sha256: string;
  sum: string;
}

/** Reads the file once and computes every supported checksum. */
export async function digestFile(path: string, signal?: AbortSignal): Promise<FileDigests> {
  const md5 = createHash("md5");
  const sha256 = createHash("sha256");
  const bsd = new BsdSum();
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, signal })) {
    const b = chunk as Buffer;
    md5.update(b);
    sha256.update(b);
    bsd.update(b);
    size += b.length;
  }
  return { size, md5: md5.digest("hex"), sha256: sha256.digest("hex"), sum: bsd.result(size) };
}

export function matches(expected: Checksum, got: FileDigests): boolean {
  if (expected.algorithm === "sum") return normalizeSum(expected.value) === normalizeSum(got.sum);
  return expected.value.toLowerCase() === got[expected.algorithm];
}

/** BSD `sum` (the 16-bit rotating checksum of coreutils `sum -r`) and 1 KiB blocks. */
export class BsdSum {
  private s = 0;

  update(b: Uint8Array): void {
    let s = this.s;
    for (let i = 0; i < b.length; i++) s = (((s >>> 1) | ((s & 1) << 15)) + b[i]) & 0xffff;
    this.s = s;
  }

  result(size: number): string {
    return `${this.s} ${Math.ceil(size / 1024)}`;
  }
}

function normalizeSum(v: string): string {
  return v
    .trim()
    .split(/\s+/)
    .map((x) => String(Number(x)))
    .join(" ");
}

/**
 * Finds the checksum of `fileName` in a checksum list: md5sum/sha256sum lines ("hex  name", "hex *name",
 * "hex  ./name"), BSD tagged lines ("MD5 (name) = hex"), or BSD sum lines ("12345 67890 name").
 */
export function findChecksum(listText: string, fileName: string): Checksum | undefined {
  for (const raw of listText.split(/\r?\n/)) {
    const line = raw.trim();
    const tagged = /^(MD5|SHA256) \((.+)\) = ([0-9a-fA-F]+)$/.exec(line);
    if (tagged) {
      if (baseName(tagged[2]) === fileName) return { algorithm: tagged[1] === "MD5" ? "md5" : "sha256", value: tagged[3].toLowerCase() };
      continue;
    }
    const sum = /^(\d+)\s+(\d+)\s+(\S+)$/.exec(line);
    if (sum) {
      if (baseName(sum[3]) === fileName) return { algorithm: "sum", value: `${Number(sum[1])} ${Number(sum[2])}` };
      continue;
    }
    const plain = /^([0-9a-fA-F]{32}|[0-9a-fA-F]{64})\s+\*?(\S.*)$/.exec(line);
    if (plain && baseName(plain[2]) === fileName) return { algorithm: plain[1].length === 32 ? "md5" : "sha256", value: plain[1].toLowerCase() };
  }
  return undefined;
}

const baseName = (p: string) => p.trim().replace(/^.*\//, "");
