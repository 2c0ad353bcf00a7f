"""import: a local Hugging Face masked-LM directory → the artifacts model/pretrain and tokenize/train make, so
model/finetune (and reports) use a published checkpoint (DNABERT-6, Nucleotide Transformer, RoBERTa/ModernBERT, …)
exactly like a dnaflow-pretrained one.

  model/      config.json + model.safetensors (copied byte for byte, or converted from pytorch_model.bin) + the
              tokenizer files below + import.json (architecture, parameters, tokenizer kind)
  tokenizer/  tokenizer.json (+ tokenizer_config.json, special_tokens_map.json, vocab.txt where the source has one)

The tokenizer.json must reproduce the source tokenizer's ids, because finetuning tokenizes with it (HF `tokenizers`):
  - a dnaflow overlapping k-mer tokenizer.json written by the stage beforehand (DNABERT's vocab.txt: k-mer words);
  - the source's own tokenizer.json when it has one and the vocab is not k-mers (RoBERTa, ModernBERT, DNABERT-2, …);
  - otherwise, for k-mer vocabularies, one built here: WordLevel over the source vocab with a pre-tokenizer for the vocab's shape
    (NT: k-mers, else single bases, other runs one [UNK]-word), and the source's special-token template.
Then every candidate is checked: ids equal the source tokenizer's on real probe sequences, or the import fails."""

import json
import os
import re
import shutil

from .config import ConfigError
from .events import emit, log

ROLES = ("pad", "unk", "cls", "sep", "mask")
WEIGHT_FILES = ("model.safetensors", "model.safetensors.index.json")


def _json(path):
    try:
        return json.load(open(path))
    except FileNotFoundError:
        return None
    except ValueError as e:
        raise ConfigError(f"source: {path}: not valid JSON ({e})") from None


def custom_code(src: str):
    """The auto_map entries of config.json / tokenizer_config.json: code the directory ships (DNABERT-2 style)."""
    found = {}
    for f in ("config.json", "tokenizer_config.json"):
        j = _json(os.path.join(src, f)) or {}
        if j.get("auto_map"):
            found[f] = j["auto_map"]
    return found


