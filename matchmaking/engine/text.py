"""Text features of a listing: cleaning, hashed character n-grams (and Han bigrams),
the parse both synonym indexes share, and the IDF and sizes of the TF-IDF count
sketch (MatchEngine._sketch makes the dense projection with them).
"""
from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from scipy import sparse

from partners.text import fold, han_runs, tokens

HASH_FEATURES = 2**20
SKETCH_DIM = 512
NGRAM_SIZES = (3, 4)
SKETCH_SEED = 20_26_05
_NOT_LETTERS = re.compile(r"[\W\d_]+")
_HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))  # as partners.text
_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_MIX = np.uint64(0xBF58476D1CE4E5B9)


def clean_text(text: str) -> str:
    """The folded text with everything but letters turned to single spaces, padded with spaces."""
    return f" {_NOT_LETTERS.sub(' ', fold(text))} "


def ngram_counts(cleaned: Sequence[str]) -> sparse.csr_matrix:
    """Hashed term counts of cleaned texts: character 3- and 4-grams within each word
    (a word's padding spaces included, as scikit-learn's "char_wb" does) and the
    bigrams of each run of Han characters (a single Han character stands alone).

    Chinese has no spaces, so a run of Han characters is a phrase, not a word:
    its character bigrams play the part that n-grams of a word play elsewhere.
    Computed with numpy over the code points of the whole batch, because a
    Python analyser generating each n-gram is most of the cost of fitting.
    """
    if not cleaned:
        return sparse.csr_matrix((0, HASH_FEATURES), dtype=np.float32)
    joined = "\x00".join(cleaned)  # NUL separates documents: no window may contain it
    cp = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    doc = np.repeat(np.arange(len(cleaned)), [len(t) + 1 for t in cleaned])[: len(cp)]
    han = np.zeros(len(cp), dtype=bool)
    for low, high in _HAN_RANGES:
        han |= (cp >= low) & (cp <= high)
    latin = np.where(han, np.uint64(32), cp)  # Han characters are word breaks for the letter n-grams
    separator = cp == 0
    blanks = np.concatenate([[0], np.cumsum((latin == 32) | separator)])
    rows, cols = [], []
    for n in NGRAM_SIZES:
        starts = np.arange(max(len(cp) - n + 1, 0))
        inner_blanks = blanks[starts + n - 1] - blanks[starts + 1]
        starts = starts[(inner_blanks == 0) & ~separator[starts] & ~separator[starts + n - 1]]
        rows.append(doc[starts])
        cols.append(_hash_windows(latin, starts, n))
    pairs = np.flatnonzero(han[:-1] & han[1:])
    alone = np.flatnonzero(han & ~np.r_[False, han[:-1]] & ~np.r_[han[1:], False])
    for starts, n in ((pairs, 2), (alone, 1)):
        rows.append(doc[starts])
        cols.append(_hash_windows(cp, starts, n))
    row, col = np.concatenate(rows), np.concatenate(cols)
    counts = sparse.csr_matrix(
        (np.ones(len(row), dtype=np.float32), (row, col)), shape=(len(cleaned), HASH_FEATURES)
    )
    counts.sum_duplicates()
    return counts


def _hash_windows(cp: np.ndarray, starts: np.ndarray, n: int) -> np.ndarray:
    """FNV-1a over the n code points from each start, then a final mix (stable across processes)."""
    h = np.full(len(starts), _FNV_OFFSET ^ np.uint64(n), dtype=np.uint64)
    for j in range(n):
        h = (h ^ cp[starts + j]) * _FNV_PRIME
    h ^= h >> np.uint64(31)
    h *= _MIX
    h ^= h >> np.uint64(29)
    return (h & np.uint64(HASH_FEATURES - 1)).astype(np.int64)


_Parsed = tuple[list[str], list[str]]  # a text's Han runs and its other word tokens


def _parse(text: str) -> _Parsed:
    """Han runs and non-Han tokens of a text, found once for both synonym indexes."""
    words = [w for w in tokens(text) if not _is_han_char(w[0])]
    return han_runs(text), words


def _cleaned(parsed: _Parsed) -> str:
    """What clean_text gives, from a parsed text: its letter words and Han runs, space-separated
    (the order of words does not matter to n-gram counts; digits are not words)."""
    runs, words = parsed
    return f" {' '.join([w for w in words if not w.isdigit()] + runs)} "


def _is_han_char(ch: str) -> bool:
    # Tokens are whole Han characters or words without any, so the first character decides
    # (as partners.text.is_han would, without a regular expression per token).
    return "\u3400" <= ch <= "\u4dbf" or "\u4e00" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _idf(df: np.ndarray, n: int) -> np.ndarray:
    """Smoothed IDF as scikit-learn's TfidfTransformer computes it."""
    return (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)
