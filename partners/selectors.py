"""Reads about organisations and memberships, scoped to who asks."""
from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from partners import permissions
from partners.models import Membership, Organisation


def organisation_directory(*, filters: dict | None = None) -> QuerySet[Organisation]:
    """The public directory: verified organisations only."""
    filters = filters or {}
    qs = Organisation.objects.filter(status=Organisation.Status.VERIFIED)
    if filters.get("country"):
        qs = qs.filter(country=filters["country"])
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("q"):
        q = filters["q"].strip()
        qs = qs.filter(Q(name__icontains=q) | Q(city__icontains=q) | Q(description__icontains=q))
    return qs.order_by("name")


def organisation_list_for_user(*, user) -> QuerySet[Organisation]:
    """What this user may see: verified ones, plus their own and (for coordinators) all."""
    if permissions.is_coordinator(user):
        return Organisation.objects.all()
    qs = Organisation.objects.filter(status=Organisation.Status.VERIFIED)
    if getattr(user, "is_authenticated", False):
        qs = Organisation.objects.filter(
            Q(status=Organisation.Status.VERIFIED)
            | Q(memberships__user=user, memberships__status=Membership.Status.ACTIVE)
        ).distinct()
    return qs


def organisation_get_for_user(*, user, slug: str | None = None, pk: int | None = None, write: bool = False) -> Organisation:
    """The organisation, or 404 for someone who may not see it (403 for a viewer who may not edit)."""
    lookup = {"slug": slug} if slug is not None else {"pk": pk}
    organisation = Organisation.objects.filter(**lookup).first()
    if organisation is None or not permissions.can_view_organisation(user, organisation):
        raise Http404(_("No such organisation."))
    if write and not permissions.can_edit_organisation(user, organisation):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("Only the organisation's administrators may do this."))
    return organisation


def organisation_review_queue() -> QuerySet[Organisation]:
    return (
        Organisation.objects.filter(status=Organisation.Status.PENDING)
        .select_related("created_by")
        .order_by("created_at")
    )


def organisation_members(*, organisation: Organisation) -> QuerySet[Membership]:
    return organisation.memberships.select_related("user").order_by("status", "-role", "user__email")


def membership_list_for_user(*, user) -> QuerySet[Membership]:
    """Memberships this user may see: their own, and those of organisations they administer."""
    if permissions.is_coordinator(user):
        return Membership.objects.select_related("user", "organisation")
    administered = Membership.objects.filter(
        user=user, role=Membership.Role.ADMIN, status=Membership.Status.ACTIVE
    ).values("organisation_id")
    return Membership.objects.filter(Q(user=user) | Q(organisation_id__in=administered)).select_related(
        "user", "organisation"
    )


def membership_get_for_user(*, user, pk: int) -> Membership:
    membership = membership_list_for_user(user=user).filter(pk=pk).first()
    if membership is None:
        raise Http404(_("No such membership."))
    return membership


def user_organisations(*, user) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .exclude(status=Membership.Status.DECLINED)
        .select_related("organisation")
        .annotate(
            pending_requests=Count(
                "organisation__memberships", filter=Q(organisation__memberships__status=Membership.Status.REQUESTED)
            )
        )
        .order_by("organisation__name")
    )


def directory_stats() -> dict:
    verified = Organisation.objects.filter(status=Organisation.Status.VERIFIED)
    return {
        "organisations": verified.count(),
        "countries": verified.values("country").distinct().count(),
    }


# --- Needs, capabilities and the taxonomy -------------------------------------


def _text_search(qs: QuerySet, q: str) -> QuerySet:
    """PostgreSQL full-text search ('simple' config: the texts are in many languages),
    OR a substring match, which also finds Chinese words inside unspaced text.
    On SQLite (the embedded default) the substring match alone."""
    from django.db import connection

    substring = Q(title__icontains=q) | Q(description__icontains=q)
    if connection.vendor != "postgresql":
        return qs.filter(substring)
    from django.contrib.postgres.search import SearchQuery, SearchVector

    vector = SearchVector("title", weight="A", config="simple") + SearchVector("description", weight="B", config="simple")
    return qs.annotate(search=vector).filter(Q(search=SearchQuery(q, config="simple", search_type="websearch")) | substring)


