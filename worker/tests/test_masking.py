"""Statistics of generated masks over many seeded draws, per strategy and RandomMask phase."""

import numpy as np
import pytest

from worker.masking import IGNORE, Draws, Masker, centre_probability, phase_of, span_offsets

VOCAB, SPECIAL, MASK = 100, [0, 1, 2, 3, 4], 4
CFG = {
    "strategy": "randommask",
    "ratio": 0.15,
    "maskToken": 0.8,
    "randomToken": 0.1,
    "k": 6,
    "phases": 5,
    "minSpan": 6,
    "maxSpanStart": 6,
    "maxSpanStep": 2,
    "centreProbability": None,
}


def batch(rng, B=64, L=512, specials_every=128):
    ids = rng.integers(5, VOCAB, size=(B, L))
    ids[:, 0] = 2
    ids[:, specials_every::specials_every] = 3  # [SEP] inside packed blocks
    return ids


def masker(steps=500, **over):
    return Masker({**CFG, **over}, SPECIAL, MASK, VOCAB, steps)


def test_phases_split_training_evenly_and_max_span_grows_by_two():
    m = masker(steps=500)
    assert [phase_of(s, 500, 5) for s in (0, 99, 100, 199, 400, 499)] == [0, 0, 1, 1, 4, 4]
    assert [m.schedule(s)["maxSpan"] for s in (0, 100, 200, 300, 400, 499)] == [6, 8, 10, 12, 14, 14]
    assert all(m.schedule(s)["minSpan"] == 6 for s in range(0, 500, 50))
    assert masker(steps=10, phases=3, minSpan=4, maxSpanStart=5, maxSpanStep=3).schedule(9)["maxSpan"] == 11


def test_span_offsets_match_dnabert_for_k6():
    assert span_offsets(6) == (2, 3)  # [i-2, i+3]
    assert span_offsets(1) == (0, 0)
    assert span_offsets(7) == (3, 3)
    assert span_offsets(14) == (6, 7)


@pytest.mark.parametrize("phase", range(5))
def test_randommask_statistics_per_phase(phase):
    steps = 500
    m = masker(steps=steps)
    step = phase * 100 + 50
    s = m.schedule(step)
    assert s["phase"] == phase and s["maxSpan"] == 6 + 2 * phase
    ratios, lengths, n_masked, outcomes = [], [], 0, np.zeros(3)
    for seed in range(40):
        rng = np.random.default_rng([seed, step])
        ids = batch(rng)
        inputs, labels, stats = m(ids, [seed, 99], step)
        masked = labels != IGNORE
        special = np.isin(ids, SPECIAL)
        assert not (masked & special).any(), "a special token was masked"
        assert (inputs[special] == ids[special]).all(), "a special token was changed"
        assert (inputs[~masked] == ids[~masked]).all(), "an unmasked token was changed"
        assert (labels[masked] == ids[masked]).all()
        assert stats["phase"] == phase and stats["maxSpan"] == 6 + 2 * phase
        ratios.append(stats["maskRatio"])
        assert abs(stats["maskRatio"] - masked.sum() / (~special).sum()) < 1e-9
        # span lengths as drawn at centres
        centres, lens = m.sample_spans(Draws([seed], np.arange(ids.shape[0]), ids.shape[1]), ~special, s)
        lengths.extend(lens[centres].tolist())
        n_masked += masked.sum()
        outcomes += [(inputs[masked] == MASK).sum(), ((inputs[masked] != MASK) & (inputs[masked] != ids[masked])).sum(), (inputs[masked] == ids[masked]).sum()]
    lengths = np.array(lengths)
    assert lengths.min() == 6 and lengths.max() == 6 + 2 * phase, "span lengths cover exactly [minSpan, maxSpan(phase)]"
    assert set(np.unique(lengths)) == set(range(6, 7 + 2 * phase)), "every length in the range occurs"
    assert abs(lengths.mean() - (6 + 6 + 2 * phase) / 2) < 0.1, "uniform span lengths"
    assert abs(np.mean(ratios) - 0.15) < 0.006, f"realized ratio {np.mean(ratios):.4f} vs target 0.15"
    frac = outcomes / n_masked
    # random replacement can draw the original id (1/95): counted as unchanged
    assert abs(frac[0] - 0.8) < 0.01 and abs(frac[1] - 0.1 * 94 / 95) < 0.01 and abs(frac[2] - (0.1 + 0.1 / 95)) < 0.01, frac


def test_isolated_spans_have_exactly_their_drawn_length_and_position():
    m = masker()
    s = {**m.schedule(450), "centreProbability": 0.004}  # sparse: spans rarely touch
    eligible = np.ones((200, 512), bool)
    centres, lens = m.sample_spans(Draws([1], np.arange(200), 512), eligible, s)
    mask = Masker.spans_to_mask(centres, lens)
    checked = 0
    for b, i in zip(*np.nonzero(centres), strict=True):
        lo, hi = span_offsets(int(lens[b, i]))
        a, z = i - lo, i + hi
        if a < 1 or z > 510 or centres[b, max(0, a - 15) : z + 16].sum() > 1:
            continue
        assert mask[b, a : z + 1].all() and not mask[b, a - 1] and not mask[b, z + 1]
        checked += 1
    assert checked > 100


