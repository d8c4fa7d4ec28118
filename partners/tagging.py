"""Infer taxonomy topics from free text in any of the platform's languages.

Each synonym of each topic, in every language, is folded (partners.text.fold)
and matched against the folded text: Han synonyms as substrings (Chinese has
no spaces), others as a run of word prefixes (each synonym word lightly
stemmed), so that "oświetlenie" meets "oświetlenia" and "uprava" meets "uprave". A topic's score adds the length of each
distinct synonym found (longer phrases are stronger evidence), doubled in the
title. Topics scoring at least MIN_SCORE are kept, best first, at most
MAX_TOPICS, and a topic must reach RELATIVE_FLOOR of the best one.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from partners.taxonomy import TaxonomyData
from partners.text import fold, han_runs, is_han, tokens

MIN_SCORE = 4.0
MAX_TOPICS = 4
RELATIVE_FLOOR = 0.34
TITLE_WEIGHT = 2.0


@dataclass(frozen=True)
class _Phrase:
    topic: str
    words: tuple[str, ...]
    weight: float


class Tagger:
    def __init__(self, taxonomy: TaxonomyData):
        self.taxonomy = taxonomy
        self._han: dict[str, set[str]] = defaultdict(set)  # folded Han synonym -> topics
        self._by_first: dict[str, list[_Phrase]] = defaultdict(list)  # first 3 letters -> phrases
        for topic in taxonomy.topics.values():
            if topic.is_domain:
                continue
            for language, synonyms in topic.synonyms.items():
                for synonym in [*synonyms, topic.labels.get(language, "")]:
                    self._add(topic.code, synonym)

    def _add(self, code: str, synonym: str) -> None:
        folded = fold(synonym).strip()
        if not folded:
            return
        words = tuple(tokens(folded))
        if words and all(is_han(w) for w in words):
            if len(words) >= 2:
                self._han["".join(words)].add(code)
            return
        words = tuple(w for w in words if not is_han(w))
        if not words or len(words[0]) < 3 and len(words) == 1:
            return
        weight = float(sum(len(w) for w in words))
        self._by_first[words[0][:3]].append(_Phrase(code, tuple(_stem(w) for w in words), weight))

    def phrases(self):
        """Every stemmed word phrase, with its topic and weight (for indexes built on this tagger)."""
        for phrases in self._by_first.values():
            yield from phrases

    def han_synonyms(self) -> dict[str, set[str]]:
        """Folded Han synonyms and the topics each one stands for."""
        return self._han

    def scores(self, title: str, description: str = "") -> dict[str, float]:
        totals: dict[str, float] = defaultdict(float)
        for text, factor in ((title, TITLE_WEIGHT), (description, 1.0)):
            for code, weight in self._matches(text).items():
                totals[code] += weight * factor
        return dict(totals)

    def _matches(self, text: str) -> dict[str, float]:
        """Best evidence per topic in one text: the sum over distinct synonyms found."""
        found: dict[str, dict[str, float]] = defaultdict(dict)
        for run in han_runs(text):
            for synonym, codes in self._han.items():
                if synonym in run:
                    for code in codes:
                        # Two Han characters carry about as much as a short word.
                        found[code][synonym] = 2.5 * len(synonym)
        words = [w for w in tokens(text) if not is_han(w)]
        for i, word in enumerate(words):
            for phrase in self._by_first.get(word[:3], ()):
                n = len(phrase.words)
                if i + n <= len(words) and all(words[i + j].startswith(phrase.words[j]) for j in range(n)):
                    found[phrase.topic][" ".join(phrase.words)] = phrase.weight
        # Drop synonyms contained in a longer synonym of the same topic (no double counting).
        return {code: distinct_weight(synonyms) for code, synonyms in found.items()}

    def tag(self, title: str, description: str = "") -> list[str]:
        ranked = sorted(self.scores(title, description).items(), key=lambda kv: (-kv[1], kv[0]))
        if not ranked or ranked[0][1] < MIN_SCORE:
            return []
        best = ranked[0][1]
        return [code for code, score in ranked[:MAX_TOPICS] if score >= MIN_SCORE and score >= best * RELATIVE_FLOOR]


def _stem(word: str) -> str:
    """A crude stem for prefix matching: inflected languages change the last one or
    two letters ("uprava" → "uprave", "parkiranje" → "parkiranja")."""
    if len(word) >= 8:
        return word[:-2]
    if len(word) >= 5:
        return word[:-1]
    return word


def distinct_weight(synonyms: dict[str, float]) -> float:
    """The evidence of the synonyms found for one topic, none counted inside a longer one."""
    kept = [s for s in synonyms if not any(s != other and s in other for other in synonyms)]
    return sum(synonyms[s] for s in kept)
