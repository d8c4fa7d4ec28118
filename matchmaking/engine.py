"""The matching engine: which capabilities answer a need, and why.

Pure Python over plain dataclasses (no Django models), so that a benchmark,
a test and a Celery worker run the very same code. The caller turns needs and
capabilities into ListingDocs, calls `fit` once, then asks for the best
matches of fitted or new listings.

How a pair is scored is documented in matchmaking.weights (and docs/matching.md);
how it is made fast is documented here:

* `fit` vectorises every listing once. Text becomes a character n-gram TF-IDF
  vector (hashed, so a new listing needs no vocabulary refit), compressed
  into a dense `SKETCH_DIM` count sketch: a dense float32 product runs on BLAS
  at a hundred GFLOPS and more, where a sparse product of character n-grams
  (which every two texts share by the dozen) would take longer than the whole
  budget. The sketch keeps cosines unbiased, with a spread of about
  1/sqrt(SKETCH_DIM). Topics, synonym concepts and the cheap fit signals
  become a small dense block (`_Layout`) built so that the dot product of a
  need's row and a capability's row approximates their weighted score.
* Listings are stored ordered by side and audience, so that the listings a
  need may meet across the border are one contiguous range of rows: the
  border rule costs nothing, and the same-organisation rule is a few
  assignments per need.
* Needs are scored in chunks of `CHUNK` against that range with two matrix
  products (text, and the rest); the best `CANDIDATES` per need by that linear
  proxy get the exact score (topic hierarchy as a max, budget ranges, the
  relevance gate) and only the best k of those become ScoredMatch objects.
  No Python loop ever runs over all pairs.
* Topic inference reads the tagger's own synonym tables through an index
  (`_SynonymIndex`) that gives the tagger's scores without its scans.
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import sparse
from sklearn.preprocessing import normalize
from threadpoolctl import ThreadpoolController

from matchmaking.weights import MATURITY_FIT, ORGANISATION_FIT, ORGANISATION_KINDS, WEIGHTS, Weights
from partners import tagging
from partners.tagging import Tagger
from partners.taxonomy import TaxonomyData
from partners.text import fold, han_runs, tokens

HASH_FEATURES = 2**20
SKETCH_DIM = 512
PROXY_TEXT_DIM = 128  # sketch columns the candidate proxy reads (see _score)
CHUNK = 256
CANDIDATES = 40
NGRAM_SIZES = (3, 4)
SKETCH_SEED = 20_26_05
# Fit signals enter the candidate proxy at this share: the exact score scales
# them by relevance, and a typical candidate is relevant about half-way.
PROXY_FIT_SHARE = 0.5
# Price bins (EUR) that linearise the budget fit for the candidate proxy.
BUDGET_EDGES = (10_000, 30_000, 100_000, 300_000, 1_000_000, 3_000_000, 10_000_000, 30_000_000)
# An inferred topic (or an organisation's) counts for reciprocity from this weight on.
RECIPROCITY_MIN_WEIGHT = 0.5
ROUNDING = 6
# Listings analysed per batch (n-gram counting works on a batch's code points at once).
ANALYSIS_BATCH = 1000

SIDES = {"china": 0, "cee": 1}
GROUPS = 4  # border groups, see _Block.allowed
_NOT_LETTERS = re.compile(r"[\W\d_]+")
_HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))  # as partners.text
_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_MIX = np.uint64(0xBF58476D1CE4E5B9)

KIND_EN = {
    "city": "city", "company": "company", "think_tank": "think tank", "university": "university",
    "government_agency": "government agency", "other": "organisation",
}
KIND_ZH = {
    "city": "城市", "company": "企业", "think_tank": "智库", "university": "大学",
    "government_agency": "政府机构", "other": "机构",
}


@dataclass(frozen=True)
class ListingDoc:
    id: int
    kind: str  # "need" | "capability"
    organisation_id: int
    side: str  # "china" | "cee"
    organisation_kind: str  # city, company, think_tank, university, government_agency, other
    city: str
    country: str  # ISO alpha-2
    title: str
    description: str
    language: str  # BCP 47, e.g. "pl", "zh-hans", "sr-Cyrl"
    topics: tuple[str, ...]  # taxonomy topic codes (may be empty)
    audience: str = "other_side"  # "other_side" | "anywhere": who may answer it
    budget_min: int | None = None  # EUR; a need's budget or a capability's indicative price range
    budget_max: int | None = None
    stage: str | None = None  # need only: "pilot" | "scale_up"
    trl: int | None = None  # capability only: 1..9
    capability_type: str | None = None  # product, solution, service, expertise


@dataclass(frozen=True)
class ScoredMatch:
    need_id: int
    capability_id: int
    score: float  # 0..1
    contributions: dict[str, float]  # signal -> weighted part of the score (they sum to score)
    matched_topics: tuple[str, ...]
    reasons_en: tuple[str, ...]
    reasons_zh: tuple[str, ...]


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


class _SynonymIndex:
    """Tagger.scores from the tagger's own tables, looked up instead of scanned.

    Tagger._matches tries every phrase that shares a word's first three letters,
    and every Han synonym against every run; over 40,000 listings that is most
    of a full rematch. Here phrases are indexed by their exact first word (found
    by looking up each prefix of a text word) and Han synonyms by themselves
    (found by looking up each substring of their lengths). Those are the same
    matches, hence the same scores: tests/matchmaking/test_engine.py checks it
    against Tagger.scores, so a change to the tagger that this misses fails there.
    """

    def __init__(self, tagger: Tagger) -> None:
        # Single-word phrases by their word; longer ones by first word, then by the
        # second word's first three letters (or all of it when shorter).
        self._single: dict[str, list[tuple[str, float, str]]] = defaultdict(list)
        self._multi: dict[str, dict[str, list[tuple[str, tuple[str, ...], float, str]]]] = defaultdict(lambda: defaultdict(list))
        for p in tagger.phrases():
            name = " ".join(p.words)
            if len(p.words) == 1:
                self._single[p.words[0]].append((p.topic, p.weight, name))
            else:
                self._multi[p.words[0]][p.words[1][:3]].append((p.topic, p.words[1:], p.weight, name))
        self._single, self._multi = dict(self._single), {k: dict(v) for k, v in self._multi.items()}
        # For each three-letter start, the lengths of the first words that begin with it, so
        # that only those prefixes of a text word are looked up (a first word shorter than
        # three letters is keyed by itself: the tagger matches it only whole).
        self._lengths: dict[str, tuple[int, ...]] = defaultdict(tuple)
        for first in {*self._single, *self._multi}:
            self._lengths[first[:3]] = tuple(sorted({*self._lengths[first[:3]], len(first)}))
        self._lengths = dict(self._lengths)
        self._han = {synonym: tuple(sorted(codes)) for synonym, codes in tagger.han_synonyms().items()}
        # Han synonyms by their first two characters, with the lengths to try from there.
        self._han_starts: dict[str, tuple[int, ...]] = defaultdict(tuple)
        for synonym in self._han:
            self._han_starts[synonym[:2]] = tuple(sorted({*self._han_starts[synonym[:2]], len(synonym)}))
        self._han_starts = dict(self._han_starts)

    def scores(self, title: str, description: str = "") -> dict[str, float]:
        return self.scores_of(_parse(title), _parse(description))

    def scores_of(self, title: "_Parsed", description: "_Parsed") -> dict[str, float]:
        totals: dict[str, float] = defaultdict(float)
        for text, factor in ((title, tagging.TITLE_WEIGHT), (description, 1.0)):
            for code, weight in self._matches(text).items():
                totals[code] += weight * factor
        return dict(totals)

    def _matches(self, text: "_Parsed") -> dict[str, float]:
        found: dict[str, dict[str, float]] = defaultdict(dict)
        runs, words = text
        for run in runs:
            self._han_matches(run, found)
        lengths = self._lengths
        for i, word in enumerate(words):
            sizes = lengths.get(word[:3])
            if sizes:
                self._word_matches(words, i, sizes, found)
        return {code: tagging.distinct_weight(synonyms) for code, synonyms in found.items()}

    def _word_matches(self, words: list[str], i: int, sizes: tuple[int, ...], found: dict[str, dict[str, float]]) -> None:
        word = words[i]
        following = words[i + 1] if i + 1 < len(words) else None
        for size in sizes:
            # A first word shorter than three letters matches only a whole word (as in the tagger).
            if size > len(word) or (size < 3 and size != len(word)):
                continue
            key = word[:size]
            for topic, weight, name in self._single.get(key, ()):
                found[topic][name] = weight
            by_second = self._multi.get(key)
            if by_second is None or following is None:
                continue
            for second in {following[:1], following[:2], following[:3]}:
                for topic, rest, weight, name in by_second.get(second, ()):
                    if _continues(words, i + 1, rest):
                        found[topic][name] = weight

    def _han_matches(self, run: str, found: dict[str, dict[str, float]]) -> None:
        starts = self._han_starts
        for i in range(len(run) - 1):
            sizes = starts.get(run[i : i + 2])
            if not sizes:
                continue
            for n in sizes:
                codes = self._han.get(run[i : i + n]) if i + n <= len(run) else None
                if codes:
                    for code in codes:
                        # Two Han characters carry about as much as a short word (as in the tagger).
                        found[code][run[i : i + n]] = 2.5 * n


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


def _continues(words: list[str], start: int, rest: tuple[str, ...]) -> bool:
    if start + len(rest) > len(words):
        return False
    return all(words[start + j].startswith(part) for j, part in enumerate(rest))


@dataclass
class _Analysis:
    """What a fit learns of one kind of listing before the IDF is known."""

    profiles: list["_Profile"]
    counts: list[tuple[np.ndarray, np.ndarray, np.ndarray]]  # per batch: indptr, indices, counts
    df: np.ndarray  # documents per hashed n-gram


@dataclass
class _Block:
    """Vectors of a set of listings of one kind (the fitted needs, the fitted capabilities, or a query)."""

    docs: list[ListingDoc]
    ids: np.ndarray  # listing ids
    org_ids: np.ndarray  # organisation ids, for the same-organisation rule
    org_rows: np.ndarray  # row in the engine's organisation tables (unknown organisation: the empty last row)
    side: np.ndarray
    anywhere: np.ndarray
    # The text sketch (unit rows of SKETCH_DIM columns) in two contiguous parts: the
    # candidate proxy reads only the head, and a contiguous head multiplies faster.
    text_head: np.ndarray  # n x PROXY_TEXT_DIM
    text_tail: np.ndarray  # n x (SKETCH_DIM - PROXY_TEXT_DIM)
    rest: np.ndarray  # n x (topics | sibling | domain | concept | fit blocks)
    low: np.ndarray  # budget or price range, NaN when not given
    high: np.ndarray
    fit_ids: np.ndarray  # per row: the engine's number for its (stage, TRL, organisation kind)
    money: np.ndarray  # a budget or price was given
    staged: np.ndarray  # a need's stage or a capability's TRL was given
    # Rows are ordered by border group (see _group_of); bounds[g] is where group g starts.
    bounds: np.ndarray
    org_members: dict[int, np.ndarray]  # organisation id -> its rows, for the same-organisation rule

    def group_rows(self, group: int) -> np.ndarray:
        return np.arange(self.bounds[group], self.bounds[group + 1])

    def allowed(self, side: int, anywhere: bool) -> tuple[int, int]:
        """The rows a listing of this side and audience may be matched with, as one range.

        Groups are ordered China/other side, China/anywhere, CEE/anywhere,
        CEE/other side, so the other side plus the same side's "anywhere"
        listings are always contiguous: no mask over all pairs is needed.
        """
        b = self.bounds
        if side == SIDES["china"]:
            return (int(b[1]) if anywhere else int(b[2])), int(b[4])
        return int(b[0]), (int(b[3]) if anywhere else int(b[2]))


class MatchEngine:
    def __init__(
        self, taxonomy: TaxonomyData, *, weights: Weights = WEIGHTS, sister_cities: set[frozenset[str]] | frozenset = frozenset()
    ) -> None:
        self.taxonomy = taxonomy
        self.weights = weights
        self.tagger = Tagger(taxonomy)
        self._topic_codes = [t.code for t in taxonomy.topics.values() if not t.is_domain]
        self._domain_codes = [t.code for t in taxonomy.topics.values() if t.is_domain]
        self._topic_col = {code: i for i, code in enumerate(self._topic_codes)}
        self._domain_col = {code: i for i, code in enumerate(self._domain_codes)}
        self._topic_domain = np.array(
            [self._domain_col.get(taxonomy.topics[c].domain, -1) for c in self._topic_codes], dtype=np.int64
        )
        self._sister_cities = [frozenset(c.strip().lower() for c in pair) for pair in sister_cities]
        self._sister_city_col = {city: i for i, city in enumerate(sorted({c for pair in self._sister_cities for c in pair}))}
        self._sisters_of: dict[str, list[int]] = defaultdict(list)
        for pair in self._sister_cities:
            for city in pair:
                self._sisters_of[city].extend(self._sister_city_col[c] for c in pair if c != city)
        self._layout = _Layout(len(self._topic_codes), len(self._domain_codes), len(self._sister_city_col))
        self._colw = self._layout.column_weights(weights)
        self._synonyms = _SynonymIndex(self.tagger)
        self._stems = _StemIndex(taxonomy, weights)
        self._reasons = _Reasons(self)
        rng = np.random.default_rng(SKETCH_SEED)
        self._sketch_dim = rng.integers(0, SKETCH_DIM, HASH_FEATURES, dtype=np.int32)
        self._sketch_sign = rng.choice(np.array([-1.0, 1.0], dtype=np.float32), HASH_FEATURES)
        self._idf = np.ones(HASH_FEATURES, dtype=np.float32)
        self._org_tables = _OrgTables.empty(len(self._topic_codes), len(self._domain_codes))
        self._needs: _Block | None = None
        self._capabilities: _Block | None = None

    # --- fitting --------------------------------------------------------------------------------

    def fit(self, needs: Sequence[ListingDoc], capabilities: Sequence[ListingDoc]) -> None:
        """Vectorise every listing once; the organisation tables (reciprocity) come from all of them."""
        _check_kind(needs, "need")
        _check_kind(capabilities, "capability")
        # Rows ordered by border group from the start, so that nothing is reordered (copied) later.
        needs, capabilities = _by_group(needs), _by_group(capabilities)
        self._needs = self._capabilities = None  # let the previous fit's matrices go first
        need_analysis, capability_analysis = self._analyse(needs), self._analyse(capabilities)
        # IDF over both kinds: a word common among capabilities is no evidence for a need either.
        self._idf = _idf(need_analysis.df + capability_analysis.df, len(needs) + len(capabilities))
        self._org_tables = _OrgTables.build(
            needs, need_analysis.profiles, capabilities, capability_analysis.profiles, len(self._topic_codes),
            len(self._domain_codes), self._topic_domain,
        )
        self._needs = self._block(needs, need_analysis, "need")
        self._capabilities = self._block(capabilities, capability_analysis, "capability")

    def _analyse(self, docs: Sequence[ListingDoc]) -> "_Analysis":
        """Topic profiles and hashed n-gram counts, a batch at a time (see ANALYSIS_BATCH).

        Counts are kept compact (uint8, int32) until the IDF is known: they are
        the largest thing a fit holds, several times the size of the sketches."""
        analysis = _Analysis([], [], np.zeros(HASH_FEATURES, dtype=np.int64))
        for start in range(0, len(docs), ANALYSIS_BATCH):
            parsed = [(_parse(d.title), _parse(d.description)) for d in docs[start : start + ANALYSIS_BATCH]]
            analysis.profiles.extend(self._profile(d, *p) for d, p in zip(docs[start : start + ANALYSIS_BATCH], parsed))
            counts = ngram_counts([_cleaned(title) + _cleaned(description) for title, description in parsed])
            analysis.df += np.bincount(counts.indices, minlength=HASH_FEATURES)  # indices are unique per row
            analysis.counts.append(
                (counts.indptr.astype(np.int32), counts.indices.astype(np.int32), np.minimum(counts.data, 255).astype(np.uint8))
            )
        return analysis

    def _profile(self, doc: ListingDoc, title: "_Parsed", description: "_Parsed") -> "_Profile":
        exact = self._synonyms.scores_of(title, description)
        soft = self._stems.scores(title, description)
        return _Profile.of(doc, exact, soft, self._topic_col, self._domain_col, self.weights)

    @staticmethod
    def _fit_id(doc: ListingDoc) -> int:
        """(stage, TRL, organisation kind) as one number; _fit_facts reads it back.
        A pure encoding, not a registry, so that concurrent queries share no state."""
        stage = _STAGES.index(doc.stage) if doc.stage in _STAGES else len(_STAGES)
        trl = doc.trl if doc.trl and 1 <= doc.trl <= 9 else 0
        return (stage * 10 + trl) * len(ORGANISATION_KINDS) + _kind_index(doc.organisation_kind)

    def _block(self, docs: list[ListingDoc], analysis: "_Analysis", role: str) -> _Block:
        """The vectors of listings already ordered by border group (see _by_group)."""
        profiles, n = analysis.profiles, len(docs)
        groups = np.array([_group_of(d) for d in docs], dtype=np.int64)
        org_rows = np.array([self._org_tables.row(d.organisation_id) for d in docs], dtype=np.int64)
        rest = self._layout.build(
            docs, profiles, role, self._topic_domain, org_rows, self._org_tables, [self._sister_cols(d) for d in docs],
            self.weights,
        )
        analysis.profiles = []  # all in `rest` now: the reasons read topics from there
        head = np.empty((n, PROXY_TEXT_DIM), dtype=np.float32)
        tail = np.empty((n, SKETCH_DIM - PROXY_TEXT_DIM), dtype=np.float32)
        row = 0
        while analysis.counts:
            indptr, indices, counts = analysis.counts.pop(0)  # freed batch by batch
            sketch = self._sketch(indptr, indices, counts)
            head[row : row + len(sketch)], tail[row : row + len(sketch)] = sketch[:, :PROXY_TEXT_DIM], sketch[:, PROXY_TEXT_DIM:]
            row += len(sketch)
        return _Block(
            docs=docs,
            ids=np.array([d.id for d in docs], dtype=np.int64),
            org_ids=np.array([d.organisation_id for d in docs], dtype=np.int64),
            org_rows=org_rows,
            side=np.array([_side_code(d.side) for d in docs], dtype=np.int8),
            anywhere=np.array([d.audience == "anywhere" for d in docs], dtype=bool),
            text_head=head,
            text_tail=tail,
            rest=rest,
            low=np.array([_nan(d.budget_min) for d in docs], dtype=np.float64),
            high=np.array([_nan(d.budget_max) for d in docs], dtype=np.float64),
            fit_ids=np.array([self._fit_id(d) for d in docs], dtype=np.int64),
            money=np.array([_known(d.budget_min, d.budget_max) for d in docs], dtype=bool),
            staged=np.array([bool(d.stage if role == "need" else d.trl) for d in docs], dtype=bool),
            bounds=np.searchsorted(groups, np.arange(GROUPS + 1), side="left"),
            org_members=_members([d.organisation_id for d in docs]),
        )

    def _sister_cols(self, doc: ListingDoc) -> tuple[int | None, list[int]]:
        """The column of the listing's own city and those of its sister cities (both may be empty)."""
        city = doc.city.strip().lower()
        own = self._sister_city_col.get(city)
        return own, self._sisters_of.get(city, [])

    def _sketch(self, indptr: np.ndarray, indices: np.ndarray, counts: np.ndarray) -> np.ndarray:
        """Sublinear TF-IDF, unit length, then a count sketch into SKETCH_DIM dense columns."""
        n = len(indptr) - 1
        data = (1.0 + np.log(counts.astype(np.float32))) * self._idf[indices]
        tfidf = normalize(sparse.csr_matrix((data, indices, indptr), shape=(n, HASH_FEATURES)), copy=False)
        sketched = sparse.csr_matrix(
            (tfidf.data * self._sketch_sign[indices], self._sketch_dim[indices], indptr), shape=(n, SKETCH_DIM)
        ).toarray()
        norms = np.linalg.norm(sketched, axis=1, keepdims=True)
        return np.divide(sketched, norms, out=np.zeros_like(sketched), where=norms > 0)

    # --- matching -------------------------------------------------------------------------------

    def top_for_need(self, need: ListingDoc, k: int = 10) -> list[ScoredMatch]:
        """The best capabilities for a need, fitted or new (scored against the fitted capabilities)."""
        _check_kind([need], "need")
        query = self._query(need, "need")
        with _one_blas_thread():
            return self._score(query, np.array([0]), self._fitted(self._capabilities), k, query_is_need=True)[0]

    def top_for_capability(self, capability: ListingDoc, k: int = 10) -> list[ScoredMatch]:
        """The needs a capability answers best, fitted or new (scored against the fitted needs)."""
        _check_kind([capability], "capability")
        query = self._query(capability, "capability")
        with _one_blas_thread():
            return self._score(query, np.array([0]), self._fitted(self._needs), k, query_is_need=False)[0]

    def all_top(self, k: int = 10) -> Iterator[tuple[int, list[ScoredMatch]]]:
        """Every fitted need's top k, computed CHUNK needs at a time (memory stays flat).

        Needs come grouped by side and audience (China first), in fitted order within a group."""
        needs, capabilities = self._fitted(self._needs), self._fitted(self._capabilities)
        for group in range(GROUPS):
            rows = needs.group_rows(group)
            for start in range(0, len(rows), CHUNK):
                chunk = rows[start : start + CHUNK]
                with _one_blas_thread():  # not held across the yields: the caller's code runs as it likes
                    scored = self._score(needs, chunk, capabilities, k, query_is_need=True)
                for row, matches in zip(chunk, scored):
                    yield int(needs.ids[row]), matches

    def _fitted(self, block: _Block | None) -> _Block:
        if block is None:
            raise RuntimeError("call fit() before asking for matches")
        return block

    def _query(self, doc: ListingDoc, role: str) -> _Block:
        # The same path as fit, for one listing: a new listing gets exactly what a fitted one would.
        return self._block([doc], self._analyse([doc]), role)

    def _score(
        self, queries: _Block, rows: np.ndarray, targets: _Block, k: int, *, query_is_need: bool
    ) -> list[list[ScoredMatch]]:
        """Score query rows that share a border group against the targets they may meet."""
        low, high = targets.allowed(int(queries.side[rows[0]]), bool(queries.anywhere[rows[0]]))
        if high <= low or k <= 0:
            return [[] for _ in rows]
        w = self.weights
        # The proxy's text part reads only the first PROXY_TEXT_DIM sketch columns (a coarser,
        # still unbiased estimate once scaled up): a quarter of the product that dominates the
        # time. The candidates then get the cosine over all SKETCH_DIM columns.
        scale = np.float32(w.text / w.text_full * SKETCH_DIM / PROXY_TEXT_DIM)
        proxy = (queries.rest[rows] * self._colw) @ targets.rest[low:high].T
        proxy += (queries.text_head[rows] * scale) @ targets.text_head[low:high].T
        self._exclude_own_organisation(proxy, queries, rows, targets, low, high)
        n_candidates = min(CANDIDATES, high - low)
        candidates = np.argpartition(proxy, proxy.shape[1] - n_candidates, axis=1)[:, -n_candidates:]
        valid = np.isfinite(np.take_along_axis(proxy, candidates, axis=1))
        del proxy
        candidates += low
        pair_text = np.einsum("qd,qkd->qk", queries.text_head[rows], targets.text_head[candidates])
        pair_text += np.einsum("qd,qkd->qk", queries.text_tail[rows], targets.text_tail[candidates])
        query_rows = rows[:, None]
        if query_is_need:
            signals = self._exact(queries, query_rows, targets, candidates, pair_text)
        else:
            signals = self._exact(targets, candidates, queries, query_rows, pair_text)
        return self._select(signals, valid, queries, rows, targets, candidates, k, query_is_need)

    @staticmethod
    def _exclude_own_organisation(
        proxy: np.ndarray, queries: _Block, rows: np.ndarray, targets: _Block, low: int, high: int
    ) -> None:
        for i, org in enumerate(queries.org_ids[rows].tolist()):
            members = targets.org_members.get(org)
            if members is not None:
                members = members[(members >= low) & (members < high)]
                proxy[i, members - low] = -np.inf

    def _exact(self, needs: _Block, n: np.ndarray, caps: _Block, c: np.ndarray, pair_text: np.ndarray) -> dict[str, np.ndarray]:
        """Every signal (0..1) of the candidate pairs; n and c broadcast to the candidates' shape."""
        w, layout = self.weights, self._layout
        # One product of the two rows for all the blocks; each signal reduces its own columns.
        product = needs.rest[n] * caps.rest[c]
        same = product[..., layout.topics].max(axis=-1, initial=0.0)
        sibling = product[..., layout.sibling].max(axis=-1, initial=0.0)
        domain = product[..., layout.domain].max(axis=-1, initial=0.0)
        signals = {
            "topic": np.maximum(same, np.maximum(w.sibling_topic * sibling, w.same_domain * domain)),
            "concept": np.clip(product[..., layout.concept].sum(axis=-1), 0.0, 1.0),
            "text": np.clip(pair_text / w.text_full, 0.0, 1.0),
            "budget": _budget_fit(needs.low[n], needs.high[n], caps.low[c], caps.high[c], w),
            "maturity": product[..., layout.maturity].sum(axis=-1),
            "organisation": product[..., layout.kind].sum(axis=-1),
            "reciprocity": self._org_tables.reciprocity(needs.org_rows[n], caps.org_rows[c], w),
            "sister_city": np.clip(product[..., layout.sister].sum(axis=-1), 0.0, 1.0),
            "_same": same, "_sibling": sibling, "_domain": domain,
        }
        return {name: np.broadcast_to(np.asarray(value, dtype=np.float64), pair_text.shape) for name, value in signals.items()}

    def _select(
        self, signals: dict[str, np.ndarray], valid: np.ndarray, queries: _Block, rows: np.ndarray, targets: _Block,
        candidates: np.ndarray, k: int, query_is_need: bool,
    ) -> list[list[ScoredMatch]]:
        parts = self._contributions(signals)
        score = np.round(parts.sum(axis=-1), ROUNDING)
        keep = valid & (score >= self.weights.min_score)
        # Best first; ties by id so that every run (and every chunking) orders them the same way.
        order = np.lexsort((targets.ids[candidates], -np.where(keep, score, -1.0)), axis=1)[:, :k]
        query_index, rank = np.nonzero(np.take_along_axis(keep, order, axis=1))
        pick = order[query_index, rank]
        picked = {name: value[query_index, pick] for name, value in signals.items()}
        if query_is_need:
            need_rows, cap_rows, need_block, cap_block = rows[query_index], candidates[query_index, pick], queries, targets
        else:
            need_rows, cap_rows, need_block, cap_block = candidates[query_index, pick], rows[query_index], targets, queries
        reasons = self._reasons.for_pairs(picked, need_block, need_rows, cap_block, cap_rows)
        results: list[list[ScoredMatch]] = [[] for _ in rows]
        # Everything a ScoredMatch holds, as Python lists in one go (indexing numpy per value is slow).
        for q, match in zip(query_index.tolist(), _scored_matches(
            need_block.ids[need_rows], cap_block.ids[cap_rows], score[query_index, pick], parts[query_index, pick],
            reasons, self.weights.SIGNALS,
        )):
            results[q].append(match)
        return results

    def _contributions(self, signals: dict[str, np.ndarray]) -> np.ndarray:
        """Weighted signals (last axis in Weights.SIGNALS order); fit signals are scaled
        by how relevant the pair is (see weights.relevance_full)."""
        w = self.weights
        relevance = sum(w.signal_weight(s) * signals[s] for s in w.RELEVANCE)
        relevance_share = relevance / sum(w.signal_weight(s) for s in w.RELEVANCE)
        gate = np.clip(relevance_share / w.relevance_full, 0.0, 1.0)
        return np.round(
            np.stack([w.signal_weight(s) * signals[s] * (1.0 if s in w.RELEVANCE else gate) for s in w.SIGNALS], axis=-1),
            ROUNDING,
        )

    # --- labels for reasons ---------------------------------------------------------------------

    def topic_label(self, code: str, language: str) -> str:
        topic = self.taxonomy.topics.get(code)
        return topic.label(language) if topic else code


