"""Tiny Hugging Face masked-LM directories for model/import tests, made locally with transformers (no network):

python3 tiny_checkpoints.py KIND OUT_DIR
dnabert6   BertForMaskedLM + DNABERT-6's vocab.txt (k-mers over ATCG) + BertTokenizer config, weights as pytorch_model.bin
nt         EsmForMaskedLM + a Nucleotide Transformer style EsmTokenizer (6-mers, then A T C G N; <cls> … <eos>)
roberta    RobertaForMaskedLM + a fast byte-free BPE tokenizer.json (<s> </s> <pad> <unk> <mask>), model.safetensors
modernbert ModernBertForMaskedLM + the same fast BPE tokenizer as roberta
custom     a BertForMaskedLM subclass shipped as code in the directory (auto_map, DNABERT-2 style)
bert-base  BertModel (no masked-LM head)
"""

import itertools
import json
import os
import sys

import torch

KIND, OUT = sys.argv[1], sys.argv[2]
os.makedirs(OUT, exist_ok=True)
torch.manual_seed(0)
TINY = dict(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64)
BERT_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def dnabert_vocab(k):
    return BERT_SPECIALS + ["".join(p) for p in itertools.product("ATCG", repeat=k)]


if KIND in ("dnabert6", "custom", "bert-base"):
    from transformers import BertConfig, BertForMaskedLM, BertModel, BertTokenizer

    vocab = dnabert_vocab(6)
    open(os.path.join(OUT, "vocab.txt"), "w").write("\n".join(vocab) + "\n")
    conf = BertConfig(vocab_size=len(vocab), max_position_embeddings=128, **TINY)
    model = (BertModel if KIND == "bert-base" else BertForMaskedLM)(conf)
    conf.architectures = [type(model).__name__]
    json.dump({"tokenizer_class": "BertTokenizer", "do_lower_case": False, "model_max_length": 128}, open(os.path.join(OUT, "tokenizer_config.json"), "w"))
    if KIND == "custom":
        open(os.path.join(OUT, "configuration_custom.py"), "w").write(
            "from transformers import BertConfig\n\n\nclass CustomBertConfig(BertConfig):\n    model_type = 'custombert'\n"
        )
        open(os.path.join(OUT, "modeling_custom.py"), "w").write(
            "from transformers import BertForMaskedLM, BertForSequenceClassification\n\nfrom .configuration_custom import CustomBertConfig\n\n\n"
            "class CustomBertForMaskedLM(BertForMaskedLM):\n    config_class = CustomBertConfig\n\n\n"
            "class CustomBertForSequenceClassification(BertForSequenceClassification):\n    config_class = CustomBertConfig\n"
        )
        d = conf.to_dict()
        d.update(
            model_type="custombert",
            architectures=["CustomBertForMaskedLM"],
            auto_map={
                "AutoConfig": "configuration_custom.CustomBertConfig",
                "AutoModelForMaskedLM": "modeling_custom.CustomBertForMaskedLM",
                "AutoModelForSequenceClassification": "modeling_custom.CustomBertForSequenceClassification",
            },
        )
        json.dump(d, open(os.path.join(OUT, "config.json"), "w"), indent=2)
        torch.save(model.state_dict(), os.path.join(OUT, "pytorch_model.bin"))
        print(json.dumps(sorted(os.listdir(OUT))))
        sys.exit(0)
    conf.save_pretrained(OUT)
    torch.save(model.state_dict(), os.path.join(OUT, "pytorch_model.bin"))  # DNABERT's checkpoints are .bin
    BertTokenizer(os.path.join(OUT, "vocab.txt"), do_lower_case=False)  # loads
elif KIND == "nt":
    from transformers import EsmConfig, EsmForMaskedLM, EsmTokenizer

    specials = ["<unk>", "<pad>", "<mask>", "<cls>", "<eos>", "<bos>"]
    vocab = specials + ["".join(p) for p in itertools.product("ATCG", repeat=6)] + list("ATCGN")
    open(os.path.join(OUT, "vocab.txt"), "w").write("\n".join(vocab) + "\n")
    tok = EsmTokenizer(os.path.join(OUT, "vocab.txt"), unk_token="<unk>", cls_token="<cls>", pad_token="<pad>", mask_token="<mask>", eos_token="<eos>")
    tok.save_pretrained(OUT)
    conf = EsmConfig(vocab_size=len(vocab), pad_token_id=1, mask_token_id=2, max_position_embeddings=130, position_embedding_type="rotary", **TINY)
    model = EsmForMaskedLM(conf)
    conf.architectures = ["EsmForMaskedLM"]
    model.save_pretrained(OUT)
elif KIND in ("roberta", "modernbert"):
    from tokenizers import Tokenizer, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast, RobertaConfig, RobertaForMaskedLM

    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    here = os.path.dirname(os.path.abspath(__file__))
    fa = os.path.join(here, "..", "..", "fixtures", "genome", "chrM.fa")
    seq = "".join(line.strip() for line in open(fa) if not line.startswith(">")).upper()
    t = Tokenizer(models.BPE(unk_token="<unk>"))
    t.pre_tokenizer = pre_tokenizers.Split("N", "isolated")
    t.train_from_iterator(
        [seq[i : i + 300] for i in range(0, len(seq), 300)],
        trainers.BpeTrainer(vocab_size=96, special_tokens=specials, initial_alphabet=list("ACGTN"), show_progress=False),
    )
    t.post_processor = processors.TemplateProcessing(single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 2)])
    fast = PreTrainedTokenizerFast(
        tokenizer_object=t, bos_token="<s>", eos_token="</s>", cls_token="<s>", sep_token="</s>", pad_token="<pad>", unk_token="<unk>", mask_token="<mask>"
    )
    fast.save_pretrained(OUT)
    if KIND == "modernbert":
        from transformers import ModernBertConfig, ModernBertForMaskedLM

        conf = ModernBertConfig(
            vocab_size=t.get_vocab_size(), max_position_embeddings=128, pad_token_id=1, bos_token_id=0, eos_token_id=2, cls_token_id=0, sep_token_id=2, **TINY
        )
        model = ModernBertForMaskedLM(conf)
    else:
        conf = RobertaConfig(vocab_size=t.get_vocab_size(), max_position_embeddings=130, pad_token_id=1, bos_token_id=0, eos_token_id=2, **TINY)
        model = RobertaForMaskedLM(conf)
    conf.architectures = [type(model).__name__]
    model.save_pretrained(OUT)
else:
    sys.exit(f"unknown kind {KIND}")
print(json.dumps(sorted(os.listdir(OUT))))