def _range_overlap(qs: QuerySet, low: str, high: str, wanted_min, wanted_max) -> QuerySet:
    if wanted_min is not None:
        qs = qs.filter(Q(**{f"{high}__isnull": True}) | Q(**{f"{high}__gte": wanted_min}))
    if wanted_max is not None:
        qs = qs.filter(Q(**{f"{low}__isnull": True}) | Q(**{f"{low}__lte": wanted_max}))
    return qs


def listing_filter(qs: QuerySet, *, model, filters: dict) -> QuerySet:
    """The filters that browse pages and the API share."""
    from partners.models import Need, Topic

    if filters.get("topic"):
        codes = Topic.objects.filter(Q(code=filters["topic"]) | Q(parent__code=filters["topic"])).values("pk")
        qs = qs.filter(pk__in=model.objects.filter(topics__in=codes).values("pk"))
    if filters.get("country"):
        country = filters["country"]
        qs = qs.filter(Q(country=country) | Q(country="", organisation__country=country))
    if filters.get("kind"):
        qs = qs.filter(organisation__kind=filters["kind"])
    if filters.get("language"):
        qs = qs.filter(language=filters["language"])
    low, high = ("budget_min_eur", "budget_max_eur") if model is Need else ("price_min_eur", "price_max_eur")
    qs = _range_overlap(qs, low, high, filters.get("budget_min"), filters.get("budget_max"))
    if filters.get("q"):
        qs = _text_search(qs, filters["q"].strip())
    return qs


def listing_browse(*, model, filters: dict | None = None) -> QuerySet:
    """Published listings of verified organisations, filtered; rows come with their
    organisation and topics in a constant number of queries."""
    qs = model.objects.filter(status=model.Status.PUBLISHED, organisation__status=Organisation.Status.VERIFIED)
    qs = listing_filter(qs, model=model, filters=filters or {})
    return qs.select_related("organisation").prefetch_related("topics").order_by("-published_at", "-pk")


def listing_get_for_user(*, model, user, pk: int, write: bool = False):
    listing = model.objects.select_related("organisation").filter(pk=pk).first()
    if listing is None or not permissions.can_view_listing(user, listing):
        raise Http404(_("No such listing."))
    if write and not permissions.can_edit_listing(user, listing):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("Only members of the organisation that posted it may change it."))
    return listing


def listing_list_for_user(*, model, user) -> QuerySet:
    """For the API: what this user may see — public listings, plus every listing of
    their organisations (drafts included), plus everything for coordinators."""
    base = model.objects.select_related("organisation").prefetch_related("topics")
    if permissions.is_coordinator(user):
        return base.order_by("-pk")
    public = Q(status=model.Status.PUBLISHED, organisation__status=Organisation.Status.VERIFIED)
    if getattr(user, "is_authenticated", False):
        mine = model.objects.filter(
            organisation__memberships__user=user, organisation__memberships__status=Membership.Status.ACTIVE
        ).values("pk")
        return base.filter(public | Q(pk__in=mine)).order_by("-pk")
    return base.filter(public).order_by("-pk")


def listings_of_organisation(*, organisation: Organisation, user) -> dict:
    """Open needs and capabilities on a profile; its members also see drafts."""
    from partners.models import Capability, Need

    statuses = ["published"]
    if permissions.can_view_private(user, organisation):
        statuses.append("draft")
    return {
        "needs": Need.objects.filter(organisation=organisation, status__in=statuses).select_related("organisation").prefetch_related("topics"),
        "capabilities": Capability.objects.filter(organisation=organisation, status__in=statuses).select_related("organisation").prefetch_related("topics"),
    }


def taxonomy_tree() -> list:
    """Domains with their topics, each annotated with its number of open listings."""
    from partners.models import Topic

    open_needs = Q(needs__status="published", needs__organisation__status=Organisation.Status.VERIFIED)
    open_caps = Q(capabilities__status="published", capabilities__organisation__status=Organisation.Status.VERIFIED)
    topics = list(
        Topic.objects.filter(is_active=True)
        .annotate(
            open_needs=Count("needs", filter=open_needs, distinct=True),
            open_capabilities=Count("capabilities", filter=open_caps, distinct=True),
        )
        .order_by("position")
    )
    domains = [t for t in topics if t.parent_id is None]
    for domain in domains:
        domain.topics = [t for t in topics if t.parent_id == domain.pk]
        domain.open_needs += sum(t.open_needs for t in domain.topics)
        domain.open_capabilities += sum(t.open_capabilities for t in domain.topics)
    return domains
