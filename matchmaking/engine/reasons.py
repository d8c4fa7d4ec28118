"""The English and Chinese reasons (and matched topics) of a proposal, composed
once per distinct combination of facts rather than once per proposal.
"""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from matchmaking.engine.blocks import _Block
from matchmaking.weights import ORGANISATION_KINDS

if TYPE_CHECKING:  # only for annotations: core imports this module
    from matchmaking.engine.core import MatchEngine

KIND_EN = {
    "city": "city", "company": "company", "think_tank": "think tank", "university": "university",
    "government_agency": "government agency", "other": "organisation",
}
KIND_ZH = {
    "city": "城市", "company": "企业", "think_tank": "智库", "university": "大学",
    "government_agency": "政府机构", "other": "机构",
}


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