@dataclass
class _Profile:
    topics: dict[int, float]  # topic column -> weight (explicit 1, inferred relative to the best)
    domains: dict[int, float]  # domain column -> weight, for explicit domain codes
    concept: dict[int, float]  # topic column -> damped synonym evidence (unit length)

    @classmethod
    def of(
        cls, doc: ListingDoc, exact: dict[str, float], soft: dict[str, float], topic_col: dict[str, int],
        domain_col: dict[str, int], w: Weights,
    ) -> "_Profile":
        # Soft evidence is noisier than the tagger's: beside the tagger's topics it counts for less.
        tagged = _inferred_topics(exact)
        topics = {topic_col[code]: weight * (w.soft_beside if tagged else 1.0) for code, weight in _soft_topics(soft, w)}
        for code, weight in tagged:
            topics[topic_col[code]] = max(weight, topics.get(topic_col[code], 0.0))
        domains: dict[int, float] = {}
        for code in doc.topics:
            if code in topic_col:
                topics[topic_col[code]] = 1.0
            elif code in domain_col:
                domains[domain_col[code]] = 1.0
        return cls(topics, domains, _concept(exact, soft, topic_col, w))


def _concept(exact: dict[str, float], soft: dict[str, float], topic_col: dict[str, int], w: Weights) -> dict[int, float]:
    """Unit vector of synonym evidence per topic column."""
    evidence: dict[int, float] = defaultdict(float)
    for code, score in exact.items():
        evidence[topic_col[code]] += score
    for code, score in soft.items():
        evidence[topic_col[code]] += w.soft_concept * score
    # Square roots damp the advantage of long synonyms and repetitions over breadth of evidence.
    damped = {col: math.sqrt(v) for col, v in evidence.items() if v > 0}
    length = math.sqrt(sum(v * v for v in damped.values()))
    return {col: v / length for col, v in sorted(damped.items())} if length else {}


