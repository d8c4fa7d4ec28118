"""MatchEngine: fitting the listings, scoring candidates in chunks and selecting
the best matches. The pieces it combines live in the sibling modules.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

import numpy as np
from scipy import sparse
from sklearn.preprocessing import normalize
from threadpoolctl import ThreadpoolController

from matchmaking.engine.blocks import GROUPS, _Analysis, _Block, _by_group, _group_of, _members, _side_code
from matchmaking.engine.documents import ListingDoc, ScoredMatch
from matchmaking.engine.fit import _budget_fit, _kind_index, _known, _Layout, _nan, _OrgTables
from matchmaking.engine.reasons import _STAGES, _Reasons
from matchmaking.engine.text import HASH_FEATURES, SKETCH_DIM, SKETCH_SEED, _cleaned, _idf, _parse, _Parsed, ngram_counts
from matchmaking.engine.topics import _Profile, _StemIndex, _SynonymIndex
from matchmaking.weights import ORGANISATION_KINDS, WEIGHTS, Weights
from partners.tagging import Tagger
from partners.taxonomy import TaxonomyData

PROXY_TEXT_DIM = 128  # sketch columns the candidate proxy reads (see _score)
CHUNK = 256
CANDIDATES = 40
ROUNDING = 6
# Listings analysed per batch (n-gram counting works on a batch's code points at once).
ANALYSIS_BATCH = 1000


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


def _check_kind(docs: Sequence[ListingDoc], kind: str) -> None:
    wrong = [d.id for d in docs if d.kind != kind]
    if wrong:
        raise ValueError(f"expected {kind} listings, got other kinds for ids {wrong[:5]}")
