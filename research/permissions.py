"""Who may do what with publications, evaluations and seminars: used by pages, API and services.

Drafts are private to the members of the organisation that wrote them (and superusers):
coordinators see what is published, and feature it.
"""
from __future__ import annotations

from django.db.models import QuerySet

from partners.models import Membership, Organisation
from partners.permissions import is_coordinator, membership_of

# The organisations the seed asks to research, advise and evaluate.
RESEARCH_KINDS = (Organisation.Kind.THINK_TANK, Organisation.Kind.UNIVERSITY)


def _is_authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _is_superuser(user) -> bool:
    return bool(getattr(user, "is_superuser", False))


def is_research_organisation(organisation: Organisation) -> bool:
    return organisation.kind in RESEARCH_KINDS


def is_active_member(user, organisation: Organisation) -> bool:
    membership = membership_of(user, organisation)
    return membership is not None and membership.is_active


def active_organisation_ids(user) -> QuerySet:
    """The organisations this user acts for, as a subquery."""
    return Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).values("organisation_id")


# --- Publications -------------------------------------------------------------


def can_publish_for(user, organisation: Organisation) -> bool:
    """Active members of a verified think tank or university publish in its name."""
    if not (organisation.is_verified and is_research_organisation(organisation)):
        return False
    return _is_superuser(user) or is_active_member(user, organisation)


def can_edit_publication(user, publication) -> bool:
    return _is_superuser(user) or is_active_member(user, publication.organisation)


def can_view_publication(user, publication) -> bool:
    if publication.is_published and publication.organisation.is_verified:
        return True
    return can_edit_publication(user, publication)


def can_feature(user) -> bool:
    """Coordinators choose what the home page features."""
    return is_coordinator(user)


# --- Projects (read from projects.models only) -----------------------------------

# The same rule as projects.permissions.can_view_project, written against projects.models
# alone because that app is rebuilt alongside: coordinators, and the active members of a
# party still in the project (invited or accepted). Keep the two in step.
PROJECT_PRESENT_STATUSES = ("invited", "accepted")


def visible_projects(user) -> QuerySet:
    from projects.models import Project, ProjectParty

    if is_coordinator(user):
        return Project.objects.all()
    if not _is_authenticated(user):
        return Project.objects.none()
    return Project.objects.filter(pk__in=ProjectParty.objects.filter(
        organisation_id__in=active_organisation_ids(user), status__in=PROJECT_PRESENT_STATUSES,
    ).values("project_id"))


def can_view_project(user, project) -> bool:
    if is_coordinator(user):
        return True
    return _is_authenticated(user) and visible_projects(user).filter(pk=project.pk).exists()


# --- Evaluations --------------------------------------------------------------


def is_evaluator_party(organisation: Organisation, project) -> bool:
    from projects.models import ProjectParty

    return ProjectParty.objects.filter(
        project=project, organisation=organisation,
        role=ProjectParty.Role.EVALUATOR, status=ProjectParty.Status.ACCEPTED,
    ).exists()


def can_evaluate(user, project, organisation: Organisation) -> bool:
    """Members of a verified think tank or university that is the project's accepted evaluator."""
    if not (organisation.is_verified and is_research_organisation(organisation)):
        return False
    if not (_is_superuser(user) or is_active_member(user, organisation)):
        return False
    return is_evaluator_party(organisation, project)


def can_edit_evaluation(user, evaluation) -> bool:
    return _is_superuser(user) or is_active_member(user, evaluation.organisation)


def can_see_project_evaluations(user, project) -> bool:
    """Published evaluations are as visible as the project: to its parties and the coordinators,
    and to everyone once the project's summary is public."""
    return project.is_public or can_view_project(user, project)


def can_view_evaluation(user, evaluation) -> bool:
    if evaluation.is_published and can_see_project_evaluations(user, evaluation.project):
        return True
    return _is_authenticated(user) and can_edit_evaluation(user, evaluation)


# --- Seminars -----------------------------------------------------------------


def can_organise_for(user, organisation: Organisation) -> bool:
    """Seminars are organised in the name of a verified think tank or university, by its members."""
    return can_publish_for(user, organisation)


def can_manage_event(user, event) -> bool:
    """The organisers (members of the organiser or of a co-organiser) edit the seminar and see who comes."""
    if _is_superuser(user):
        return True
    if not _is_authenticated(user):
        return False
    organiser_ids = {event.organisation_id, *event.co_organisers.values_list("pk", flat=True)}
    return Membership.objects.filter(
        user=user, status=Membership.Status.ACTIVE, organisation_id__in=organiser_ids
    ).exists()


def can_view_event(user, event) -> bool:
    if event.status in (event.Status.PUBLISHED, event.Status.CANCELLED) and event.organisation.is_verified:
        return True
    return can_manage_event(user, event)


def can_register(user) -> bool:
    return _is_authenticated(user)