def _soft_topics(soft: dict[str, float], w: Weights) -> list[tuple[str, float]]:
    """Topics with enough soft evidence, weighted `soft_topic` relative to the best of them."""
    if not soft:
        return []
    best = max(soft.values())
    if best < w.soft_min:
        return []
    ranked = sorted(soft.items(), key=lambda kv: (-kv[1], kv[0]))[: tagging.MAX_TOPICS]
    return [(code, w.soft_topic * score / best) for code, score in ranked if score >= w.soft_min and score >= best * 0.5]


class _StemIndex:
    """Soft topic evidence: synonym word stems and Han bigrams specific to one or two topics.

    The tagger wants a synonym's words in order; people write "kamerave" for
    "kamera", "景观照明" for "城市照明". A stem (the first letters of a word) or a
    pair of Han characters that only one or two topics' synonyms contain is
    weaker evidence than a whole synonym, but evidence all the same.
    """

    def __init__(self, taxonomy: TaxonomyData, w: Weights) -> None:
        self._length = w.soft_stem
        topics_of: dict[str, set[str]] = defaultdict(set)
        for topic in taxonomy.topics.values():
            if topic.is_domain:
                continue
            for language, synonyms in topic.synonyms.items():
                for synonym in (*synonyms, topic.labels.get(language, "")):
                    for feature in self._features(synonym):
                        topics_of[feature].add(topic.code)
        self._topics = {
            feature: (tuple(sorted(codes)), 1.0 / len(codes))
            for feature, codes in topics_of.items()
            if len(codes) <= w.soft_max_topics
        }

    def _features(self, text: str | "_Parsed") -> set[str]:
        runs, words = _parse(text) if isinstance(text, str) else text
        found = set()
        for run in runs:
            found.update(run[i : i + 2] for i in range(len(run) - 1))
        size = self._length
        found.update(word[:size] for word in words if len(word) >= size)
        return found

    def scores(self, title: str | "_Parsed", description: str | "_Parsed" = "") -> dict[str, float]:
        """Distinct soft features per topic (a feature two topics share counts half for each).

        The title is not counted twice here, unlike the tagger's synonyms: one
        stem in a title is too little to infer a topic from."""
        totals: dict[str, float] = defaultdict(float)
        for feature in sorted(self._features(title) | self._features(description)):
            entry = self._topics.get(feature)
            if entry is not None:
                codes, share = entry
                for code in codes:
                    totals[code] += share
        return dict(totals)


