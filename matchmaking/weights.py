"""Every number that decides how a need and a capability are scored, in one place.

A proposal's score is a sum of weighted signals, each signal between 0 and 1,
so the score is between 0 and 1 and `ScoredMatch.contributions` shows what
each signal added:

Relevance (what the listings are about):
    topic         hierarchy-aware topic overlap: 1 for a shared topic,
                  `sibling_topic` for two topics of the same domain,
                  `same_domain` when they only share a domain (a listing
                  tagged with a domain code, not a topic). Topics are the
                  listing's own plus those the Tagger infers from its text,
                  inferred secondary topics counting less than the main one.
    concept       cosine of the two listings' taxonomy-synonym hits (the
                  Tagger's scores per topic): the bridge between languages,
                  since a Polish "oświetlenie uliczne" and a Chinese "路灯"
                  hit the same topic while sharing no character.
    text          cosine of character n-gram TF-IDF vectors of the folded
                  text (Han character bigrams for Chinese), divided by
                  `text_full` and capped at 1: same-language wording, names of
                  products and standards, cognates across Slavic languages.

Fit (whether the pair could work together), each counted only in proportion
to relevance — see `relevance_full`: a perfect budget does not make an
unrelated capability a proposal.
    budget        the capability's price range against the need's budget:
                  1 when they overlap, `budget_below` when the offer is
                  cheaper than the need's minimum, falling to 0 when the price
                  is 2**`budget_octaves` times the budget; `neutral` if unknown.
    maturity      the need's stage against the capability's TRL, MATURITY_FIT.
    organisation  the need's organisation kind against the answering one,
                  ORGANISATION_FIT (a city's need answered by a company is the
                  typical case; a company's need answered by a city is odd).
    reciprocity   the capability's organisation also needs something that the
                  need's organisation offers (a shared topic, or only a shared
                  domain for `reciprocity_domain`): cooperation both ways.
    sister_city   the two organisations' cities are sister cities.

MIN_SCORE: proposals scoring below it are not returned. On the labelled sample
(tests/data), pairs that share their main topic score 0.42–0.69 (median 0.65),
sibling-topic pairs 0.09–0.36 (median 0.27), and pairs sharing no topic or
domain stay under 0.11 (95 %). So 0.25 keeps the better sibling pairs as
lower-ranked proposals and drops the rest.
"""
from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Weights:
    # Signal weights; they sum to 1 so that the score is between 0 and 1.
    topic: float = 0.30
    concept: float = 0.15
    text: float = 0.20
    budget: float = 0.10
    maturity: float = 0.09
    organisation: float = 0.06
    reciprocity: float = 0.06
    sister_city: float = 0.04

    # Topic hierarchy: the value of the topic signal for a sibling topic and a shared domain only.
    sibling_topic: float = 0.5
    same_domain: float = 0.3
    # Text cosine at which the text signal is full (character n-grams of two
    # texts on one subject in one language rarely exceed about 0.5).
    text_full: float = 0.4
    # Share of the maximum relevance (topic + concept + text) at which the fit
    # signals count fully; below it they are scaled down linearly.
    relevance_full: float = 0.5
    # Budget: offer below the need's minimum; octaves of overprice that bring the signal to 0.
    budget_below: float = 0.8
    budget_octaves: float = 2.0
    # Value of a fit signal when a listing does not say (no budget, no stage, no TRL).
    neutral: float = 0.5
    # Reciprocity when the organisations only share a domain, not a topic.
    reciprocity_domain: float = 0.5

    min_score: float = 0.25

    # Soft topic evidence, for texts the tagger's exact synonyms miss ("kamerash"
    # is not "kamera sigurie", 景观照明 is not 城市照明): word stems of `soft_stem`
    # letters and Han character bigrams taken from the synonyms, each kept only if
    # at most `soft_max_topics` topics share it. A topic with at least `soft_min`
    # of such evidence (distinct stems, a stem shared by two topics counting half,
    # and at least half the best soft topic's) is inferred with `soft_topic` times
    # its weight relative to the best; beside topics the tagger found, that is
    # multiplied by `soft_beside` (a hint, below a sibling match). In the concept
    # channel one unit of soft evidence weighs like `soft_concept` letters of an
    # exact synonym.
    soft_stem: int = 5
    soft_max_topics: int = 2
    soft_min: float = 2.0
    soft_topic: float = 0.7
    soft_concept: float = 4.0
    soft_beside: float = 0.5

    SIGNALS = ("topic", "concept", "text", "budget", "maturity", "organisation", "reciprocity", "sister_city")
    RELEVANCE = ("topic", "concept", "text")

    def __post_init__(self) -> None:
        total = sum(getattr(self, name) for name in self.SIGNALS)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"signal weights must sum to 1, not {total:.4f}")

    def signal_weight(self, name: str) -> float:
        return float(getattr(self, name))

    def replace(self, **changes: float) -> "Weights":
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Weights(**values)


WEIGHTS = Weights()
MIN_SCORE = WEIGHTS.min_score

# Need stage -> capability TRL (1..9) -> fit. A pilot wants something that
# works in a demonstration or better (TRL 6–8); a proven product (9) pilots too,
# but a pilot is where less mature solutions get their chance. Scaling up wants
# a product qualified in operation (8–9). Low TRL is research, a poor fit for both.
MATURITY_FIT: dict[str, dict[int, float]] = {
    "pilot": {1: 0.0, 2: 0.0, 3: 0.1, 4: 0.2, 5: 0.5, 6: 1.0, 7: 1.0, 8: 1.0, 9: 0.8},
    "scale_up": {1: 0.0, 2: 0.0, 3: 0.0, 4: 0.05, 5: 0.1, 6: 0.3, 7: 0.6, 8: 1.0, 9: 1.0},
}

# Need's organisation kind -> answering organisation's kind -> fit.
ORGANISATION_KINDS = ("city", "company", "think_tank", "university", "government_agency", "other")
ORGANISATION_FIT: dict[str, dict[str, float]] = {
    "city": {"city": 0.6, "company": 1.0, "think_tank": 0.7, "university": 0.8, "government_agency": 0.6, "other": 0.6},
    "company": {"city": 0.2, "company": 0.9, "think_tank": 0.6, "university": 0.9, "government_agency": 0.3, "other": 0.6},
    "think_tank": {"city": 0.5, "company": 0.7, "think_tank": 0.9, "university": 1.0, "government_agency": 0.6, "other": 0.6},
    "university": {"city": 0.5, "company": 0.9, "think_tank": 0.8, "university": 1.0, "government_agency": 0.5, "other": 0.6},
    "government_agency": {"city": 0.6, "company": 1.0, "think_tank": 0.8, "university": 0.8, "government_agency": 0.7, "other": 0.6},
    "other": {"city": 0.6, "company": 0.8, "think_tank": 0.7, "university": 0.8, "government_agency": 0.6, "other": 0.6},
}
