"""A listing's topics from its text: the tagger's synonyms through an index
(_SynonymIndex), soft stem and Han-bigram evidence (_StemIndex), and the
profile built from both (inferred and soft topics, the concept vector).
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from matchmaking.engine.documents import ListingDoc
from matchmaking.engine.text import _parse, _Parsed
from matchmaking.weights import Weights
from partners import tagging
from partners.tagging import Tagger
from partners.taxonomy import TaxonomyData


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


def _continues(words: list[str], start: int, rest: tuple[str, ...]) -> bool:
    if start + len(rest) > len(words):
        return False
    return all(words[start + j].startswith(part) for j, part in enumerate(rest))


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
