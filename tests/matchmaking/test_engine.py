"""The matching engine on plain ListingDocs: no database, the shipped taxonomy.

(Fixtures live here rather than in this folder's conftest.py, which holds the
database fixtures of the matchmaking services' tests.)
"""
import json
from dataclasses import FrozenInstanceError, replace
from itertools import count
from pathlib import Path

import pytest

from matchmaking.engine import ListingDoc, MatchEngine, ScoredMatch, _cleaned, _parse, clean_text, ngram_counts
from matchmaking.evaluation import docs_from_interchange, recall_at_k
from matchmaking.weights import MIN_SCORE, WEIGHTS
from partners.tagging import Tagger
from partners.taxonomy import shipped_taxonomy

DATA = Path(__file__).resolve().parent.parent / "data"
_ids = count(1)


@pytest.fixture(scope="module")
def taxonomy():
    return shipped_taxonomy()


@pytest.fixture(scope="module")
def engine(taxonomy):
    return MatchEngine(taxonomy)


def need(org=1, side="cee", title="", description="", language="en", **fields) -> ListingDoc:
    fields.setdefault("city", "Lublin" if side == "cee" else "Hangzhou")
    return ListingDoc(
        id=fields.pop("id", next(_ids)), kind="need", organisation_id=org, side=side,
        organisation_kind=fields.pop("organisation_kind", "city"), country="PL" if side == "cee" else "CN",
        title=title, description=description, language=language, topics=tuple(fields.pop("topics", ())), **fields,
    )


def capability(org=2, side="china", title="", description="", language="en", **fields) -> ListingDoc:
    fields.setdefault("city", "Shenzhen" if side == "china" else "Kraków")
    return ListingDoc(
        id=fields.pop("id", next(_ids)), kind="capability", organisation_id=org, side=side,
        organisation_kind=fields.pop("organisation_kind", "company"), country="CN" if side == "china" else "PL",
        title=title, description=description, language=language, topics=tuple(fields.pop("topics", ())), **fields,
    )


LIGHTING_PL = dict(
    title="Modernizacja oświetlenia ulicznego",
    description="Miasto szuka partnera do wymiany latarni na oprawy LED ze zdalnym ściemnianiem i zgłaszaniem awarii.",
    language="pl",
)
LIGHTING_ZH = dict(
    title="智慧路灯单灯控制系统", description="提供LED路灯和单灯控制器，支持远程调光和故障自动上报。", language="zh-hans",
)
PARKING_ZH = dict(title="智慧停车诱导系统", description="地磁车位检测、停车诱导屏和手机缴费。", language="zh-hans")
LIGHTING_EN = dict(title="LED street lighting with remote dimming", description="Street light controllers and a dashboard.")


def ids(matches):
    return [m.capability_id for m in matches]


def fitted(engine_or_taxonomy, needs, capabilities, **options) -> MatchEngine:
    engine = MatchEngine(engine_or_taxonomy, **options)
    engine.fit(needs, capabilities)
    return engine


# --- eligibility --------------------------------------------------------------------------------


def test_a_capability_on_the_same_side_is_never_proposed(taxonomy):
    polish = need(**LIGHTING_PL)
    chinese = capability(org=2, **LIGHTING_ZH)
    decoy = capability(org=3, side="cee", **LIGHTING_EN)  # a perfect fit, but Polish company for a Polish city
    engine = fitted(taxonomy, [polish], [chinese, decoy])
    assert ids(engine.top_for_need(polish)) == [chinese.id]
    assert [m.need_id for m in engine.top_for_capability(decoy)] == []


def test_the_same_side_is_allowed_only_when_both_listings_say_anywhere(taxonomy):
    decoy_any = capability(org=3, side="cee", audience="anywhere", **LIGHTING_EN)
    decoy = capability(org=4, side="cee", **LIGHTING_EN)
    open_need = need(audience="anywhere", **LIGHTING_PL)
    closed_need = need(org=5, **LIGHTING_PL)
    engine = fitted(taxonomy, [open_need, closed_need], [decoy_any, decoy])
    assert ids(engine.top_for_need(open_need)) == [decoy_any.id]
    assert ids(engine.top_for_need(closed_need)) == []


def test_an_organisation_is_never_matched_with_itself(taxonomy):
    own = capability(org=1, side="cee", audience="anywhere", **LIGHTING_EN)
    other = capability(org=2, **LIGHTING_ZH)
    open_need = need(org=1, audience="anywhere", **LIGHTING_PL)
    engine = fitted(taxonomy, [open_need], [own, other])
    assert ids(engine.top_for_need(open_need)) == [other.id]
    assert engine.top_for_capability(own) == []


