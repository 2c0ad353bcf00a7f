import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { BsdSum, digestFile, findChecksum } from "../../lib/genome/download/checksums.js";
import { CHRM, tempFile } from "./helpers.js";

test("BSD sum matches coreutils `sum` (values taken from `sum` on these bytes)", async () => {
  const s = new BsdSum();
  s.update(Buffer.from("hello dnaflow\n"));
  assert.equal(s.result(14), "12811 1");
  const head = readFileSync(CHRM).subarray(0, 5000);
  assert.equal((await digestFile(tempFile("h.fa", head))).sum, "32534 5");
});

test("checksum lists: md5sum, NCBI ./ paths, sha256sum, BSD tagged, BSD sum; only the named file", () => {
  const md5 = "1c9dcaddfa41027f17cd8f7a82c7293b";
  const sha = "ab".repeat(32);
  assert.deepEqual(findChecksum(`${md5}  hg38.fa.gz\n`, "hg38.fa.gz"), { algorithm: "md5", value: md5 });
  assert.deepEqual(findChecksum(`ffffffffffffffffffffffffffffffff  ./x.gz\n${md5}  ./GCF_genomic.fna.gz\n`, "GCF_genomic.fna.gz"), {
    algorithm: "md5",
    value: md5,
  });
  assert.deepEqual(findChecksum(`${sha} *g.fa.gz\n`, "g.fa.gz"), { algorithm: "sha256", value: sha });
  assert.deepEqual(findChecksum(`MD5 (g.fa.gz) = ${md5.toUpperCase()}\n`, "g.fa.gz"), { algorithm: "md5", value: md5 });
  assert.deepEqual(
    findChecksum(`03128 12345 a.fa.gz\n41003 873456 Homo_sapiens.GRCh38.dna.primary_assembly.fa.gz\n`, "Homo_sapiens.GRCh38.dna.primary_assembly.fa.gz"),
    { algorithm: "sum", value: "41003 873456" },
  );
  assert.equal(findChecksum(`${md5}  other.fa.gz\n`, "hg38.fa.gz"), undefined);
});
