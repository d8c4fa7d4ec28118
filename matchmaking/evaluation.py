"""Offline evaluation of the matching engine against hand-labelled truth.

Truth is graded per need: {need_ref: {capability_ref: grade}}, where 2 means
the capability meets the need well and 1 that it meets it partly; anything
not listed is not relevant. Rankings are {need_ref: [capability_ref, ...]},
best first, as the engine proposes them.

Both metrics are averaged over the needs that have at least one relevant
capability (a need nobody can answer says nothing about ranking), and a need
missing from `ranked` counts as a ranking that found nothing.

Run on the labelled sample shipped with the tests:

    .venv/bin/python -m matchmaking.evaluation tests/data/matching-sample.json tests/data/matching-truth.json
"""
from __future__ import annotations

import argparse
import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from matchmaking.engine import ListingDoc

Ranked = Mapping[str, Sequence[str]]
Truth = Mapping[str, Mapping[str, int]]
INTERCHANGE_FORMAT = "smartcity-listings/1"


def recall_for_need(ranked: Sequence[str], grades: Mapping[str, int], k: int = 5) -> float | None:
    """Relevant capabilities found in the top k, over the number that could fit there.

    The denominator is min(relevant, k) ("capped" recall) so that a perfect
    ranking scores 1 even when more than k capabilities are relevant.
    """
    relevant = {ref for ref, grade in grades.items() if grade > 0}
    if not relevant:
        return None
    found = len(relevant.intersection(ranked[:k]))
    return found / min(len(relevant), k)


def ndcg_for_need(ranked: Sequence[str], grades: Mapping[str, int], k: int = 5) -> float | None:
    """Graded nDCG with gain 2**grade - 1 (a good answer is worth three partial ones)."""
    ideal = sorted((g for g in grades.values() if g > 0), reverse=True)[:k]
    if not ideal:
        return None
    dcg = sum(_gain(grades.get(ref, 0)) / math.log2(rank + 2) for rank, ref in enumerate(ranked[:k]))
    idcg = sum(_gain(grade) / math.log2(rank + 2) for rank, grade in enumerate(ideal))
    return dcg / idcg


def _gain(grade: int) -> float:
    return float(2**grade - 1) if grade > 0 else 0.0


def recall_at_k(ranked: Ranked, truth: Truth, k: int = 5) -> float:
    """Mean capped recall@k over the needs of `truth` that have a relevant capability."""
    return _mean(recall_for_need(ranked.get(need, []), grades, k) for need, grades in truth.items())


def ndcg_at_k(ranked: Ranked, truth: Truth, k: int = 5) -> float:
    """Mean graded nDCG@k over the needs of `truth` that have a relevant capability."""
    return _mean(ndcg_for_need(ranked.get(need, []), grades, k) for need, grades in truth.items())


def _mean(values: Iterable[float | None]) -> float:
    kept = [v for v in values if v is not None]
    return sum(kept) / len(kept) if kept else 0.0


def by_group(
    metric: Callable[[Ranked, Truth, int], float], ranked: Ranked, truth: Truth, groups: Mapping[str, str], k: int = 5
) -> dict[str, float]:
    """The metric computed separately for each group of needs (e.g. the need's language)."""
    split: dict[str, dict[str, Mapping[str, int]]] = defaultdict(dict)
    for need, grades in truth.items():
        split[groups.get(need, "?")][need] = grades
    return {group: metric(ranked, part, k) for group, part in sorted(split.items())}


def report(ranked: Ranked, truth: Truth, languages: Mapping[str, str], k: int = 5) -> dict:
    """Recall and nDCG at k, overall and per language of the need, with the number of needs."""
    counts: dict[str, int] = defaultdict(int)
    for need, grades in truth.items():
        if any(g > 0 for g in grades.values()):
            counts[languages.get(need, "?")] += 1
    recall = by_group(recall_at_k, ranked, truth, languages, k)
    ndcg = by_group(ndcg_at_k, ranked, truth, languages, k)
    return {
        "k": k,
        "overall": {"recall": recall_at_k(ranked, truth, k), "ndcg": ndcg_at_k(ranked, truth, k), "needs": sum(counts.values())},
        "by_language": {
            lang: {"recall": recall[lang], "ndcg": ndcg[lang], "needs": counts[lang]} for lang in recall if counts[lang]
        },
    }