def _inferred_topics(scores: dict[str, float]) -> list[tuple[str, float]]:
    """The topics Tagger.tag would pick from these scores, each weighted relative to the best.

    Applies the tagger's own thresholds to scores computed once (tag() would
    compute them again, and the concept channel needs the scores anyway).
    """
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    if not ranked or ranked[0][1] < tagging.MIN_SCORE:
        return []
    best = ranked[0][1]
    return [
        (code, score / best)
        for code, score in ranked[: tagging.MAX_TOPICS]
        if score >= tagging.MIN_SCORE and score >= best * tagging.RELATIVE_FLOOR
    ]


class _Layout:
    """Column blocks of the `rest` matrix. A need's row and a capability's row are
    built so that their dot product, with column_weights, approximates the
    weighted score: the need holds a fit table's row, the capability a one-hot."""

    def __init__(self, n_topics: int, n_domains: int, n_sister: int) -> None:
        sizes = {
            "topics": n_topics, "sibling": n_domains, "domain": n_domains, "concept": n_topics,
            "budget": len(BUDGET_EDGES) + 2, "maturity": 10, "kind": len(ORGANISATION_KINDS),
            "reciprocity": n_domains, "sister": n_sister,
        }
        start = 0
        for name, size in sizes.items():
            setattr(self, name, slice(start, start + size))
            start += size
        self.width = start

    def column_weights(self, w: Weights) -> np.ndarray:
        cols = np.zeros(self.width, dtype=np.float32)
        # Differences make the sum exact for 0/1 topics: same topic 1, sibling only w.sibling_topic, domain only w.same_domain.
        cols[self.topics] = w.topic * (1.0 - w.sibling_topic)
        cols[self.sibling] = w.topic * (w.sibling_topic - w.same_domain)
        cols[self.domain] = w.topic * w.same_domain
        cols[self.concept] = w.concept
        cols[self.budget] = w.budget * PROXY_FIT_SHARE
        cols[self.maturity] = w.maturity * PROXY_FIT_SHARE
        cols[self.kind] = w.organisation * PROXY_FIT_SHARE
        cols[self.reciprocity] = w.reciprocity * w.reciprocity_domain * PROXY_FIT_SHARE
        cols[self.sister] = w.sister_city * PROXY_FIT_SHARE
        return cols

    def build(
        self, docs: Sequence[ListingDoc], profiles: Sequence[_Profile], role: str, topic_domain: np.ndarray,
        org_rows: np.ndarray, orgs: "_OrgTables", sisters: list[tuple[int | None, list[int]]], w: Weights,
    ) -> np.ndarray:
        """The rows of listings of one role, block by block (vectorised where the rows allow)."""
        rest = np.zeros((len(docs), self.width), dtype=np.float32)
        self._topic_blocks(rest, profiles, topic_domain)
        if role == "need":
            self._need_fit(rest, docs, org_rows, orgs, sisters, w)
        else:
            self._capability_fit(rest, docs, org_rows, orgs, sisters)
        return rest

    def _topic_blocks(self, rest: np.ndarray, profiles: Sequence[_Profile], topic_domain: np.ndarray) -> None:
        topics, sibling, domain, concept = (rest[:, b] for b in (self.topics, self.sibling, self.domain, self.concept))
        for row, profile in enumerate(profiles):
            for col, weight in profile.topics.items():
                topics[row, col] = weight
                d = topic_domain[col]
                if d >= 0 and weight > sibling[row, d]:
                    sibling[row, d] = weight
            for col, value in profile.concept.items():
                concept[row, col] = value
        domain[:] = sibling
        for row, profile in enumerate(profiles):
            for d, weight in profile.domains.items():
                domain[row, d] = max(domain[row, d], weight)

    def _need_fit(self, rest, docs, org_rows, orgs, sisters, w: Weights) -> None:
        """A need holds, per column, the fit of a capability that would be one-hot there."""
        rest[:, self.budget] = _budget_rows([d.budget_min for d in docs], [d.budget_max for d in docs], w)
        table = np.array([_maturity_row(stage, w) for stage in (None, "pilot", "scale_up")], dtype=np.float32)
        rest[:, self.maturity] = table[[{"pilot": 1, "scale_up": 2}.get(d.stage or "", 0) for d in docs]]
        kinds = np.array([[ORGANISATION_FIT[a][b] for b in ORGANISATION_KINDS] for a in ORGANISATION_KINDS], dtype=np.float32)
        rest[:, self.kind] = kinds[[_kind_index(d.organisation_kind) for d in docs]]
        rest[:, self.reciprocity] = orgs.capability_domains[org_rows]
        sister = rest[:, self.sister]
        for row, (_own, cities) in enumerate(sisters):
            sister[row, cities] = 1.0

    def _capability_fit(self, rest, docs, org_rows, orgs, sisters) -> None:
        rows = np.arange(len(docs))
        rest[rows, self.budget.start + np.array([_budget_bin(d) for d in docs], dtype=np.int64)] = 1.0
        trl = np.array([d.trl if d.trl and 1 <= d.trl <= 9 else 0 for d in docs], dtype=np.int64)
        rest[rows, self.maturity.start + trl] = 1.0
        rest[rows, self.kind.start + np.array([_kind_index(d.organisation_kind) for d in docs], dtype=np.int64)] = 1.0
        rest[:, self.reciprocity] = orgs.need_domains[org_rows]
        for row, (own, _cities) in enumerate(sisters):
            if own is not None:
                rest[row, self.sister.start + own] = 1.0