def test_proposals_below_the_minimum_score_are_not_returned(taxonomy):
    lighting = need(**LIGHTING_PL)
    unrelated = capability(title="Hotel booking platform", description="Online reservations for hotels.")
    engine = fitted(taxonomy, [lighting], [unrelated, capability(**LIGHTING_ZH)])
    matches = engine.top_for_need(lighting)
    assert unrelated.id not in ids(matches)
    assert all(m.score >= MIN_SCORE for m in matches)


# --- relevance ----------------------------------------------------------------------------------


def test_a_shared_topic_ranks_above_a_sibling_topic_above_a_shared_domain(taxonomy):
    plain = dict(title="Project", description="Cooperation offer.")
    lighting = need(topics=["energy.street-lighting"], **plain)
    same = capability(org=2, topics=["energy.street-lighting"], **plain)
    sibling = capability(org=3, topics=["energy.smart-grid"], **plain)
    domain = capability(org=4, topics=["energy"], **plain)
    other = capability(org=5, topics=["mobility.smart-parking"], **plain)
    engine = fitted(taxonomy, [lighting], [domain, other, sibling, same], weights=WEIGHTS.replace(min_score=0.0))
    matches = engine.top_for_need(lighting)
    assert ids(matches)[:3] == [same.id, sibling.id, domain.id]
    topic = [m.contributions["topic"] for m in matches[:3]]
    assert topic == pytest.approx([WEIGHTS.topic, WEIGHTS.topic * WEIGHTS.sibling_topic, WEIGHTS.topic * WEIGHTS.same_domain])
    assert "both concern Smart street lighting" in matches[0].reasons_en
    assert any(r.startswith("related topics:") for r in matches[1].reasons_en)
    assert any(r.startswith("same field:") for r in matches[2].reasons_en)
    assert other.id not in ids(matches) or matches[-1].capability_id == other.id


def test_a_polish_lighting_need_meets_a_chinese_lighting_offer_before_a_chinese_parking_offer(taxonomy):
    polish = need(**LIGHTING_PL)
    lighting, parking = capability(org=2, **LIGHTING_ZH), capability(org=3, **PARKING_ZH)
    engine = fitted(taxonomy, [polish], [parking, lighting])
    matches = engine.top_for_need(polish)
    assert ids(matches)[0] == lighting.id
    assert matches[0].matched_topics[0] == "energy.street-lighting"
    # They share no character: the topic and the synonym concepts carry the match.
    assert matches[0].contributions["topic"] > 0 and matches[0].contributions["concept"] > 0
    assert parking.id not in ids(matches) or matches[-1].score < matches[0].score - 0.2


def test_chinese_text_without_spaces_is_read_in_character_bigrams(taxonomy):
    counts = ngram_counts([clean_text("智慧路灯")])
    assert counts.nnz == 3  # 智慧 慧路 路灯
    chinese_need = need(side="china", audience="anywhere", title="城市道路智慧路灯改造", description="需要单灯控制和远程调光的LED路灯。",
                        language="zh-hans")
    # A CEE company writing in Chinese: the same words meet in the text channel too.
    cee_offer = capability(org=3, side="cee", audience="anywhere", title="智慧路灯单灯控制", description="LED路灯远程调光与单灯控制器。",
                           language="zh-hans")
    unrelated = capability(org=4, side="cee", audience="anywhere", title="城市公园绿地规划", description="公园与绿道设计。",
                           language="zh-hans")
    engine = fitted(taxonomy, [chinese_need], [unrelated, cee_offer])
    matches = engine.top_for_need(chinese_need)
    assert ids(matches)[0] == cee_offer.id
    assert matches[0].contributions["text"] > 0.05
    assert "energy.street-lighting" in matches[0].matched_topics


def test_texts_are_counted_in_word_n_grams_and_han_bigrams():
    counts = ngram_counts([clean_text("LED路灯，2024 Łódź")])
    # " le", "led", "ed ", " led", "led " | 路灯 | " lo", "lod", "odz", "dz ", " lod", "lodz", "odz "
    assert counts.nnz == 5 + 1 + 7
    # The fit path builds the same text from the tokens it parsed once for the synonyms.
    for text in ("LED路灯，控制 system-2024 ŁÓDŹ", "Паметна јавна расвета", "智慧路灯多功能灯杆", ""):
        assert (ngram_counts([_cleaned(_parse(text))]) != ngram_counts([clean_text(text)])).nnz == 0


# --- fit ----------------------------------------------------------------------------------------


