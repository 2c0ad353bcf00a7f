"""Hugging Face reference for dnaflow's tokenizer tests: the real `tokenizers` / `transformers` packages.

  encode   --tokenizer T.json --input seqs.json --out ids.json      HF ids of each sequence ([CLS] ... [SEP])
  train    --corpus lines.txt --vocab-size N --min-frequency F --out tokenizer.json [--specials a,b,...]
  transformers --tokenizer-dir DIR --input seqs.json              PreTrainedTokenizerFast checks, JSON on stdout
  bert-vocab --vocab vocab.txt --k K --input seqs.json --out ids.json   BertTokenizer(vocab.txt) ids, as DNABERT loads it

Overlapping k-mer tokenizers get DNABERT's pre-split input (seq2kmer: k-mers joined by spaces), the documented
way to use them from HF. Exit status 3 means the oracle packages are missing.
"""

import argparse
import json
import sys

try:
    from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers, trainers
except ImportError as e:  # pragma: no cover
    print(f"HF oracle unavailable ({e}): pip install -r test/python-requirements.txt", file=sys.stderr)
    sys.exit(3)


def seq2kmer(seq, k):
    """DNABERT's helper: overlapping k-mers separated by spaces ('' when len(seq) < k)."""
    return " ".join(seq[i : i + k] for i in range(len(seq) + 1 - k))


def overlapping_k(tokenizer_json):
    j = json.load(open(tokenizer_json))
    if (j.get("pre_tokenizer") or {}).get("type") != "WhitespaceSplit":
        return None
    vocab = j["model"]["vocab"]
    first = next(t for t, i in vocab.items() if i == len(j["added_tokens"]))
    return len(first)


def texts_for(tokenizer_json, seqs):
    k = overlapping_k(tokenizer_json)
    return [seq2kmer(s, k) for s in seqs] if k else seqs


def cmd_encode(a):
    tok = Tokenizer.from_file(a.tokenizer)
    seqs = json.load(open(a.input))
    ids = [e.ids for e in tok.encode_batch(texts_for(a.tokenizer, seqs))]
    json.dump(ids, open(a.out, "w"))


def cmd_train(a):
    tok = Tokenizer(models.BPE(unk_token="[UNK]"))
    tok.normalizer = normalizers.Sequence([normalizers.Replace(c, c.upper()) for c in "acgtn"])
    tok.pre_tokenizer = pre_tokenizers.Split(Regex("[^ACGT]"), "isolated")
    trainer = trainers.BpeTrainer(
        vocab_size=a.vocab_size,
        min_frequency=a.min_frequency,
        special_tokens=a.specials.split(","),
        initial_alphabet=list("ACGT"),
        show_progress=False,
    )
    lines = [line for line in open(a.corpus).read().split("\n") if line]
    tok.train_from_iterator(lines, trainer)
    tok.save(a.out)


def cmd_transformers(a):
    try:
        from transformers import AutoTokenizer, PreTrainedTokenizerFast
    except ImportError as e:  # pragma: no cover
        print(f"transformers unavailable ({e}): pip install -r test/python-requirements.txt", file=sys.stderr)
        sys.exit(3)
    path = a.tokenizer_dir + "/tokenizer.json"
    fast = PreTrainedTokenizerFast(tokenizer_file=path, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]")
    auto = AutoTokenizer.from_pretrained(a.tokenizer_dir)
    seqs = json.load(open(a.input))
    texts = texts_for(path, seqs)
    out = {
        "special_ids": {
            n: fast.convert_tokens_to_ids(t) for n, t in [("pad", "[PAD]"), ("unk", "[UNK]"), ("cls", "[CLS]"), ("sep", "[SEP]"), ("mask", "[MASK]")]
        },
        "attr_ids": {"mask": fast.mask_token_id, "cls": fast.cls_token_id, "sep": fast.sep_token_id, "pad": fast.pad_token_id},
        "auto_attr_ids": {"mask": auto.mask_token_id, "cls": auto.cls_token_id, "sep": auto.sep_token_id, "pad": auto.pad_token_id},
        "ids": [fast(t)["input_ids"] for t in texts],
        "auto_ids": [auto(t)["input_ids"] for t in texts],
        # a masked position survives a round trip through text
        "masked_roundtrip": fast(fast.decode(fast(texts[0])["input_ids"][:2] + [fast.mask_token_id], skip_special_tokens=False), add_special_tokens=False)[
            "input_ids"
        ],
        "mask_in_text": fast("[MASK]" + (" " if overlapping_k(path) else "") + texts[0], add_special_tokens=False)["input_ids"][:2],
    }
    print(json.dumps(out))


def cmd_bert_vocab(a):
    """DNABERT's DNATokenizer is a BertTokenizer over vocab.txt (no lower-casing) fed seq2kmer text."""
    try:
        from transformers import BertTokenizer
    except ImportError as e:  # pragma: no cover
        print(f"transformers unavailable ({e}): pip install -r test/python-requirements.txt", file=sys.stderr)
        sys.exit(3)
    tok = BertTokenizer(a.vocab, do_lower_case=False)
    seqs = json.load(open(a.input))
    json.dump([tok(seq2kmer(s, a.k))["input_ids"] for s in seqs], open(a.out, "w"))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("encode")
    e.add_argument("--tokenizer", required=True)
    e.add_argument("--input", required=True)
    e.add_argument("--out", required=True)
    t = sub.add_parser("train")
    t.add_argument("--corpus", required=True)
    t.add_argument("--vocab-size", type=int, required=True)
    t.add_argument("--min-frequency", type=int, required=True)
    t.add_argument("--specials", default="[PAD],[UNK],[CLS],[SEP],[MASK]")
    t.add_argument("--out", required=True)
    x = sub.add_parser("transformers")
    x.add_argument("--tokenizer-dir", required=True)
    x.add_argument("--input", required=True)
    b = sub.add_parser("bert-vocab")
    b.add_argument("--vocab", required=True)
    b.add_argument("--k", type=int, required=True)
    b.add_argument("--input", required=True)
    b.add_argument("--out", required=True)
    a = p.parse_args()
    {"encode": cmd_encode, "train": cmd_train, "transformers": cmd_transformers, "bert-vocab": cmd_bert_vocab}[a.cmd.replace("_", "-")](a)


if __name__ == "__main__":
    main()