@dataclass
class _OrgTables:
    """What each organisation needs and offers (topics and domains), for reciprocity.
    The last row is empty: it stands for an organisation the fit has not seen."""

    rows: dict[int, int]
    need_topics: np.ndarray
    need_domains: np.ndarray
    capability_topics: np.ndarray
    capability_domains: np.ndarray

    @classmethod
    def empty(cls, n_topics: int, n_domains: int) -> "_OrgTables":
        return cls({}, np.zeros((1, n_topics), bool), np.zeros((1, n_domains), np.float32),
                   np.zeros((1, n_topics), bool), np.zeros((1, n_domains), np.float32))

    @classmethod
    def build(
        cls, needs: Sequence[ListingDoc], need_profiles: list[_Profile], capabilities: Sequence[ListingDoc],
        capability_profiles: list[_Profile], n_topics: int, n_domains: int, topic_domain: np.ndarray,
    ) -> "_OrgTables":
        orgs = sorted({d.organisation_id for d in (*needs, *capabilities)})
        rows = {org: i for i, org in enumerate(orgs)}
        tables = cls(rows, *(np.zeros((len(orgs) + 1, size), dtype) for size, dtype in
                             ((n_topics, bool), (n_domains, np.float32), (n_topics, bool), (n_domains, np.float32))))
        for docs, profiles, topics, domains in (
            (needs, need_profiles, tables.need_topics, tables.need_domains),
            (capabilities, capability_profiles, tables.capability_topics, tables.capability_domains),
        ):
            for doc, profile in zip(docs, profiles):
                r = rows[doc.organisation_id]
                for col, weight in profile.topics.items():
                    if weight >= RECIPROCITY_MIN_WEIGHT:
                        topics[r, col] = True
                        if topic_domain[col] >= 0:
                            domains[r, topic_domain[col]] = 1.0
                for d in profile.domains:
                    domains[r, d] = 1.0
        return tables

    def row(self, organisation_id: int) -> int:
        return self.rows.get(organisation_id, len(self.rows))

    def reciprocity(self, need_org: np.ndarray, cap_org: np.ndarray, w: Weights) -> np.ndarray:
        """1 when the capability's organisation needs a topic the need's organisation offers,
        w.reciprocity_domain when they only meet in a domain, else 0."""
        topic = (self.capability_topics[need_org] & self.need_topics[cap_org]).any(axis=-1)
        domain = (self.capability_domains[need_org] * self.need_domains[cap_org]).max(axis=-1) > 0
        return np.where(topic, 1.0, np.where(domain, w.reciprocity_domain, 0.0))


