"""Fitted listings as vectors (_Block, and _Analysis before the IDF is known), and
the border groups their rows are ordered by, so that the listings one may meet
across the border are a single contiguous range.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from matchmaking.engine.documents import ListingDoc
from matchmaking.engine.topics import _Profile

SIDES = {"china": 0, "cee": 1}
GROUPS = 4  # border groups, see _Block.allowed


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


def _side_code(side: str) -> int:
    try:
        return SIDES[side]
    except KeyError:
        raise ValueError(f"side must be 'china' or 'cee', not {side!r}") from None
