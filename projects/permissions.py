"""Who may do what with projects and agreements: used by the workflow declaration
(projects.models), the services, the pages and the API alike.

The `(instance, user)` rules are django-fsm `permission=` callables; `user is None`
stands for the platform itself (a beat job, an automatic step).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import OuterRef, Subquery

from partners.models import Membership
from partners.permissions import is_coordinator

# An observer follows a project; only these roles approve and sign its agreements.
SIGNING_ROLES = ("lead", "partner", "evaluator")
# Parties still in the project (a declined invitation takes an organisation out).
PRESENT_STATUSES = ("invited", "accepted")


@dataclass(frozen=True)
class PartySeat:
    """One organisation of the project that the user belongs to (actively)."""

    organisation_id: int
    party_role: str
    party_status: str
    is_admin: bool

    @property
    def is_accepted(self) -> bool:
        return self.party_status == "accepted"

    @property
    def signs(self) -> bool:
        return self.is_accepted and self.party_role in SIGNING_ROLES


def seats(user, project) -> list[PartySeat]:
    """The user's active memberships among the project's parties, in one query,
    remembered on the project instance (fresh per request and per service call)."""
    if not getattr(user, "is_authenticated", False) or project is None or project.pk is None:
        return []
    cache = project.__dict__.setdefault("_seats_by_user", {})
    if user.pk not in cache:
        from projects.models import ProjectParty

        mine = Membership.objects.filter(user=user, status=Membership.Status.ACTIVE)
        rows = (
            ProjectParty.objects.filter(
                project_id=project.pk, status__in=PRESENT_STATUSES, organisation__in=mine.values("organisation")
            )
            .annotate(member_role=Subquery(mine.filter(organisation=OuterRef("organisation")).values("role")[:1]))
            .values_list("organisation_id", "role", "status", "member_role")
        )
        cache[user.pk] = [
            PartySeat(org, party_role, party_status, member_role == Membership.Role.ADMIN)
            for org, party_role, party_status, member_role in rows
        ]
    return cache[user.pk]


def forget_seats(project) -> None:
    project.__dict__.pop("_seats_by_user", None)


# --- Pages and reads ------------------------------------------------------------


def can_view_project(user, project) -> bool:
    """Coordinators and the members of the parties (invited or accepted) see a project."""
    return is_coordinator(user) or bool(seats(user, project))


def can_work_on_project(user, project) -> bool:
    """Draft agreements, keep milestones and KPIs: coordinators and members of accepted,
    non-observer parties."""
    return is_coordinator(user) or any(s.signs for s in seats(user, project))


def can_edit_project(user, project) -> bool:
    """Title, summary, place: coordinators and the lead's members."""
    return is_coordinator(user) or any(s.is_accepted and s.party_role == "lead" for s in seats(user, project))


def can_manage_parties(user, project) -> bool:
    return is_coordinator(user)


def can_create_projects(user) -> bool:
    return is_coordinator(user)


def signing_organisations(user, project, *, admin: bool = True) -> list[int]:
    """Organisations the user may approve and sign for: accepted signing parties it administers."""
    return [s.organisation_id for s in seats(user, project) if s.signs and (s.is_admin or not admin)]


# --- Transition rules (django-fsm `permission=`) -------------------------------


def platform_only(instance, user) -> bool:
    """Steps the platform takes by itself (all parties accepted, effective date reached)."""
    return user is None


def coordinators(instance, user) -> bool:
    return is_coordinator(user)


def lead_admins_or_coordinators(project, user) -> bool:
    if is_coordinator(user):
        return True
    return any(s.is_admin and s.is_accepted and s.party_role == "lead" for s in seats(user, project))


def the_party_admins(party, user) -> bool:
    """Accepting or declining an invitation commits the organisation: its administrators do it."""
    return any(s.is_admin and s.organisation_id == party.organisation_id for s in seats(user, party.project))


def party_members(agreement, user) -> bool:
    """Any active member of an accepted signing party (drafting is day-to-day work)."""
    return any(s.signs for s in seats(user, agreement.project))


def party_admins(agreement, user) -> bool:
    """Approving and signing commit an organisation: the administrators of an accepted signing party."""
    return bool(signing_organisations(user, agreement.project))


def party_admins_or_coordinators(agreement, user) -> bool:
    return is_coordinator(user) or party_admins(agreement, user)