# Fit codes at or above this have the sister-city phrase, which names the two cities.
_SISTER_BIT = 3 * 2 * 2 * 2


class _Reasons:
    """Short English and Chinese phrases from the signals that carried a proposal.

    Phrases depend on a few discrete facts per pair: the level of the topic
    hierarchy and the topics (or domain) it names, the wording flag, which fit
    phrases apply, the stage, TRL and kinds. These are found with numpy for all
    the chunk's proposals at once, and the phrases are composed once per
    distinct combination (a full rematch: 200,000 proposals, a few thousand
    compositions), which keeps the per-proposal Python work to building it.
    """

    _WORDING = ((), ("similar wording",), ("similar concepts",)), ((), ("描述用语相近",), ("概念相近",))
    NAMED = 4  # shared topics listed in matched_topics at most

    def __init__(self, engine: MatchEngine) -> None:
        self.engine = engine
        self._topic_cache: dict[tuple, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {}

    def for_pairs(
        self, v: dict[str, np.ndarray], needs: _Block, n: np.ndarray, caps: _Block, c: np.ndarray
    ) -> list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]:
        """(matched topics, reasons in English, reasons in Chinese) of each pair (need row n, capability row c)."""
        if len(n) == 0:
            return []
        level, wording, fit = self._codes(v, needs, n, caps, c)
        named = self._named(level, needs.rest[n], caps.rest[c])
        topic_rows, topic_of = np.unique(np.column_stack([level, named]), axis=0, return_inverse=True)
        topics = [self._topics(row[0], tuple(row[1:])) for row in topic_rows.tolist()]
        # Only the sister-city phrase names something of the pair itself (the cities): such pairs stay apart.
        own = np.where(fit >= _SISTER_BIT, np.arange(len(n)), -1)
        # The facts a fit phrase names count only where it is said (stage and TRL if mature, kinds if typical).
        mature, typical = (fit // 3) % 2 == 1, (fit // 6) % 2 == 1
        kinds = len(ORGANISATION_KINDS)
        need_ids, cap_ids = needs.fit_ids[n], caps.fit_ids[c]
        need_fit = np.where(mature, need_ids - need_ids % kinds, 0) + np.where(typical, need_ids % kinds, 0)
        cap_fit = np.where(mature, cap_ids - cap_ids % kinds, 0) + np.where(typical, cap_ids % kinds, 0)
        fit_rows, fit_of = np.unique(np.column_stack([wording, fit, need_fit, cap_fit, own]), axis=0, return_inverse=True)
        fits = [self._fit(row, needs, n, caps, c) for row in fit_rows.tolist()]
        return [
            (topic[0], topic[1] + fit_part[0], topic[2] + fit_part[1])
            for topic, fit_part in zip(
                [topics[i] for i in topic_of.reshape(-1).tolist()], [fits[i] for i in fit_of.reshape(-1).tolist()]
            )
        ]

    def _topics(self, level: int, named: tuple[int, ...]) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        key = (level, named)
        if key not in self._topic_cache:
            if len(self._topic_cache) > 50_000:  # bounded for a long-lived engine
                self._topic_cache.clear()
            self._topic_cache[key] = _topic_phrases(self.engine, level, named)
        return self._topic_cache[key]

    def _fit(
        self, row: list[int], needs: _Block, n: np.ndarray, caps: _Block, c: np.ndarray
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        wording, fit, need_fit, cap_fit, pair = row
        cities = (needs.docs[n[pair]].city, caps.docs[c[pair]].city) if pair >= 0 else None
        en, zh = _fit_phrases(fit, _fit_facts(need_fit), _fit_facts(cap_fit), cities)
        return self._WORDING[0][wording] + en, self._WORDING[1][wording] + zh

    def _codes(self, v, needs: _Block, n, caps: _Block, c) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per pair: hierarchy level (0 none, 1 same topic, 2 sibling, 3 domain), wording, fit code."""
        w = self.engine.weights
        topic = v["topic"]
        level = np.where(
            topic <= 0, 0, np.where(v["_same"] >= topic, 1, np.where(w.sibling_topic * v["_sibling"] >= topic, 2, 3))
        )
        # "similar concepts" only where no topic is named (level 0).
        wording = np.where(v["text"] >= 0.5, 1, np.where((v["concept"] >= 0.5) & (level == 0), 2, 0))
        money = needs.money[n] & caps.money[c]
        budget = np.where(~money, 0, np.where(v["budget"] >= 1.0, 1, np.where(v["budget"] >= w.budget_below, 2, 0)))
        mature = (v["maturity"] >= 0.8) & needs.staged[n] & caps.staged[c]
        typical, reciprocal, sister = v["organisation"] >= 0.8, v["reciprocity"] > 0, v["sister_city"] > 0
        return level, wording, budget + 3 * (mature + 2 * (typical + 2 * (reciprocal + 2 * sister)))

    def _named(self, level: np.ndarray, need_rest: np.ndarray, cap_rest: np.ndarray) -> np.ndarray:
        """The NAMED columns a reason names, -1 padded: shared topics best first (level 1), the
        need's and the capability's topic in the shared domain (2), the shared domain (3)."""
        layout, topic_domain = self.engine._layout, self.engine._topic_domain
        nt, ct = need_rest[:, layout.topics], cap_rest[:, layout.topics]
        named = np.full((len(level), self.NAMED), -1, dtype=np.int64)
        product = nt * ct
        order = np.argsort(-product, axis=1, kind="stable")[:, : self.NAMED]
        shared = np.where(np.take_along_axis(product, order, axis=1) > 0, order, -1)
        same = level == 1
        named[same, : shared.shape[1]] = shared[same]
        sibling = level == 2
        if sibling.any():
            pairs = np.argmax(need_rest[sibling][:, layout.sibling] * cap_rest[sibling][:, layout.sibling], axis=1)
            in_domain = topic_domain[None, :] == pairs[:, None]
            named[sibling, 0] = np.argmax(np.where(in_domain, nt[sibling], -1.0), axis=1)
            named[sibling, 1] = np.argmax(np.where(in_domain, ct[sibling], -1.0), axis=1)
        domain = level == 3
        if domain.any():
            named[domain, 0] = np.argmax(need_rest[domain][:, layout.domain] * cap_rest[domain][:, layout.domain], axis=1)
        return named


def _topic_phrases(
    engine: MatchEngine, level: int, named: tuple[int, ...]
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Matched topics and the topic reason in English and Chinese, from _Reasons._named's columns."""
    label, codes = engine.topic_label, engine._topic_codes
    if level == 1:
        shared = [codes[t] for t in named if t >= 0]
        en = "both concern " + " and ".join(label(t, "en") for t in shared[:2])
        return tuple(shared), (en,), ("都涉及" + "和".join(label(t, "zh-hans") for t in shared[:2]),)
    if level == 2:
        a, b = codes[named[0]], codes[named[1]]
        en = f"related topics: {label(a, 'en')} and {label(b, 'en')}"
        return (engine.taxonomy.domain_of(a),), (en,), (f"相关主题：{label(a, 'zh-hans')}与{label(b, 'zh-hans')}",)
    if level == 3:
        d = engine._domain_codes[named[0]]
        return (d,), (f"same field: {label(d, 'en')}",), (f"同属{label(d, 'zh-hans')}领域",)
    return (), (), ()


_STAGES = (None, "pilot", "scale_up")


def _fit_facts(fit_id: int) -> tuple[str | None, int | None, str]:
    """(stage, TRL, organisation kind) from MatchEngine._fit_id's number."""
    rest, kind = divmod(fit_id, len(ORGANISATION_KINDS))
    stage, trl = divmod(rest, 10)
    return (_STAGES[stage] if stage < len(_STAGES) else None), (trl or None), ORGANISATION_KINDS[kind]


@lru_cache(maxsize=4096)
def _fit_phrases(code: int, need: tuple, cap: tuple, cities: tuple[str, str] | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The English and Chinese fit phrases a fit code (see _Reasons.codes) stands for;
    `need` and `cap` are (stage, TRL, organisation kind)."""
    budget, code = code % 3, code // 3
    mature, code = code % 2, code // 2
    typical, code = code % 2, code // 2
    reciprocal, sister = code % 2, code // 2
    (stage, _, need_kind), (_, trl, cap_kind) = need, cap
    phrases = []
    if budget == 1:
        phrases.append(("budget fits", "预算匹配"))
    elif budget == 2:
        phrases.append(("priced below the budget", "报价低于预算"))
    if mature:
        stage_en, stage_zh = ("a pilot", "试点") if stage == "pilot" else ("scaling up", "规模化推广")
        phrases.append((f"TRL {trl} suits {stage_en}", f"技术成熟度{trl}级，适合{stage_zh}"))
    if typical:
        phrases.append((
            f"a {KIND_EN[cap_kind]} answering a {KIND_EN[need_kind]}'s need", f"{KIND_ZH[cap_kind]}回应{KIND_ZH[need_kind]}的需求",
        ))
    if reciprocal:
        phrases.append(("cooperation can go both ways", "双方互有所需，可双向合作"))
    if sister and cities:
        phrases.append((f"sister cities: {cities[0]} and {cities[1]}", f"友好城市：{cities[0]}与{cities[1]}"))
    return tuple(en for en, _ in phrases), tuple(zh for _, zh in phrases)


# --- vectorised signals and small helpers -------------------------------------------------------


def _scored_matches(need_ids, cap_ids, scores, parts, reasons, signals: tuple[str, ...]) -> Iterator[ScoredMatch]:
    new = object.__new__
    for need_id, cap_id, total, part, (matched, en, zh) in zip(
        need_ids.tolist(), cap_ids.tolist(), scores.tolist(), parts.tolist(), reasons
    ):
        # ScoredMatch is frozen; filling its __dict__ directly skips the frozen __setattr__
        # (1.9 µs instead of 3.2 µs per object, 200,000 objects in a full rematch) and
        # gives an object equal to the one the constructor would build.
        match = new(ScoredMatch)
        match.__dict__.update(
            need_id=need_id, capability_id=cap_id, score=total, contributions=dict(zip(signals, part)),
            matched_topics=matched, reasons_en=en, reasons_zh=zh,
        )
        yield match


_blas: ThreadpoolController | None = None


def _one_blas_thread():
    """Scoring runs its matrix products on one BLAS thread. The products are a third of
    the work, and OpenBLAS's second thread spin-waits after each one, taking the core
    that the rest of the scoring (numpy and Python, single-threaded) needs; with other
    processes on the machine (a Celery worker's siblings) two threads were measured
    twice as slow as one."""
    global _blas
    if _blas is None:
        _blas = ThreadpoolController()
    return _blas.limit(limits=1, user_api="blas")


def _by_group(docs: Sequence[ListingDoc]) -> list[ListingDoc]:
    return sorted(docs, key=_group_of)  # stable: the given order within a group


def _group_of(doc: ListingDoc) -> int:
    """Border group: China/other side 0, China/anywhere 1, CEE/anywhere 2, CEE/other side 3."""
    anywhere = doc.audience == "anywhere"
    return (1 if anywhere else 0) if _side_code(doc.side) == SIDES["china"] else (2 if anywhere else 3)


def _members(organisation_ids: list[int]) -> dict[int, np.ndarray]:
    rows: dict[int, list[int]] = defaultdict(list)
    for row, org in enumerate(organisation_ids):
        rows[org].append(row)
    return {org: np.array(r, dtype=np.int64) for org, r in rows.items()}


def _budget_fit(need_low, need_high, cap_low, cap_high, w: Weights) -> np.ndarray:
    """1 when the price range meets the budget, w.budget_below when cheaper than the
    need's minimum, down to 0 at 2**w.budget_octaves times the budget; neutral if unknown."""
    with np.errstate(divide="ignore", invalid="ignore"):
        low = np.where(np.isnan(need_low), 0.0, need_low)
        high = np.where(np.isnan(need_high), np.inf, need_high)
        price_low = np.where(np.isnan(cap_low), cap_high, cap_low)
        price_high = np.where(np.isnan(cap_high), cap_low, cap_high)
        over = np.clip(1.0 - np.log2(price_low / high) / w.budget_octaves, 0.0, 1.0)
        fit = np.where(price_low > high, over, np.where(price_high < low, w.budget_below, 1.0))
        known = ~(np.isnan(need_low) & np.isnan(need_high)) & ~(np.isnan(cap_low) & np.isnan(cap_high))
    return np.where(known, fit, w.neutral)


def _budget_bin(doc: ListingDoc) -> int:
    """Bin 0 for no price; then one bin per BUDGET_EDGES interval of the lowest price."""
    price = doc.budget_min if doc.budget_min is not None else doc.budget_max
    if price is None:
        return 0
    return 1 + int(np.searchsorted(BUDGET_EDGES, price, side="right"))


def _budget_rows(lows: list[int | None], highs: list[int | None], w: Weights) -> np.ndarray:
    """Per need, the budget fit of a capability priced in each bin, for the candidate proxy."""
    edges = (1_000, *BUDGET_EDGES, 100_000_000)
    centres = np.array([math.sqrt(a * b) for a, b in zip(edges[:-1], edges[1:])])[None, :]
    low = np.array([_nan(v) for v in lows], dtype=np.float64)[:, None]
    high = np.array([_nan(v) for v in highs], dtype=np.float64)[:, None]
    fits = _budget_fit(low, high, centres, centres, w)
    return np.concatenate([np.full((len(lows), 1), w.neutral), fits], axis=1)


def _maturity_row(stage: str | None, w: Weights) -> list[float]:
    table = MATURITY_FIT.get(stage or "")
    if table is None:
        return [w.neutral] * 10
    return [w.neutral] + [table[trl] for trl in range(1, 10)]


def _kind_name(kind: str) -> str:
    return kind if kind in ORGANISATION_KINDS else "other"


def _kind_index(kind: str) -> int:
    return ORGANISATION_KINDS.index(_kind_name(kind))


def _side_code(side: str) -> int:
    try:
        return SIDES[side]
    except KeyError:
        raise ValueError(f"side must be 'china' or 'cee', not {side!r}") from None


def _idf(df: np.ndarray, n: int) -> np.ndarray:
    """Smoothed IDF as scikit-learn's TfidfTransformer computes it."""
    return (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)


def _nan(value: int | None) -> float:
    return float("nan") if value is None else float(value)


def _known(low: int | None, high: int | None) -> bool:
    return low is not None or high is not None


def _check_kind(docs: Sequence[ListingDoc], kind: str) -> None:
    wrong = [d.id for d in docs if d.kind != kind]
    if wrong:
        raise ValueError(f"expected {kind} listings, got other kinds for ids {wrong[:5]}")
