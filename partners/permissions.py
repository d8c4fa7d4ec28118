"""Who may do what with organisations and memberships: used by pages, API and services."""
from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from partners.models import Membership, Organisation

COORDINATORS_GROUP = "coordinators"


def is_coordinator(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_coordinator", None)
    if cached is None:
        cached = user.groups.filter(name=COORDINATORS_GROUP).exists()
        user._is_coordinator = cached
    return cached


def membership_of(user, organisation: Organisation) -> Membership | None:
    if isinstance(user, AnonymousUser) or not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(user=user, organisation=organisation).first()


def can_view_organisation(user, organisation: Organisation) -> bool:
    """Verified organisations are public; others only to their members and coordinators."""
    if organisation.is_verified or is_coordinator(user):
        return True
    membership = membership_of(user, organisation)
    return membership is not None and membership.is_active


def can_view_private(user, organisation: Organisation) -> bool:
    """Member list, join requests, review notes: members and coordinators only."""
    if is_coordinator(user):
        return True
    membership = membership_of(user, organisation)
    return membership is not None and membership.is_active


def can_edit_organisation(user, organisation: Organisation) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    membership = membership_of(user, organisation)
    return membership is not None and membership.can_manage


def can_manage_members(user, organisation: Organisation) -> bool:
    return can_edit_organisation(user, organisation)


def can_review_organisations(user) -> bool:
    return is_coordinator(user)


def can_post_for(user, organisation: Organisation) -> bool:
    """Active members of a verified organisation post needs and capabilities for it."""
    if not organisation.is_verified:
        return False
    if getattr(user, "is_superuser", False):
        return True
    membership = membership_of(user, organisation)
    return membership is not None and membership.can_act


def can_edit_listing(user, listing) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    membership = membership_of(user, listing.organisation)
    return membership is not None and membership.can_act


def can_view_listing(user, listing) -> bool:
    """Published listings of verified organisations are public; the rest only to
    the organisation's members and the coordinators."""
    if listing.is_published and listing.organisation.is_verified:
        return True
    if is_coordinator(user):
        return True
    membership = membership_of(user, listing.organisation)
    return membership is not None and membership.is_active