def probe_sequences():
    """Real probes: chrM pieces of many lengths (1 bp to 600 bp), with its N, plus an N run and IUPAC codes."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    fa = os.path.join(here, "test", "fixtures", "genome", "chrM.fa")
    seq = "".join(line.strip() for line in open(fa) if not line.startswith(">")).upper()
    out, pos = [], 0
    for n in [1, 2, 3, 5, 6, 7, 11, 12, 13, 50, 99, 100, 257, 600] * 3:
        out.append(seq[pos : pos + n])
        pos += n
    out.append(seq[3050:3160])  # holds chrM's N at 3107
    out += ["ACGTNNNNNNACGTAC", "ACGTRYACGTACGTAA", "NNNNNNNN"]
    return out


def seq2kmer(seq: str, k: int) -> str:
    return " ".join(seq[i : i + k] for i in range(len(seq) + 1 - k))


def role_tokens(tok) -> dict:
    """pad/unk/cls/sep/mask as the source names them (ESM has <cls>/<eos>, RoBERTa <s>/</s>)."""
    roles = {
        "pad": tok.pad_token,
        "unk": tok.unk_token,
        "cls": tok.cls_token or tok.bos_token,
        "sep": tok.sep_token or tok.eos_token,
        "mask": tok.mask_token,
    }
    missing = [r for r, t in roles.items() if not t]
    if missing:
        raise ConfigError(f"source: the tokenizer has no {', '.join(missing)} token (a masked LM tokenizer needs pad, unk, cls/bos, sep/eos and mask)")
    return {r: str(t) for r, t in roles.items()}


def kmer_shape(vocab: dict, specials: set):
    """(k, singles) when every non-special token is an ACGT k-mer or a single char: k-mer vocabularies."""
    marker = re.compile(r"^(<[^<>]+>|\[[^\[\]]+\])$")  # <bos>, [UNUSED]: tokens no DNA text produces
    words = [w for w in vocab if w not in specials and not marker.match(w)]
    lengths = {len(w) for w in words}
    singles = sorted(w for w in words if len(w) == 1)
    k = max(lengths) if lengths else 0
    if k < 2 or lengths - {1, k} or any(len(w) == k and set(w) - set("ACGT") for w in words):
        return None
    return k, singles


def build_tokenizer_json(tok, roles):
    """A WordLevel tokenizer.json for a slow k-mer tokenizer; None when the vocab has no k-mer shape."""
    from tokenizers import Regex, Tokenizer, models, pre_tokenizers, processors

    vocab = tok.get_vocab()
    specials = set(tok.all_special_tokens)
    shape = kmer_shape(vocab, specials)
    if shape is None:
        return None, None
    k, singles = shape
    w = Tokenizer(models.WordLevel(vocab, unk_token=roles["unk"]))
    if singles:  # NT: a k-mer where k ACGT follow, else one known base, else a run of anything else (one unknown word)
        cls = "".join(re.escape(c) for c in singles)
        w.pre_tokenizer = pre_tokenizers.Split(Regex(f"[ACGT]{{{k}}}|[{cls}]|[^{cls}]+"), "isolated")
        kind = "kmer-nonoverlapping"
    else:  # DNABERT-style words: the text is pre-split into overlapping k-mers (seq2kmer), as DNABERT does
        w.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
        kind = "kmer-overlapping"
    # the source's special-token template, from how it encodes one known word
    word = next(w for w in vocab if len(w) == k and not set(w) - set("ACGT"))
    ids = list(tok(word)["input_ids"])
    if ids.count(vocab[word]) != 1:
        raise ConfigError(f"source: {type(tok).__name__} does not encode the k-mer {word} as its own token ({ids})")
    at = ids.index(vocab[word])
    name = {i: t for t, i in vocab.items()}
    pre, post = [name[i] for i in ids[:at]], [name[i] for i in ids[at + 1 :]]
    w.post_processor = processors.TemplateProcessing(single=" ".join(pre + ["$A"] + post), special_tokens=[(t, vocab[t]) for t in dict.fromkeys(pre + post)])
    w.add_special_tokens(sorted(specials, key=lambda t: vocab.get(t, 1 << 30)))
    return w.to_str(pretty=True) + "\n", kind


def check_same_ids(tok, tokenizer_dir: str):
    """Our tokenizer.json (as finetuning uses it) against the source tokenizer on the probes."""
    from .finetune_data import SequenceTokenizer

    ours = SequenceTokenizer(tokenizer_dir)
    seqs = probe_sequences()
    mine = [list(map(int, r)) for r in ours.encode(seqs)]
    for s, m in zip(seqs, mine, strict=True):
        theirs = tok(ours.text(s))["input_ids"]
        if list(theirs) != m:
            raise ConfigError(
                f"source: the converted tokenizer gives other ids than the source's {type(tok).__name__} on '{s[:40]}' "
                f"(ours {m[:12]}, source {list(theirs)[:12]}); this tokenizer is not supported"
            )
    return len(seqs)


def import_model(cfg: dict) -> None:
    src, model_out, tok_out = cfg["source"], cfg["modelOut"], cfg["tokenizerOut"]
    trust = bool(cfg.get("trustRemoteCode"))
    if not os.path.isfile(os.path.join(src, "config.json")):
        raise ConfigError(f"source: {src} has no config.json (not a Hugging Face model directory)")
    code = custom_code(src)
    if code and not trust:
        where = "; ".join(f"{f} auto_map {json.dumps(m)}" for f, m in code.items())
        raise ConfigError(f"source: the model ships its own code ({where}); set trustRemoteCode: true to run it (only for code you trust)")

    from transformers import AutoConfig, AutoModelForMaskedLM, AutoTokenizer

    try:
        conf = AutoConfig.from_pretrained(src, trust_remote_code=trust)
    except (OSError, ValueError, ImportError) as e:
        raise ConfigError(f"source: cannot read {src}/config.json: {e}") from None
    arch = list(getattr(conf, "architectures", None) or [])
    mlm = [a for a in arch if a.endswith("ForMaskedLM")] + [a for a in (code.get("config.json") or {}) if a == "AutoModelForMaskedLM"]
    if not mlm:
        raise ConfigError(
            f"source: {src} is not a masked language model (config.json architectures: {', '.join(arch) or 'none'}); import takes *ForMaskedLM checkpoints"
        )
    try:
        model = AutoModelForMaskedLM.from_pretrained(src, trust_remote_code=trust)
    except (OSError, ValueError, ImportError) as e:
        raise ConfigError(f"source: cannot load {src} as a masked LM: {e}") from None
    try:
        tok = AutoTokenizer.from_pretrained(src, trust_remote_code=trust)
    except (OSError, ValueError, TypeError) as e:
        raise ConfigError(f"source: cannot load the tokenizer in {src}: {e}") from None
    roles = role_tokens(tok)

    # the tokenizer: the stage's dnaflow k-mer file, the source's tokenizer.json, or one built from the vocab
    os.makedirs(tok_out, exist_ok=True)
    ours = os.path.join(tok_out, "tokenizer.json")
    shape = kmer_shape(tok.get_vocab(), set(tok.all_special_tokens))
    if os.path.exists(ours):
        kind = "kmer-overlapping"
    elif os.path.exists(os.path.join(src, "tokenizer.json")) and tok.is_fast and shape is None:
        shutil.copyfile(os.path.join(src, "tokenizer.json"), ours)
        kind = "source"
    else:  # k-mer vocabularies get a tokenizer.json of their shape even when the source has a (WordPiece) one
        text, kind = build_tokenizer_json(tok, roles)
        if text is None:
            raise ConfigError(
                f"source: {type(tok).__name__} has no tokenizer.json and its vocabulary is not k-mers (+ single bases); "
                "only fast tokenizers and k-mer vocabularies (DNABERT, Nucleotide Transformer) can be imported"
            )
        open(ours, "w").write(text)
    for f in ("vocab.txt",):
        if os.path.exists(os.path.join(src, f)) and not os.path.exists(os.path.join(tok_out, f)):
            shutil.copyfile(os.path.join(src, f), os.path.join(tok_out, f))
    roles_map = {f"{r}_token": t for r, t in roles.items()}
    max_len = getattr(conf, "max_position_embeddings", None) or 512
    tc = {"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": max_len, **roles_map, "clean_up_tokenization_spaces": False}
    for name, obj in (("tokenizer_config.json", tc), ("special_tokens_map.json", roles_map)):
        with open(os.path.join(tok_out, name), "w") as f:
            json.dump(obj, f, indent=2)
            f.write("\n")
    probes = check_same_ids(tok, tok_out)
    log(f"tokenizer: {kind}, {len(tok)} tokens, ids equal the source {type(tok).__name__} on {probes} probe sequences")

    from .data import Tokenizer

    tmeta = Tokenizer(tok_out)
    if conf.vocab_size != tmeta.vocab_size:
        raise ConfigError(
            f"source: config.json vocab_size {conf.vocab_size} differs from the tokenizer's {tmeta.vocab_size} tokens; finetuning needs them equal"
        )

    # the model: weights copied byte for byte when they are safetensors, else converted
    os.makedirs(model_out, exist_ok=True)
    have_st = [f for f in os.listdir(src) if f.endswith(".safetensors") or f in WEIGHT_FILES]
    if have_st:
        for f in sorted(os.listdir(src)):
            if f == "config.json" or f.endswith(".safetensors") or f == "model.safetensors.index.json" or (trust and f.endswith(".py")):
                shutil.copyfile(os.path.join(src, f), os.path.join(model_out, f))
        weights = "copied"
    else:
        model.save_pretrained(model_out)  # config.json + model.safetensors
        for f in os.listdir(src):
            if trust and f.endswith(".py"):
                shutil.copyfile(os.path.join(src, f), os.path.join(model_out, f))
        weights = "converted from pytorch_model.bin"
    for f in os.listdir(model_out):
        os.chmod(os.path.join(model_out, f), 0o644)  # safetensors writes 0600; the store is shared
    for f in os.listdir(tok_out):
        shutil.copyfile(os.path.join(tok_out, f), os.path.join(model_out, f))
    params = sum(p.numel() for p in model.parameters())
    info = {
        "architecture": mlm[0],
        "modelType": conf.model_type,
        "params": params,
        "vocabSize": conf.vocab_size,
        "maxPositions": max_len,
        "tokenizer": {"kind": kind, "sourceClass": type(tok).__name__, "specialTokens": roles_map, "checkedProbes": probes},
        "weights": weights,
        "trustRemoteCode": trust,
    }
    with open(os.path.join(model_out, "import.json"), "w") as f:
        json.dump(info, f, indent=2)
        f.write("\n")
    log(f"imported {mlm[0]} ({conf.model_type}, {params:,} parameters; weights {weights})")
    emit("done", params=params, architecture=mlm[0], modelType=conf.model_type, tokenizerKind=kind)
