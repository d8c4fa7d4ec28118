"""The dense `rest` block of a listing's row (_Layout) and the cheap fit signals
behind it: organisation tables for reciprocity, and the budget, maturity and
organisation-kind fit arrays. Everything here is numbers, no text.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from matchmaking.engine.documents import ListingDoc
from matchmaking.engine.topics import _Profile
from matchmaking.weights import MATURITY_FIT, ORGANISATION_FIT, ORGANISATION_KINDS, Weights

# Fit signals enter the candidate proxy at this share: the exact score scales
# them by relevance, and a typical candidate is relevant about half-way.
PROXY_FIT_SHARE = 0.5
# Price bins (EUR) that linearise the budget fit for the candidate proxy.
BUDGET_EDGES = (10_000, 30_000, 100_000, 300_000, 1_000_000, 3_000_000, 10_000_000, 30_000_000)
# An inferred topic (or an organisation's) counts for reciprocity from this weight on.
RECIPROCITY_MIN_WEIGHT = 0.5


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


def _nan(value: int | None) -> float:
    return float("nan") if value is None else float(value)


def _known(low: int | None, high: int | None) -> bool:
    return low is not None or high is not None
