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
