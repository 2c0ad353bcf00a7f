"""The three model families, all stock Hugging Face transformers classes configured from the YAML `model:` block:

- roberta     RobertaForMaskedLM (TinyDNABERT, RandomMask)   learned absolute positions, GELU FFN
- bert        BertForMaskedLM (DNABERT)                      learned absolute positions, GELU FFN
- modernbert  ModernBertForMaskedLM (AIDO.DNA / NT-v2 style) rotary positions, gated (GeGLU) FFN, pre-norm, no biases

Vocab size and special ids come from the tokenizer. Attention is PyTorch SDPA."""

import torch.nn.functional as F
from torch import nn


def build_config(m: dict, tok):
    common = dict(
        vocab_size=tok.vocab_size,
        hidden_size=m["hidden"],
        num_hidden_layers=m["layers"],
        num_attention_heads=m["heads"],
        intermediate_size=m["intermediate"],
        pad_token_id=tok.ids["pad"],
        bos_token_id=tok.ids["cls"],
        eos_token_id=tok.ids["sep"],
    )
    if m["family"] == "roberta":
        from transformers import RobertaConfig

        # RoBERTa numbers positions from pad_token_id + 1 (HF roberta-base: 514 for 512 tokens).
        return RobertaConfig(
            **common,
            max_position_embeddings=m["maxPositions"] + tok.ids["pad"] + 1,
            type_vocab_size=1,
            hidden_dropout_prob=m["dropout"],
            attention_probs_dropout_prob=m["attentionDropout"],
            layer_norm_eps=1e-5,
        )
    if m["family"] == "bert":
        from transformers import BertConfig

        return BertConfig(
            **common,
            max_position_embeddings=m["maxPositions"],
            type_vocab_size=2,
            hidden_dropout_prob=m["dropout"],
            attention_probs_dropout_prob=m["attentionDropout"],
        )
    from transformers import ModernBertConfig

    return ModernBertConfig(
        **common,
        cls_token_id=tok.ids["cls"],
        sep_token_id=tok.ids["sep"],
        max_position_embeddings=m["maxPositions"],
        layer_types=["full_attention"] * m["layers"],
        embedding_dropout=m["dropout"],
        mlp_dropout=m["dropout"],
        attention_dropout=m["attentionDropout"],
    )


def build_model(m: dict, tok):
    from transformers import AutoModelForMaskedLM

    return AutoModelForMaskedLM.from_config(build_config(m, tok), attn_implementation="sdpa")


def _head(model):
    """(encoder, prediction head) of a *ForMaskedLM."""
    name = model.config.model_type
    if name == "roberta":
        return model.roberta, model.lm_head
    if name == "bert":
        return model.bert, model.cls
    if name == "modernbert":
        return model.model, lambda h: model.decoder(model.head(h))
    raise ValueError(f"unsupported model type {name}")


class MaskedLMLoss(nn.Module):
    """Runs the HF model's encoder and its own MLM head on the masked positions only (the head on every position is most
    of the work for small models); returns the summed cross-entropy and the number of masked tokens. Wrapping this module
    (not the HF model) in DDP keeps gradient synchronization on the path actually used."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, labels):
        encoder, head = _head(self.model)
        hidden = encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        sel = labels != -100
        logits = head(hidden[sel])
        return F.cross_entropy(logits.float(), labels[sel], reduction="sum"), sel.sum()


def weight_decay_groups(model, wd: float):
    """AdamW groups: no decay on biases and norms (BERT/RoBERTa practice)."""
    decay, no_decay = [], []
    for n, p in model.named_parameters():
        if not p.requires_grad:
            continue
        (no_decay if p.ndim < 2 or "norm" in n.lower() or n.endswith(".bias") else decay).append(p)
    return [{"params": decay, "weight_decay": wd}, {"params": no_decay, "weight_decay": 0.0}]
