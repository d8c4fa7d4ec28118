"""Writes of matchmaking: proposals. Scoring lives in matchmaking.engine."""
from __future__ import annotations


def listing_rematch(*, kind: str, listing_id: int) -> None:
    # Filled in with the proposal model; until then publishing has nothing to recompute.
    return None
