"""Reads of matchmaking: the corpus the engine scores, and the proposal lists people see."""
from __future__ import annotations

from collections import defaultdict

from django.db.models import Max, Q, QuerySet

from matchmaking.engine import ListingDoc
from matchmaking.models import Proposal, SisterCity
from matchmaking.weights import WEIGHTS
from partners import permissions
from partners.countries import country_side
from partners.models import Capability, Membership, Need, Organisation


def open_listings(model) -> QuerySet:
    """Published listings of verified organisations: what the engine scores."""
    return model.objects.filter(status="published", organisation__status=Organisation.Status.VERIFIED)


def listing_docs(model, *, pks=None) -> list[ListingDoc]:
    """Published listings of verified organisations as engine documents, in three queries."""
    qs = open_listings(model) if pks is None else model.objects.filter(pk__in=pks)
    is_need = model is Need
    columns = ["pk", "organisation_id", "organisation__kind", "organisation__city", "organisation__country", "city",
               "country", "title", "description", "language", "audience", "suggested_topics"]
    columns += ["budget_min_eur", "budget_max_eur", "stage"] if is_need else ["price_min_eur", "price_max_eur", "maturity", "capability_type"]
    rows = list(qs.order_by("pk").values(*columns))
    topics: dict[int, list[str]] = defaultdict(list)
    through = model.topics.through
    owner = f"{model._meta.model_name}_id"
    for owner_id, code in through.objects.filter(**{f"{owner}__in": [r["pk"] for r in rows]}).values_list(owner, "topic__code"):
        topics[owner_id].append(code)
    return [_doc(row, is_need, _explicit_topics(topics[row["pk"]], row["suggested_topics"])) for row in rows]


def _explicit_topics(stored: list[str], suggested: list[str]) -> tuple[str, ...]:
    """The topics an author chose. Topics that are just the tagger's suggestion are left for the
    engine to infer again from the text, where it weighs a secondary topic below the main one."""
    if sorted(stored) == sorted(suggested or []):
        return ()
    return tuple(sorted(stored))


def _doc(row: dict, is_need: bool, topics: tuple[str, ...]) -> ListingDoc:
    country = row["country"] or row["organisation__country"]
    return ListingDoc(
        id=row["pk"], kind="need" if is_need else "capability", organisation_id=row["organisation_id"],
        side=country_side(row["organisation__country"]).value, organisation_kind=row["organisation__kind"],
        city=row["city"] or row["organisation__city"], country=country, title=row["title"],
        description=row["description"], language=row["language"], topics=topics, audience=row["audience"],
        budget_min=row["budget_min_eur"] if is_need else row["price_min_eur"],
        budget_max=row["budget_max_eur"] if is_need else row["price_max_eur"],
        stage=row.get("stage"), trl=row.get("maturity"), capability_type=row.get("capability_type"),
    )


def sister_city_pairs() -> set[frozenset[str]]:
    return {frozenset((a.lower(), b.lower())) for a, b in SisterCity.objects.values_list("city_a", "city_b")}


def corpus_stamp() -> tuple:
    """Changes whenever a listing that the engine scores changes."""
    stamp: tuple = ()
    for model in (Need, Capability):
        agg = open_listings(model).aggregate(changed=Max("updated_at"), last=Max("pk"))
        stamp += (agg["changed"], agg["last"], open_listings(model).count())
    return stamp + (SisterCity.objects.count(),)


def _shown(qs: QuerySet) -> QuerySet:
    return qs.filter(score__gte=WEIGHTS.min_score).select_related(
        "need__organisation", "capability__organisation", "project"
    )


def proposal_queue(*, filters: dict | None = None) -> QuerySet[Proposal]:
    """The coordinators' review queue, best first."""
    filters = filters or {}
    qs = _shown(Proposal.objects.all())
    qs = qs.filter(status=filters.get("status") or Proposal.Status.SUGGESTED)
    if filters.get("country"):
        c = filters["country"]
        qs = qs.filter(
            Q(need__country=c) | Q(need__country="", need__organisation__country=c)
            | Q(capability__organisation__country=c)
        )
    if filters.get("topic"):
        code = filters["topic"]
        qs = qs.filter(Q(need__topics__code=code) | Q(need__topics__parent__code=code)
                       | Q(capability__topics__code=code) | Q(capability__topics__parent__code=code)).distinct()
    return qs.order_by("-score", "pk")


def proposal_list_for_user(*, user) -> QuerySet[Proposal]:
    """Coordinators see every proposal; members see those about their organisations' listings."""
    qs = _shown(Proposal.objects.all()).order_by("-score", "pk")
    if permissions.is_coordinator(user):
        return qs
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    mine = Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).values("organisation_id")
    return qs.filter(Q(need__organisation_id__in=mine) | Q(capability__organisation_id__in=mine))


def proposal_get_for_user(*, user, pk: int) -> Proposal:
    from django.http import Http404

    proposal = proposal_list_for_user(user=user).filter(pk=pk).first()
    if proposal is None:
        raise Http404("No such proposal.")
    return proposal


def proposals_for_listing(*, listing, user) -> QuerySet[Proposal]:
    field = "need" if isinstance(listing, Need) else "capability"
    return proposal_list_for_user(user=user).filter(**{field: listing}).exclude(status=Proposal.Status.WITHDRAWN)
