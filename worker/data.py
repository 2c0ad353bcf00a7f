"""Token shards (docs/tokenizers.md) read through numpy memmaps, and the seeded, resumable sample order.

Nothing is loaded whole: rows are gathered from the memmaps batch by batch. The order is a pure function of
(seed, sample counter): sample n is row perm_e[n mod N] of epoch e = n div N, perm_e a seeded permutation, so the only
data cursor a checkpoint needs is the number of samples consumed (step × batchSize)."""

import hashlib
import json
import os

import numpy as np

from .config import ConfigError


class Tokenizer:
    """What training needs from the tokenizer artifact: vocab size, special ids, digest."""

    def __init__(self, path: str):
        file = os.path.join(path, "tokenizer.json") if os.path.isdir(path) else path
        self.dir = os.path.dirname(file)
        try:
            raw = open(file, "rb").read()
            tj = json.loads(raw)
            vocab = tj["model"]["vocab"]
            ids = list(vocab.values()) if isinstance(vocab, dict) else list(range(len(vocab)))
            ids += [t["id"] for t in tj.get("added_tokens", [])]
            self.special_tokens = [t["content"] for t in sorted(tj.get("added_tokens", []), key=lambda t: t["id"]) if t.get("special")]
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise ConfigError(f"tokenizer: {file} is not a tokenizer.json ({e})") from None
        self.file = file
        self.digest = hashlib.sha256(raw).hexdigest()
        self.vocab_size = max(ids) + 1
        token_to_id = {t["content"]: t["id"] for t in tj.get("added_tokens", [])}
        # role names: BERT's [PAD] … unless special_tokens_map.json beside says otherwise (imported ESM/RoBERTa models)
        names = {r: f"[{r.upper()}]" for r in ("pad", "unk", "cls", "sep", "mask")}
        stm = os.path.join(self.dir, "special_tokens_map.json")
        if os.path.exists(stm):
            try:
                m = json.load(open(stm))
            except ValueError as e:
                raise ConfigError(f"tokenizer: {stm}: not valid JSON ({e})") from None
            for r in names:
                t = m.get(f"{r}_token")
                t = t.get("content") if isinstance(t, dict) else t
                if isinstance(t, str):
                    names[r] = t
        try:
            self.ids = {r: token_to_id[names[r]] for r in ("pad", "unk", "cls", "sep", "mask")}
        except KeyError as e:
            raise ConfigError(f"tokenizer: {file} lacks the special token {e}") from None
        self.special_ids = sorted(token_to_id[t] for t in self.special_tokens)