def test_a_price_within_the_budget_ranks_above_one_four_times_over_it(taxonomy):
    lighting = need(budget_min=100_000, budget_max=300_000, **LIGHTING_PL)
    fits = capability(org=2, budget_min=150_000, budget_max=250_000, **LIGHTING_ZH)
    dear = capability(org=3, budget_min=1_200_000, budget_max=2_000_000, **LIGHTING_ZH)
    matches = fitted(taxonomy, [lighting], [dear, fits]).top_for_need(lighting)
    assert ids(matches)[:2] == [fits.id, dear.id]
    assert matches[0].contributions["budget"] == pytest.approx(WEIGHTS.budget, abs=1e-3)
    assert matches[1].contributions["budget"] == pytest.approx(0.0, abs=1e-6)
    assert "budget fits" in matches[0].reasons_en and "预算匹配" in matches[0].reasons_zh


def test_a_pilot_wants_a_demonstrated_trl_and_a_scale_up_a_proven_one(taxonomy):
    pilot, scale_up = need(stage="pilot", **LIGHTING_PL), need(org=9, stage="scale_up", **LIGHTING_PL)
    research = capability(org=2, trl=3, **LIGHTING_ZH)
    demonstrated = capability(org=3, trl=7, **LIGHTING_ZH)
    proven = capability(org=4, trl=9, **LIGHTING_ZH)
    engine = fitted(taxonomy, [pilot, scale_up], [research, demonstrated, proven])
    pilot_matches = engine.top_for_need(pilot)
    assert ids(pilot_matches).index(demonstrated.id) < ids(pilot_matches).index(research.id)
    assert "TRL 7 suits a pilot" in pilot_matches[ids(pilot_matches).index(demonstrated.id)].reasons_en
    scale_up_matches = engine.top_for_need(scale_up)
    assert ids(scale_up_matches)[0] == proven.id
    assert "技术成熟度9级，适合规模化推广" in scale_up_matches[0].reasons_zh
    assert research.id not in ids(scale_up_matches)[:2]


def test_a_company_need_is_better_answered_by_a_university_than_by_a_city(taxonomy):
    company_need = need(organisation_kind="company", **LIGHTING_PL)
    by_city = capability(org=2, organisation_kind="city", **LIGHTING_ZH)
    by_university = capability(org=3, organisation_kind="university", **LIGHTING_ZH)
    matches = fitted(taxonomy, [company_need], [by_city, by_university]).top_for_need(company_need)
    assert ids(matches) == [by_university.id, by_city.id]
    assert matches[0].contributions["organisation"] > matches[1].contributions["organisation"]


def test_reciprocity_rewards_organisations_that_can_help_each_other(taxonomy):
    lublin_lighting = need(org=1, **LIGHTING_PL)
    lublin_offer = capability(org=1, side="cee", title="Doradztwo w zakresie inteligentnego parkowania",
                              description="Miasto dzieli się doświadczeniem z wdrożenia systemu parkingowego.", language="pl")
    reciprocal = capability(org=2, **LIGHTING_ZH)
    one_way = capability(org=3, **LIGHTING_ZH)
    # The Chinese org 2 needs parking, which Lublin offers.
    shenzhen_parking = need(org=2, side="china", **PARKING_ZH)
    engine = fitted(taxonomy, [lublin_lighting, shenzhen_parking], [lublin_offer, one_way, reciprocal])
    matches = engine.top_for_need(lublin_lighting)
    assert ids(matches)[:2] == [reciprocal.id, one_way.id]
    assert matches[0].contributions["reciprocity"] > 0 and matches[1].contributions["reciprocity"] == 0
    assert "cooperation can go both ways" in matches[0].reasons_en


def test_sister_cities_get_a_bonus(taxonomy):
    lighting = need(city="Lublin", **LIGHTING_PL)
    sister = capability(org=2, city="Shenzhen", **LIGHTING_ZH)
    stranger = capability(org=3, city="Xiamen", **LIGHTING_ZH)
    engine = fitted(taxonomy, [lighting], [stranger, sister], sister_cities={frozenset({"lublin", "shenzhen"})})
    matches = engine.top_for_need(lighting)
    assert ids(matches) == [sister.id, stranger.id]
    assert matches[0].contributions["sister_city"] > 0 and "友好城市：Lublin与Shenzhen" in matches[0].reasons_zh


# --- what a match says --------------------------------------------------------------------------


def test_reasons_come_in_english_and_chinese_with_the_topic_labels(taxonomy):
    lighting = need(budget_min=100_000, budget_max=300_000, stage="pilot", **LIGHTING_PL)
    offer = capability(trl=8, budget_min=150_000, budget_max=250_000, **LIGHTING_ZH)
    match = fitted(taxonomy, [lighting], [offer]).top_for_need(lighting)[0]
    assert match.reasons_en[0] == "both concern Smart street lighting"
    assert match.reasons_zh[0] == "都涉及智慧路灯"
    assert len(match.reasons_en) == len(match.reasons_zh) >= 3
    assert "TRL 8 suits a pilot" in match.reasons_en