# --- The interchange format, read without a database ---------------------------------------------


def side_of_country(country: str) -> str:
    # Kept local (not partners.countries) so that evaluation runs without Django settings.
    return "china" if country.upper() == "CN" else "cee"


def docs_from_interchange(document: dict) -> tuple[list[ListingDoc], list[ListingDoc], dict[int, str], dict[int, str]]:
    """Needs and capabilities of a `smartcity-listings/1` document as ListingDocs.

    Refs are strings in the file and ids are integers in the engine, so the
    maps from need id and capability id back to refs are returned as well.
    Topics are left empty: the engine infers them from the text.
    """
    if document.get("format") != INTERCHANGE_FORMAT:
        raise ValueError(f"not a {INTERCHANGE_FORMAT} document")
    organisations = {org["ref"]: (index + 1, org) for index, org in enumerate(document["organisations"])}
    needs = [_doc(i + 1, "need", item, organisations) for i, item in enumerate(document.get("needs", []))]
    capabilities = [_doc(i + 1, "capability", item, organisations) for i, item in enumerate(document.get("capabilities", []))]
    need_refs = {i + 1: item["ref"] for i, item in enumerate(document.get("needs", []))}
    capability_refs = {i + 1: item["ref"] for i, item in enumerate(document.get("capabilities", []))}
    return needs, capabilities, need_refs, capability_refs


def _doc(listing_id: int, kind: str, item: dict, organisations: dict[str, tuple[int, dict]]) -> ListingDoc:
    org_id, org = organisations[item["organisation"]]
    money = item.get("budget_eur" if kind == "need" else "price_eur") or {}
    return ListingDoc(
        id=listing_id, kind=kind, organisation_id=org_id, side=side_of_country(org["country"]),
        organisation_kind=org.get("kind", "other"), city=org.get("city", ""), country=org["country"],
        title=item["title"], description=item.get("description", ""), language=item.get("language", "en"),
        topics=tuple(item.get("topics", ())), audience=item.get("audience", "other_side"),
        budget_min=money.get("min"), budget_max=money.get("max"),
        stage=item.get("stage") if kind == "need" else None,
        trl=item.get("maturity") if kind == "capability" else None,
        capability_type=item.get("capability_type") if kind == "capability" else None,
    )


def evaluate_files(sample: Path, truth_file: Path, k: int = 5, *, depth: int = 10) -> tuple[dict, dict[str, list[str]]]:
    """Run the engine on a sample file (shipped taxonomy) and score it against the truth file."""
    from matchmaking.engine import MatchEngine
    from partners.taxonomy import shipped_taxonomy

    needs, capabilities, need_refs, capability_refs = docs_from_interchange(json.loads(sample.read_text(encoding="utf-8")))
    engine = MatchEngine(shipped_taxonomy())
    engine.fit(needs, capabilities)
    ranked = {
        need_refs[need_id]: [capability_refs[m.capability_id] for m in matches]
        for need_id, matches in engine.all_top(k=max(k, depth))
    }
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    languages = {need_refs[n.id]: n.language for n in needs}
    return report(ranked, truth, languages, k), ranked


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Recall@k and nDCG@k of the matching engine on a labelled sample.")
    parser.add_argument("sample", type=Path)
    parser.add_argument("truth", type=Path)
    parser.add_argument("-k", type=int, default=5)
    args = parser.parse_args(argv)
    result, _ranked = evaluate_files(args.sample, args.truth, args.k)
    overall = result["overall"]
    print(f"overall  recall@{args.k} {overall['recall']:.3f}  nDCG@{args.k} {overall['ndcg']:.3f}  ({overall['needs']} needs)")
    for lang, row in result["by_language"].items():
        print(f"{lang:8} recall@{args.k} {row['recall']:.3f}  nDCG@{args.k} {row['ndcg']:.3f}  ({row['needs']} needs)")


if __name__ == "__main__":
    main()