class TokenShards:
    """One token shards directory: rows as an (n, L) int64 batch, padded with [PAD] for `rows` packing."""

    def __init__(self, path: str, tokenizer: Tokenizer, field: str):
        meta_file = os.path.join(path, "meta.json")
        try:
            self.meta = meta = json.load(open(meta_file))
        except (OSError, ValueError) as e:
            raise ConfigError(f"{field}: {meta_file}: not a token shards artifact ({e})") from None
        if meta.get("format") != "dnaflow.tokens/1":
            raise ConfigError(f"{field}: {meta_file}: format {meta.get('format')!r}, expected 'dnaflow.tokens/1'")
        if meta.get("tokenizerDigest") != tokenizer.digest:
            raise ConfigError(
                f"{field}: {meta_file}: tokenizerDigest {str(meta.get('tokenizerDigest'))[:12]}… does not match {tokenizer.file} "
                f"(sha256 {tokenizer.digest[:12]}…): these shards were encoded with another tokenizer"
            )
        dtype = {"uint16": "<u2", "uint32": "<u4"}.get(meta.get("dtype"))
        if dtype is None:
            raise ConfigError(f"{field}: {meta_file}: unknown dtype {meta.get('dtype')!r}")
        self.count, self.length, self.packing = int(meta["count"]), int(meta["maxLength"]), meta["packing"]
        tok_file, idx_file = os.path.join(path, "tokens.bin"), os.path.join(path, "index.bin")
        for f, want in ((tok_file, int(meta["totalTokens"]) * np.dtype(dtype).itemsize), (idx_file, (self.count + 1) * 8)):
            size = os.path.getsize(f) if os.path.exists(f) else None
            if size != want:
                raise ConfigError(
                    f"{field}: {f}: {'missing' if size is None else f'{size} bytes'}, meta.json implies {want} bytes (truncated or corrupt shards)"
                )
        if self.count == 0:
            raise ConfigError(f"{field}: {meta_file}: no rows (count 0): too little data for one block of {self.length} tokens")
        self.tokens = np.memmap(tok_file, dtype=dtype, mode="r") if meta["totalTokens"] else np.zeros(0, dtype)
        self.index = np.memmap(idx_file, dtype="<u8", mode="r")
        if int(self.index[-1]) != int(meta["totalTokens"]):
            raise ConfigError(f"{field}: {idx_file}: last offset {int(self.index[-1])} != meta.json totalTokens {meta['totalTokens']}")
        self.pad = tokenizer.ids["pad"]
        self.vocab_size = tokenizer.vocab_size

    def rows(self, rows: np.ndarray) -> np.ndarray:
        out = np.full((len(rows), self.length), self.pad, dtype=np.int64)
        if self.packing == "blocks":
            blocks = self.tokens[: self.count * self.length].reshape(self.count, self.length)
            out[:] = blocks[np.sort(rows)][np.argsort(np.argsort(rows))]  # sorted gather: sequential reads
        elif len(rows):
            # One vectorized gather for every row (no Python loop per row): positions past a row's end read [PAD].
            rows = np.asarray(rows, dtype=np.int64)
            starts = self.index[rows].astype(np.int64)
            lens = self.index[rows + 1].astype(np.int64) - starts
            width = min(self.length, int(lens.max()))
            if width:
                col = np.arange(width)
                inside = col[None, :] < lens[:, None]
                pos = np.where(inside, starts[:, None] + col[None, :], 0)
                order = np.argsort(pos, axis=None)  # sorted reads from the memmap: sequential pages
                flat = np.empty(pos.size, dtype=np.int64)
                flat[order] = self.tokens[pos.ravel()[order]]
                out[:, :width] = np.where(inside, flat.reshape(pos.shape), self.pad)
        return out


class Dataset:
    """Several shard directories read as one sequence of rows."""

    def __init__(self, paths: list, tokenizer: Tokenizer, field: str):
        self.parts = [TokenShards(p, tokenizer, f"{field}[{i}]" if len(paths) > 1 else field) for i, p in enumerate(paths)]
        self.length = max(p.length for p in self.parts)
        self.offsets = np.cumsum([0] + [p.count for p in self.parts])
        self.count = int(self.offsets[-1])
        self.pad = tokenizer.ids["pad"]

    def rows(self, rows: np.ndarray) -> np.ndarray:
        out = np.full((len(rows), self.length), self.pad, dtype=np.int64)
        which = np.searchsorted(self.offsets, rows, side="right") - 1
        for i, part in enumerate(self.parts):
            sel = np.nonzero(which == i)[0]
            if len(sel):
                out[sel, : part.length] = part.rows(rows[sel] - self.offsets[i])
        return out


class SampleOrder:
    """Sample n → row: seeded permutation per epoch. Stateless apart from a one-epoch cache."""

    def __init__(self, count: int, seed: int):
        self.count, self.seed = count, seed
        self._epoch, self._perm = -1, None

    def perm(self, epoch: int) -> np.ndarray:
        if epoch != self._epoch:
            self._epoch, self._perm = epoch, np.random.default_rng([self.seed, 0x5EED, epoch]).permutation(self.count)
        return self._perm

    def rows(self, start: int, n: int) -> np.ndarray:
        out = np.empty(n, dtype=np.int64)
        s = start
        j = 0
        while j < n:
            epoch, pos = divmod(s, self.count)
            take = min(n - j, self.count - pos)
            out[j : j + take] = self.perm(epoch)[pos : pos + take]
            j += take
            s += take
        return out
