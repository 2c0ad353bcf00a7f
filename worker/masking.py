"""Masking strategies for masked-language-model pretraining. Every strategy is "choose span centres, mask spans":

- bert        span length 1, centre probability = ratio (BERT: 15 %).
- kmer-span   span length k (DNABERT, overlapping k-mers): a centre i masks [i - (k-1)//2, i + k//2], i.e. for k = 6
              [i-2, i+3], every token sharing a nucleotide with token i, so the answer cannot be read off its neighbours.
- randommask  (RandomMask) training is split into P phases; in phase f a centre's span length m ~ U{minSpan ..
              maxSpanStart + f·maxSpanStep} (6..6, 6..8, …, 6..14 by default), masking [i - (m-1)//2, i + m//2]
              (for m = 6 exactly DNABERT's span).

Centres are drawn independently at non-special positions with probability p; a span is clipped to its sequence: the
run of non-special tokens holding its centre (so it never crosses [SEP]/[CLS] of a packed block, nor the row's ends). p is derived from the target ratio r, accounting for overlaps: a position is left unmasked iff
no centre's span covers it, so r = 1 - Π_d (1 - p·q_d), q_d = P(a span covers offset d from its centre); p is solved
by bisection (for bert p = r). Of the masked positions, `maskToken` become [MASK], `randomToken` a uniformly random
non-special token, the rest stay unchanged; labels are the original ids there and -100 elsewhere."""
import numpy as np

IGNORE = -100


def phase_of(step: int, steps: int, phases: int) -> int:
    """0-based phase of a 0-based step: training split into `phases` equal parts."""
    return min(phases - 1, step * phases // steps)


def span_offsets(m: int) -> tuple[int, int]:
    """Span of length m around centre i: [i - left, i + right]."""
    left = (m - 1) // 2
    return left, m - 1 - left


def centre_probability(ratio: float, lo: int, hi: int) -> float:
    """p such that spans of length U{lo..hi} around independent centres cover `ratio` of positions (no edges)."""
    ms = np.arange(lo, hi + 1)
    reach = max(max(span_offsets(int(m))) for m in ms)
    q = np.array([np.mean([-span_offsets(int(m))[0] <= d <= span_offsets(int(m))[1] for m in ms]) for d in range(-reach, reach + 1)])
    a, b = 0.0, 1.0
    for _ in range(60):
        p = (a + b) / 2
        if 1 - np.prod(1 - p * q) < ratio:
            a = p
        else:
            b = p
    return (a + b) / 2


class Masker:
    def __init__(self, masking: dict, special_ids: list, mask_id: int, vocab_size: int, steps: int):
        self.cfg = masking
        self.strategy = masking["strategy"]
        self.steps = steps
        self.special_ids = np.asarray(special_ids, dtype=np.int64)
        self.mask_id = mask_id
        self.normal_ids = np.setdiff1d(np.arange(vocab_size), self.special_ids)
        self._p = {}

    def schedule(self, step: int) -> dict:
        """Phase, span length range and centre probability at a step."""
        c = self.cfg
        phase = 0
        if self.strategy == "bert":
            lo = hi = 1
        elif self.strategy == "kmer-span":
            lo = hi = c["k"]
        else:
            phase = phase_of(step, self.steps, c["phases"])
            lo, hi = c["minSpan"], c["maxSpanStart"] + phase * c["maxSpanStep"]
        p = c["centreProbability"]
        if p is None:
            p = self._p.get((lo, hi)) or self._p.setdefault((lo, hi), centre_probability(c["ratio"], lo, hi))
        return {"phase": phase, "minSpan": lo, "maxSpan": hi, "centreProbability": p}

    def sample_spans(self, rng: np.random.Generator, eligible: np.ndarray, s: dict):
        """Centres (bool, B×L) and each position's span length (int, B×L; meaningful at centres)."""
        centres = (rng.random(eligible.shape) < s["centreProbability"]) & eligible
        lengths = rng.integers(s["minSpan"], s["maxSpan"] + 1, size=eligible.shape)
        return centres, lengths

    @staticmethod
    def spans_to_mask(centres: np.ndarray, lengths: np.ndarray, eligible: np.ndarray | None = None) -> np.ndarray:
        """Positions covered by the spans. With `eligible`, a span is clipped to the run of eligible (non-special)
        tokens holding its centre: it never crosses [SEP]/[CLS] into the next sequence of a packed block."""
        B, L = centres.shape
        b, i = np.nonzero(centres)
        m = lengths[b, i]
        start = np.clip(i - (m - 1) // 2, 0, L)
        end = np.clip(i - (m - 1) // 2 + m, 0, L)  # exclusive
        if eligible is not None:
            pos = np.broadcast_to(np.arange(L), (B, L))
            prev_special = np.maximum.accumulate(np.where(eligible, -1, pos), axis=1)  # last special at or before j
            next_special = np.flip(np.minimum.accumulate(np.flip(np.where(eligible, L, pos), axis=1), axis=1), axis=1)
            start = np.maximum(start, prev_special[b, i] + 1)
            end = np.minimum(end, next_special[b, i])
        diff = np.zeros((B, L + 1), dtype=np.int32)
        np.add.at(diff, (b, start), 1)
        np.add.at(diff, (b, end), -1)
        return np.cumsum(diff[:, :L], axis=1) > 0

    def __call__(self, ids: np.ndarray, rng: np.random.Generator, step: int):
        """(inputs, labels, stats) for a batch of ids (B×L int64); `ids` is not modified."""
        s = self.schedule(step)
        eligible = ~np.isin(ids, self.special_ids)
        centres, lengths = self.sample_spans(rng, eligible, s)
        masked = self.spans_to_mask(centres, lengths, eligible)
        labels = np.where(masked, ids, IGNORE)
        inputs = ids.copy()
        u = rng.random(ids.shape)
        to_mask = masked & (u < self.cfg["maskToken"])
        to_random = masked & (u >= self.cfg["maskToken"]) & (u < self.cfg["maskToken"] + self.cfg["randomToken"])
        inputs[to_mask] = self.mask_id
        inputs[to_random] = self.normal_ids[rng.integers(0, len(self.normal_ids), size=int(to_random.sum()))]
        n_eligible = int(eligible.sum())
        stats = {**s, "maskRatio": float(masked.sum()) / max(1, n_eligible), "masked": int(masked.sum()), "centres": int(centres.sum())}
        return inputs, labels, stats
