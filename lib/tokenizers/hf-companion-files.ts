// The small files beside tokenizer.json that let transformers' AutoTokenizer.from_pretrained(dir) load the
// tokenizer directory with the right special tokens.
import type { DnaTokenizer } from "./tokenizer.js";

export function tokenizerConfig(tok: DnaTokenizer, modelMaxLength: number): Record<string, unknown> {
  return {
    tokenizer_class: "PreTrainedTokenizerFast",
    model_max_length: modelMaxLength,
    ...specialTokensMap(tok),
    clean_up_tokenization_spaces: false,
  };
}

export function specialTokensMap(tok: DnaTokenizer): Record<string, string> {
  const s = tok.specials;
  const t = tok.specialTokens;
  return { pad_token: t[s.pad], unk_token: t[s.unk], cls_token: t[s.cls], sep_token: t[s.sep], mask_token: t[s.mask] };
}
