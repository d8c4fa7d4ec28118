"""What the engine takes and gives: ListingDoc (a need or a capability, as plain
data) and ScoredMatch (one proposal with its score and reasons). Plain frozen
dataclasses, so that callers need nothing else of the engine to build them."""
from __future__ import annotations

from dataclasses import dataclass


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
