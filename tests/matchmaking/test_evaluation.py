"""Recall and nDCG against values computed by hand; no database."""
import math

import pytest

from matchmaking.evaluation import (
    by_group, docs_from_interchange, ndcg_at_k, ndcg_for_need, recall_at_k, recall_for_need, report,
)

LOG2_3 = math.log2(3)


def test_recall_counts_relevant_capabilities_found_in_the_top_k():
    # Relevant: a (2) and x (1); only a is in the top 2.
    assert recall_for_need(["a", "b", "c"], {"a": 2, "x": 1}, k=2) == 0.5


def test_recall_is_capped_at_k_so_a_perfect_ranking_scores_one():
    grades = {ref: 1 for ref in "abcdefg"}
    assert recall_for_need(list("abcde"), grades, k=5) == 1.0


def test_a_need_without_relevant_capabilities_is_left_out_of_the_mean():
    assert recall_for_need(["a"], {"a": 0}, k=5) is None
    ranked = {"n1": ["a"], "n2": ["b"]}
    assert recall_at_k(ranked, {"n1": {"a": 2}, "n2": {}}, k=5) == 1.0


def test_a_need_missing_from_the_ranking_counts_as_nothing_found():
    assert recall_at_k({"n1": ["a"]}, {"n1": {"a": 2}, "n2": {"b": 1}}, k=5) == 0.5


def test_ndcg_of_the_ideal_order_is_one():
    assert ndcg_for_need(["a", "b"], {"a": 2, "b": 1}, k=5) == pytest.approx(1.0)


def test_ndcg_of_a_swapped_pair_by_hand():
    # DCG = (2^1-1)/log2(2) + (2^2-1)/log2(3); IDCG = 3/log2(2) + 1/log2(3).
    expected = (1 + 3 / LOG2_3) / (3 + 1 / LOG2_3)
    assert ndcg_for_need(["b", "a"], {"a": 2, "b": 1}, k=2) == pytest.approx(expected)
    assert expected == pytest.approx(0.79671, abs=1e-5)


def test_ndcg_counts_only_the_top_k_and_ignores_irrelevant_ones():
    # The good answer at rank 3 is cut off at k=2; the ideal still has it first.
    assert ndcg_for_need(["x", "y", "a"], {"a": 2}, k=2) == 0.0
    # At rank 2 behind an irrelevant one: (3/log2(3)) / 3.
    assert ndcg_for_need(["x", "a"], {"a": 2}, k=5) == pytest.approx(1 / LOG2_3)


def test_ndcg_at_k_is_the_mean_over_needs():
    ranked = {"n1": ["a"], "n2": ["x", "b"]}
    truth = {"n1": {"a": 2}, "n2": {"b": 1}}
    assert ndcg_at_k(ranked, truth, k=5) == pytest.approx((1.0 + 1 / LOG2_3) / 2)


def test_metrics_grouped_by_the_needs_language():
    ranked = {"n1": ["a"], "n2": ["x"], "n3": ["c"]}
    truth = {"n1": {"a": 2}, "n2": {"b": 2}, "n3": {"c": 1}}
    languages = {"n1": "pl", "n2": "pl", "n3": "zh-hans"}
    assert by_group(recall_at_k, ranked, truth, languages, 5) == {"pl": 0.5, "zh-hans": 1.0}
    result = report(ranked, truth, languages, k=5)
    assert result["overall"]["recall"] == pytest.approx(2 / 3)
    assert result["by_language"]["pl"] == {"recall": 0.5, "ndcg": 0.5, "needs": 2}
    assert result["by_language"]["zh-hans"]["needs"] == 1


def test_interchange_documents_become_listing_docs_with_the_side_of_their_country():
    document = {
        "format": "smartcity-listings/1",
        "organisations": [
            {"ref": "o-cn", "name": "A", "kind": "company", "country": "CN", "city": "Shenzhen"},
            {"ref": "o-pl", "name": "B", "kind": "city", "country": "PL", "city": "Lublin"},
        ],
        "needs": [{"ref": "n", "organisation": "o-pl", "title": "T", "description": "D", "language": "pl",
                   "budget_eur": {"min": 10, "max": 20}, "stage": "pilot"}],
        "capabilities": [{"ref": "c", "organisation": "o-cn", "title": "T", "description": "D", "language": "zh-hans",
                          "maturity": 8, "capability_type": "product", "price_eur": {"min": 5, "max": 15}}],
    }
    needs, capabilities, need_refs, capability_refs = docs_from_interchange(document)
    need, capability = needs[0], capabilities[0]
    assert (need.side, need.kind, need.stage, need.budget_min, need.budget_max) == ("cee", "need", "pilot", 10, 20)
    assert (capability.side, capability.trl, capability.budget_min, capability.capability_type) == ("china", 8, 5, "product")
    assert need.organisation_id != capability.organisation_id and need.topics == ()
    assert need_refs == {need.id: "n"} and capability_refs == {capability.id: "c"}


def test_a_document_of_another_format_is_refused():
    with pytest.raises(ValueError):
        docs_from_interchange({"format": "something-else/1"})