def test_spans_are_clipped_at_the_edges():
    centres = np.zeros((1, 20), bool)
    lens = np.full((1, 20), 10)
    centres[0, [0, 19]] = True  # span of 10 around 0: [-4, 5] → [0, 5]; around 19: [15, 24] → [15, 19]
    mask = Masker.spans_to_mask(centres, lens)
    assert mask[0].tolist() == [True] * 6 + [False] * 9 + [True] * 5


def test_spans_stop_at_special_tokens_inside_packed_blocks():
    ids = np.array([[2, 9, 9, 9, 3, 2, 9, 9, 9, 9, 9, 3]])  # [CLS] x x x [SEP] [CLS] x x x x x [SEP]
    eligible = ~np.isin(ids, SPECIAL)
    centres = np.zeros_like(eligible)
    centres[0, [3, 6]] = True  # spans of 6: [1, 6] and [4, 9], each clipped to its own sequence
    mask = Masker.spans_to_mask(centres, np.full(ids.shape, 6), eligible)
    assert np.nonzero(mask[0])[0].tolist() == [1, 2, 3, 6, 7, 8, 9]


def test_kmer_span_masks_i_minus_2_to_i_plus_3_and_never_specials():
    m = Masker({**CFG, "strategy": "kmer-span"}, SPECIAL, MASK, VOCAB, 100)
    s = m.schedule(0)
    assert (s["minSpan"], s["maxSpan"], s["phase"]) == (6, 6, 0)
    ids = np.full((1, 12), 50)
    ids[0, 0], ids[0, -1] = 2, 3
    centres = np.zeros((1, 12), bool)
    centres[0, 5] = True
    mask = Masker.spans_to_mask(centres, np.full((1, 12), 6))
    assert np.nonzero(mask[0])[0].tolist() == [3, 4, 5, 6, 7, 8]
    ratios = [m(batch(np.random.default_rng(i)), [i], 0)[2]["maskRatio"] for i in range(20)]
    assert abs(np.mean(ratios) - 0.15) < 0.006


def test_bert_masking_is_per_token_at_the_ratio():
    m = Masker({**CFG, "strategy": "bert", "ratio": 0.2}, SPECIAL, MASK, VOCAB, 100)
    assert m.schedule(0)["centreProbability"] == pytest.approx(0.2)
    ratios = []
    for i in range(20):
        ids = batch(np.random.default_rng(i))
        _, labels, st = m(ids, [i + 1000], 0)
        assert not (labels[np.isin(ids, SPECIAL)] != IGNORE).any()
        ratios.append(st["maskRatio"])
    assert abs(np.mean(ratios) - 0.2) < 0.005


def test_centre_probability_accounts_for_overlaps():
    assert centre_probability(0.15, 1, 1) == pytest.approx(0.15)
    assert centre_probability(0.15, 6, 6) == pytest.approx(1 - 0.85 ** (1 / 6))
    p_lo, p_hi = centre_probability(0.15, 6, 6), centre_probability(0.15, 6, 14)
    assert p_hi < p_lo  # longer spans: fewer centres for the same ratio


def test_masks_are_a_pure_function_of_key_step_and_global_row():
    m = masker()
    ids = batch(np.random.default_rng(3))
    a = m(ids, [7, 1], 123)
    b = m(ids, [7, 1], 123)
    assert (a[0] == b[0]).all() and (a[1] == b[1]).all()
    c = m(ids, [7, 2], 123)
    assert not (a[1] == c[1]).all()
    # A rank building rows 16..47 of the global batch masks them exactly as the whole batch does (world-size free).
    part = m(ids[16:48], [7, 1], 123, np.arange(16, 48))
    assert (part[0] == a[0][16:48]).all() and (part[1] == a[1][16:48]).all()
    # Another row number: another mask for the same ids.
    shifted = m(ids[16:48], [7, 1], 123, np.arange(17, 49))
    assert not (shifted[1] == a[1][16:48]).all()


def test_draws_are_uniform_and_independent_across_rows_positions_and_kinds():
    d = Draws([5, 0x4D41534B, 9], np.arange(256), 512)
    for u in (d.centre, d.kind, d.at(*np.nonzero(np.ones((256, 512), bool)), 1).reshape(256, 512)):
        assert 0 <= u.min() and u.max() < 1
        assert abs(u.mean() - 0.5) < 0.003 and abs(u.var() - 1 / 12) < 0.002
        hist = np.histogram(u, bins=20, range=(0, 1))[0] / u.size
        assert np.abs(hist - 0.05).max() < 0.003
    assert abs(np.corrcoef(d.centre.ravel(), d.kind.ravel())[0, 1]) < 0.01
    assert abs(np.corrcoef(d.centre[:, :-1].ravel(), d.centre[:, 1:].ravel())[0, 1]) < 0.01  # neighbouring positions
    assert abs(np.corrcoef(d.centre[:-1].ravel(), d.centre[1:].ravel())[0, 1]) < 0.01  # neighbouring rows
