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
        self.special_lut = np.zeros(max(vocab_size, int(self.special_ids.max(initial=0)) + 1), dtype=bool)
        self.special_lut[self.special_ids] = True
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

    def sample_spans(self, draws: "Draws", eligible: np.ndarray, s: dict):
        """Centres (bool, B×L) and each position's span length (int, B×L; meaningful at centres only)."""
        centres = (draws.centre < s["centreProbability"]) & eligible
        lengths = np.zeros(eligible.shape, dtype=np.int64)
        if s["maxSpan"] == s["minSpan"]:
            lengths[centres] = s["minSpan"]
        else:
            b, i = np.nonzero(centres)
            lengths[b, i] = s["minSpan"] + np.floor(draws.at(b, i, 1) * (s["maxSpan"] - s["minSpan"] + 1)).astype(np.int64)
        return centres, lengths

    @staticmethod
    def spans_to_mask(centres: np.ndarray, lengths: np.ndarray, eligible: np.ndarray | None = None) -> np.ndarray:
        """Positions covered by the spans. With `eligible`, a span is clipped to the run of eligible (non-special)
        tokens holding its centre: it never crosses [SEP]/[CLS] into the next sequence of a packed block."""
        B, L = centres.shape
        b, i = np.nonzero(centres)
        m = lengths[b, i]
        if len(m) and (m == 1).all():
            return centres.copy()  # BERT: every span is its centre
        start = np.clip(i - (m - 1) // 2, 0, L)
        end = np.clip(i - (m - 1) // 2 + m, 0, L)  # exclusive
        if eligible is not None and not eligible.all():
            # The specials around each centre, by binary search over the (few) special positions of the flat batch.
            special = np.flatnonzero(~eligible)
            g = b * L + i
            k = np.searchsorted(special, g)  # centres are eligible: special[k - 1] < g < special[k]
            prev = np.where(k > 0, special[np.maximum(k - 1, 0)], -1)
            nxt = np.where(k < len(special), special[np.minimum(k, len(special) - 1)], B * L)
            start = np.maximum(start, np.where(prev >= b * L, prev - b * L + 1, 0))
            end = np.minimum(end, np.where(nxt < (b + 1) * L, nxt - b * L, L))
        # +1 at each span's start, -1 after its end, running sum > 0: covered (bincount: far faster than np.add.at)
        n = B * (L + 1)
        diff = np.bincount(b * (L + 1) + start, minlength=n) - np.bincount(b * (L + 1) + end, minlength=n)
        return np.cumsum(diff.reshape(B, L + 1)[:, :L], axis=1) > 0

    def __call__(self, ids: np.ndarray, key, step: int, rows: np.ndarray | None = None):
        """(inputs, labels, stats) for a batch of ids (B×L int64); `ids` is not modified. Every random choice for row
        j is a pure function of (key, rows[j], position) (see Draws): a row's mask does not depend on the other rows
        in the batch, so a rank building only its slice of the global batch masks it exactly as one process would."""
        s = self.schedule(step)
        B, L = ids.shape
        eligible = ~self.special_lut[ids]
        draws = Draws(key, np.arange(B) if rows is None else rows, L)
        centres, lengths = self.sample_spans(draws, eligible, s)
        masked = self.spans_to_mask(centres, lengths, eligible)
        labels = np.where(masked, ids, IGNORE)
        inputs = ids.copy()
        u = draws.kind
        to_mask = masked & (u < self.cfg["maskToken"])
        to_random = masked & (u >= self.cfg["maskToken"]) & (u < self.cfg["maskToken"] + self.cfg["randomToken"])
        inputs[to_mask] = self.mask_id
        b, i = np.nonzero(to_random)
        inputs[b, i] = self.normal_ids[np.floor(draws.at(b, i, 2) * len(self.normal_ids)).astype(np.int64)]
        n_eligible = int(eligible.sum())
        n_masked = int(masked.sum())
        stats = {**s, "maskRatio": n_masked / max(1, n_eligible), "masked": n_masked, "eligible": n_eligible, "centres": int(centres.sum())}
        return inputs, labels, stats


_M1, _M2, _G = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB), np.uint64(0x9E3779B97F4A7C15)
_S30, _S27, _S31, _S32, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(32), np.uint64(11)


def _mix(z: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer, in place on a uint64 array: a bijective, well-avalanching hash."""
    z ^= z >> _S30
    z *= _M1
    z ^= z >> _S27
    z *= _M2
    z ^= z >> _S31
    return z


def _key64(key) -> np.uint64:
    """A 64-bit key from a sequence of non-negative ints (e.g. [seed, tag, step])."""
    h = np.zeros(1, dtype=np.uint64)
    for k in np.atleast_1d(np.asarray(key, dtype=np.uint64)):
        h = _mix(h ^ (k + _G))
    return h[0]


class Draws:
    """Counter-based uniform draws: draw d at (row r, position j) is splitmix64(key, r, j, d) mapped to [0, 1) — a pure
    function of its coordinates, computed for a whole batch at once with numpy (no generator state, no per-row objects).
    `centre` (kind 0, top 32 bits) and `kind` (the low 32 bits of the same hash) cover every position; `at` draws for
    a few positions only (span lengths at centres, random tokens)."""

    def __init__(self, key, rows: np.ndarray, L: int):
        with np.errstate(over="ignore"):
            self.k = _key64(key)
            self.row_base = _mix((np.asarray(rows, dtype=np.uint64) + np.uint64(1)) * _G ^ self.k)
            h = _mix(self.row_base[:, None] + np.arange(L, dtype=np.uint64)[None, :] * (_G * np.uint64(4)))
        self.centre = (h >> _S32).astype(np.float64) * 2.0**-32
        self.kind = (h & np.uint64(0xFFFFFFFF)).astype(np.float64) * 2.0**-32

    def at(self, b: np.ndarray, i: np.ndarray, d: int) -> np.ndarray:
        with np.errstate(over="ignore"):
            h = _mix(self.row_base[b] + np.asarray(i, dtype=np.uint64) * (_G * np.uint64(4)) + np.uint64(d) * _G)
        return (h >> _S11).astype(np.float64) * 2.0**-53
