"""HF side of bench/tokenize.ts: times tokenizers' BPE training and encoding on the same corpus, same machine.

train  --corpus lines.txt --vocab-size N --min-frequency F --out tok.json   -> {"seconds", "maxRssKb"}
encode --tokenizer tok.json --corpus lines.txt [--kmer K]                  -> {"seconds", "batchSeconds", "bases", "tokens", "idsSha256"}
"""

import argparse
import hashlib
import json
import resource
import sys
import time

try:
    from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers, trainers
except ImportError as e:
    print(f"HF tokenizers missing ({e}): pip install -r test/python-requirements.txt", file=sys.stderr)
    sys.exit(3)

p = argparse.ArgumentParser()
p.add_argument("cmd")
p.add_argument("--corpus", required=True)
p.add_argument("--tokenizer")
p.add_argument("--vocab-size", type=int)
p.add_argument("--min-frequency", type=int)
p.add_argument("--out")
p.add_argument("--kmer", type=int, default=0)
a = p.parse_args()
lines = [line for line in open(a.corpus).read().split("\n") if line]

if a.cmd == "train":
    tok = Tokenizer(models.BPE(unk_token="[UNK]"))
    tok.normalizer = normalizers.Sequence([normalizers.Replace(c, c.upper()) for c in "acgtn"])
    tok.pre_tokenizer = pre_tokenizers.Split(Regex("[^ACGT]"), "isolated")
    tr = trainers.BpeTrainer(
        vocab_size=a.vocab_size,
        min_frequency=a.min_frequency,
        special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"],
        initial_alphabet=list("ACGT"),
        show_progress=False,
    )
    t = time.perf_counter()
    tok.train_from_iterator(lines, tr)
    s = time.perf_counter() - t
    tok.save(a.out)
    print(json.dumps({"seconds": s, "maxRssKb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
else:
    tok = Tokenizer.from_file(a.tokenizer)
    texts = [" ".join(s[i : i + a.kmer] for i in range(len(s) - a.kmer + 1)) for s in lines] if a.kmer else lines
    t = time.perf_counter()
    encs = [tok.encode(x) for x in texts]
    s = time.perf_counter() - t
    t = time.perf_counter()
    tok.encode_batch(texts)
    bs = time.perf_counter() - t
    h = hashlib.sha256()
    n = 0
    for e in encs:
        h.update(json.dumps(e.ids, separators=(",", ":")).encode())
        n += len(e.ids)
    print(json.dumps({"seconds": s, "batchSeconds": bs, "bases": sum(map(len, lines)), "tokens": n, "idsSha256": h.hexdigest()}))