def test_a_match_is_an_ordinary_frozen_scored_match(taxonomy):
    lighting = need(**LIGHTING_PL)
    match = fitted(taxonomy, [lighting], [capability(**LIGHTING_ZH)]).top_for_need(lighting)[0]
    assert match == ScoredMatch(**vars(match))
    with pytest.raises(FrozenInstanceError):
        match.score = 1.0


def test_contributions_add_up_to_the_score(taxonomy, sample):
    engine, *_ = sample
    for _need, matches in engine.all_top(k=10):
        for m in matches:
            assert 0.0 <= m.score <= 1.0
            assert set(m.contributions) == set(WEIGHTS.SIGNALS)
            assert sum(m.contributions.values()) == pytest.approx(m.score, abs=1e-5)


# --- determinism and the single-listing path ----------------------------------------------------


@pytest.fixture(scope="module")
def sample(taxonomy):
    document = json.loads((DATA / "matching-sample.json").read_text(encoding="utf-8"))
    needs, capabilities, need_refs, capability_refs = docs_from_interchange(document)
    engine = MatchEngine(taxonomy)
    engine.fit(needs, capabilities)
    return engine, needs, capabilities, need_refs, capability_refs


def _as_tuples(results):
    return [(n, [(m.capability_id, m.score, m.reasons_en) for m in ms]) for n, ms in results]


def test_two_runs_give_the_same_proposals(taxonomy, sample):
    engine, needs, capabilities, *_ = sample
    again = MatchEngine(taxonomy)
    again.fit(list(needs), list(capabilities))
    assert _as_tuples(engine.all_top(k=10)) == _as_tuples(again.all_top(k=10))


def test_top_for_need_gives_what_all_top_gives(sample):
    engine, needs, *_ = sample
    batch = dict(engine.all_top(k=10))
    assert set(batch) == {n.id for n in needs}
    for doc in needs:
        assert _as_tuples([(doc.id, engine.top_for_need(doc, k=10))]) == _as_tuples([(doc.id, batch[doc.id])])


def test_a_new_need_is_matched_like_a_fitted_one(sample):
    engine, needs, *_ = sample
    batch = dict(engine.all_top(k=10))
    for doc in needs[:8]:
        new = replace(doc, id=10_000 + doc.id)  # not in the fit: vectorised on the fly
        assert [(m.capability_id, m.score) for m in engine.top_for_need(new)] == [
            (m.capability_id, m.score) for m in batch[doc.id]
        ]


def test_top_for_capability_finds_the_needs_that_rank_it(sample):
    engine, needs, capabilities, *_ = sample
    batch = dict(engine.all_top(k=10))
    for cap in capabilities[:15]:
        for match in engine.top_for_capability(cap, k=50):
            ranked = {m.capability_id: m.score for m in batch[match.need_id]}
            if cap.id in ranked:
                assert ranked[cap.id] == pytest.approx(match.score, abs=1e-5)


def test_the_engine_reads_synonyms_exactly_as_the_tagger_does(taxonomy, engine, sample):
    _engine, needs, capabilities, *_ = sample
    tagger = Tagger(taxonomy)
    texts = [(d.title, d.description) for d in (*needs, *capabilities)]
    texts += [("Smart smart street lighting e-government", "smart pole, smart-pole; LED-es világítás; 智慧路灯多功能灯杆")]
    for title, description in texts:
        assert engine._synonyms.scores(title, description) == pytest.approx(tagger.scores(title, description))


# --- the labelled sample ------------------------------------------------------------------------


def test_the_labelled_sample_is_recalled_without_a_same_side_pair(sample):
    engine, needs, capabilities, need_refs, capability_refs = sample
    truth = json.loads((DATA / "matching-truth.json").read_text(encoding="utf-8"))
    need_by_id, capability_by_id = {n.id: n for n in needs}, {c.id: c for c in capabilities}
    assert all(n.side == ("china" if n.country == "CN" else "cee") for n in needs)
    ranked = {}
    for need_id, matches in engine.all_top(k=10):
        for m in matches:
            n, c = need_by_id[m.need_id], capability_by_id[m.capability_id]
            assert n.side != c.side and n.organisation_id != c.organisation_id
        ranked[need_refs[need_id]] = [capability_refs[m.capability_id] for m in matches]
    assert recall_at_k(ranked, truth, k=5) >= 0.9
