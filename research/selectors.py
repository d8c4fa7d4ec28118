"""Reads about publications, evaluations and seminars, scoped to who asks.

Lists come with their relations prefetched: a page issues the same number of
queries whatever its number of rows.
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import Organisation, Topic
from research import permissions
from research.models import Evaluation, Event, Publication, PublicationCountry, PublicationTranslation, Registration

# --- Publications -------------------------------------------------------------


def _with_relations(qs: QuerySet[Publication]) -> QuerySet[Publication]:
    return qs.select_related("organisation").prefetch_related(
        Prefetch("topics", queryset=Topic.objects.order_by("position")),
        "translations",
        "countries",
    )


def _published() -> QuerySet[Publication]:
    return Publication.objects.filter(
        status=Publication.Status.PUBLISHED, organisation__status=Organisation.Status.VERIFIED
    )


def _search(qs: QuerySet[Publication], q: str) -> QuerySet[Publication]:
    """Substring match (it also finds Chinese words in unspaced text) in the title, the abstract,
    the translations and, on PostgreSQL, the authors; there also a full-text match of the original."""
    in_translations = PublicationTranslation.objects.filter(
        Q(title__icontains=q) | Q(abstract__icontains=q)
    ).values("publication_id")
    match = Q(title__icontains=q) | Q(abstract__icontains=q) | Q(pk__in=in_translations)
    if connection.vendor != "postgresql":
        return qs.filter(match)
    from django.contrib.postgres.search import SearchQuery, SearchVector
    from django.db.models import TextField
    from django.db.models.functions import Cast

    vector = SearchVector("title", weight="A", config="simple") + SearchVector("abstract", weight="B", config="simple")
    return qs.annotate(search=vector, authors_text=Cast("authors", TextField())).filter(
        match | Q(search=SearchQuery(q, config="simple", search_type="websearch")) | Q(authors_text__icontains=q)
    )


def publication_filter(qs: QuerySet[Publication], *, filters: dict) -> QuerySet[Publication]:
    """The filters that the library, its feed and the API share."""
    if filters.get("topic"):
        topics = Topic.objects.filter(Q(code=filters["topic"]) | Q(parent__code=filters["topic"])).values("pk")
        qs = qs.filter(pk__in=Publication.objects.filter(topics__in=topics).values("pk"))
    if filters.get("country"):
        qs = qs.filter(pk__in=PublicationCountry.objects.filter(country=filters["country"]).values("publication_id"))
    if filters.get("type"):
        qs = qs.filter(type=filters["type"])
    if filters.get("year"):
        qs = qs.filter(published_at__year=int(filters["year"]))
    if filters.get("language"):
        # Readable in that language: written in it, or translated into it.
        translated = PublicationTranslation.objects.filter(language=filters["language"]).values("publication_id")
        qs = qs.filter(Q(language=filters["language"]) | Q(pk__in=translated))
    if filters.get("organisation"):
        qs = qs.filter(organisation__slug=filters["organisation"])
    if filters.get("q"):
        qs = _search(qs, filters["q"].strip())
    return qs


def publication_library(*, filters: dict | None = None) -> QuerySet[Publication]:
    """The public library: published publications of verified organisations, newest first."""
    qs = publication_filter(_published(), filters=filters or {})
    return _with_relations(qs).order_by("-published_at", "-pk")


def publication_years() -> list[int]:
    return sorted({d.year for d in _published().dates("published_at", "year")}, reverse=True)


def publication_list_for_user(*, user) -> QuerySet[Publication]:
    """For the API: the published ones, plus every publication of the user's organisations."""
    base = _with_relations(Publication.objects.all())
    public = Q(status=Publication.Status.PUBLISHED, organisation__status=Organisation.Status.VERIFIED)
    if getattr(user, "is_superuser", False):
        return base.order_by("-pk")
    if getattr(user, "is_authenticated", False):
        return base.filter(public | Q(organisation_id__in=permissions.active_organisation_ids(user))).order_by("-pk")
    return base.filter(public).order_by("-pk")


def publication_get_for_user(*, user, pk: int, write: bool = False) -> Publication:
    """The publication, or 404 for someone who may not see it (403 for a reader who may not edit)."""
    publication = _with_relations(Publication.objects.filter(pk=pk)).first()
    if publication is None or not permissions.can_view_publication(user, publication):
        raise Http404(_("No such publication."))
    if write and not permissions.can_edit_publication(user, publication):
        raise PermissionDenied(_("Only members of the publishing organisation may change it."))
    return publication


def publication_projects_for_user(*, publication: Publication, user) -> QuerySet:
    """The linked projects this reader may see: public ones, and those of their organisations."""
    return publication.projects.filter(Q(is_public=True) | Q(pk__in=permissions.visible_projects(user).values("pk")))


def featured_publications(*, limit: int = 3) -> QuerySet[Publication]:
    qs = _published().filter(featured_at__isnull=False)
    return _with_relations(qs).order_by("-featured_at")[:limit]


def latest_publications(*, limit: int = 5) -> QuerySet[Publication]:
    return _with_relations(_published()).order_by("-published_at", "-pk")[:limit]


def research_organisations_for_user(*, user) -> QuerySet[Organisation]:
    """The verified think tanks and universities this user may publish or organise for."""
    qs = Organisation.objects.filter(status=Organisation.Status.VERIFIED, kind__in=permissions.RESEARCH_KINDS)
    if getattr(user, "is_superuser", False):
        return qs.order_by("name")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    return qs.filter(pk__in=permissions.active_organisation_ids(user)).order_by("name")


def projects_to_link(*, user) -> QuerySet:
    """Projects the user's think tanks take part in (and have not declined): what a publication may link."""
    from projects.models import Project, ProjectParty

    parties = ProjectParty.objects.filter(organisation__in=research_organisations_for_user(user=user)).exclude(
        status=ProjectParty.Status.DECLINED
    )
    return Project.objects.filter(pk__in=parties.values("project_id")).order_by("title")


def reports_of(*, organisations) -> QuerySet[Publication]:
    """Publications an evaluation may name as its full report: the evaluating organisation's own."""
    return Publication.objects.filter(organisation__in=organisations).select_related("organisation").order_by("-pk")


def drafts_for_user(*, user) -> dict:
    """Drafts of the user's organisations, for their 'My research' page."""
    mine = permissions.active_organisation_ids(user)
    return {
        "publications": _with_relations(
            Publication.objects.filter(status=Publication.Status.DRAFT, organisation_id__in=mine)
        ).order_by("-updated_at"),
        "evaluations": Evaluation.objects.filter(status=Evaluation.Status.DRAFT, organisation_id__in=mine)
        .select_related("organisation", "project").order_by("-updated_at"),
        "events": Event.objects.filter(status=Event.Status.DRAFT)
        .filter(Q(organisation_id__in=mine) | Q(co_organisers__in=mine)).distinct()
        .select_related("organisation").order_by("starts_at"),
    }


# --- Evaluations --------------------------------------------------------------


def _evaluation_relations(qs: QuerySet[Evaluation]) -> QuerySet[Evaluation]:
    from projects.models import KPI

    return qs.select_related("organisation", "project", "report").prefetch_related(
        Prefetch("kpis", queryset=KPI.objects.order_by("pk"))
    )


def evaluations_for_project(*, project, user) -> QuerySet[Evaluation]:
    """What the project page lists: published evaluations for whoever may see them,
    plus drafts of the reader's own organisations."""
    qs = _evaluation_relations(Evaluation.objects.filter(project=project))
    visible = Q(pk__in=[])
    if permissions.can_see_project_evaluations(user, project):
        visible |= Q(status=Evaluation.Status.PUBLISHED)
    if getattr(user, "is_superuser", False):
        visible = Q()
    elif getattr(user, "is_authenticated", False):
        visible |= Q(organisation_id__in=permissions.active_organisation_ids(user))
    return qs.filter(visible).order_by("-published_at", "-pk")


def evaluation_list_for_user(*, user) -> QuerySet[Evaluation]:
    """Every evaluation this user may read: published ones of projects they may see (or public ones),
    and their organisations' drafts."""
    qs = _evaluation_relations(Evaluation.objects.all())
    if getattr(user, "is_superuser", False):
        return qs.order_by("-published_at", "-pk")
    readable_projects = Q(project__is_public=True) | Q(project__in=permissions.visible_projects(user).values("pk"))
    visible = Q(status=Evaluation.Status.PUBLISHED) & readable_projects
    if getattr(user, "is_authenticated", False):
        visible |= Q(organisation_id__in=permissions.active_organisation_ids(user))
    return qs.filter(visible).order_by("-published_at", "-pk")


def evaluation_get_for_user(*, user, pk: int, write: bool = False) -> Evaluation:
    evaluation = _evaluation_relations(Evaluation.objects.filter(pk=pk)).first()
    if evaluation is None or not permissions.can_view_evaluation(user, evaluation):
        raise Http404(_("No such evaluation."))
    if write and not permissions.can_edit_evaluation(user, evaluation):
        raise PermissionDenied(_("Only members of the evaluating organisation may change this evaluation."))
    return evaluation


def project_get_for_evaluation(*, user, pk: int):
    """The project to evaluate, or 404 for someone who may not see it."""
    from projects.models import Project

    project = Project.objects.filter(pk=pk).first()
    if project is None or not permissions.can_view_project(user, project):
        raise Http404(_("No such project."))
    return project


def evaluator_organisations_for(*, user, project) -> QuerySet[Organisation]:
    """The user's organisations that may evaluate this project."""
    from projects.models import ProjectParty

    evaluators = ProjectParty.objects.filter(
        project=project, role=ProjectParty.Role.EVALUATOR, status=ProjectParty.Status.ACCEPTED
    ).values("organisation_id")
    return research_organisations_for_user(user=user).filter(pk__in=evaluators)


def projects_to_evaluate(*, user) -> QuerySet:
    """Projects one of the user's think tanks is the accepted evaluator of."""
    from projects.models import Project, ProjectParty

    if not getattr(user, "is_authenticated", False):
        return Project.objects.none()
    parties = ProjectParty.objects.filter(
        role=ProjectParty.Role.EVALUATOR, status=ProjectParty.Status.ACCEPTED,
        organisation__in=research_organisations_for_user(user=user),
    ).values("project_id")
    return Project.objects.filter(pk__in=parties).order_by("title")


# --- Seminars -----------------------------------------------------------------


def _event_relations(qs: QuerySet[Event]) -> QuerySet[Event]:
    return qs.select_related("organisation").prefetch_related(
        Prefetch("topics", queryset=Topic.objects.order_by("position")), "co_organisers"
    ).annotate(
        registered_count=Count("registrations", filter=Q(registrations__status=Registration.Status.REGISTERED))
    )


def _public_events() -> QuerySet[Event]:
    return Event.objects.filter(
        status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED], organisation__status=Organisation.Status.VERIFIED
    )


def event_filter(qs: QuerySet[Event], *, filters: dict) -> QuerySet[Event]:
    if filters.get("topic"):
        topics = Topic.objects.filter(Q(code=filters["topic"]) | Q(parent__code=filters["topic"])).values("pk")
        qs = qs.filter(pk__in=Event.objects.filter(topics__in=topics).values("pk"))
    if filters.get("organisation"):
        qs = qs.filter(organisation__slug=filters["organisation"])
    if filters.get("online") is not None and filters.get("online") != "":
        qs = qs.exclude(online_url="") if filters["online"] else qs.filter(online_url="")
    return qs


def upcoming_events(*, filters: dict | None = None, limit: int | None = None) -> QuerySet[Event]:
    """Published seminars not over yet, soonest first."""
    qs = _public_events().filter(status=Event.Status.PUBLISHED, ends_at__gte=timezone.now())
    qs = _event_relations(event_filter(qs, filters=filters or {})).order_by("starts_at", "pk")
    return qs[:limit] if limit else qs


def past_events(*, filters: dict | None = None, limit: int = 20) -> QuerySet[Event]:
    qs = _public_events().filter(status=Event.Status.PUBLISHED, ends_at__lt=timezone.now())
    return _event_relations(event_filter(qs, filters=filters or {})).order_by("-starts_at", "-pk")[:limit]


def featured_events(*, limit: int = 3) -> QuerySet[Event]:
    qs = _public_events().filter(status=Event.Status.PUBLISHED, featured_at__isnull=False, ends_at__gte=timezone.now())
    return _event_relations(qs).order_by("starts_at")[:limit]


def event_list_for_user(*, user) -> QuerySet[Event]:
    """For the API: public seminars, plus the drafts of those the user organises."""
    qs = _event_relations(Event.objects.all())
    if getattr(user, "is_superuser", False):
        return qs.order_by("-starts_at", "-pk")
    public = Q(status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED], organisation__status=Organisation.Status.VERIFIED)
    if getattr(user, "is_authenticated", False):
        mine = permissions.active_organisation_ids(user)
        organised = Event.objects.filter(Q(organisation_id__in=mine) | Q(co_organisers__in=mine)).values("pk")
        return qs.filter(public | Q(pk__in=organised)).order_by("-starts_at", "-pk")
    return qs.filter(public).order_by("-starts_at", "-pk")


def event_get_for_user(*, user, pk: int, manage: bool = False) -> Event:
    """The seminar, or 404 for someone who may not see it (403 for a visitor who may not manage it)."""
    event = _event_relations(Event.objects.filter(pk=pk)).first()
    if event is None or not permissions.can_view_event(user, event):
        raise Http404(_("No such seminar."))
    if manage and not permissions.can_manage_event(user, event):
        raise PermissionDenied(_("Only the seminar's organisers may do this."))
    return event


def event_registrations(*, event: Event, user, include_cancelled: bool = False) -> QuerySet[Registration]:
    """Who registered, for the organisers only."""
    if not permissions.can_manage_event(user, event):
        raise PermissionDenied(_("Only the seminar's organisers see who registered."))
    qs = event.registrations.select_related("user", "organisation").order_by("created_at", "pk")
    return qs if include_cancelled else qs.filter(status=Registration.Status.REGISTERED)


def registration_of(*, event: Event, user) -> Registration | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Registration.objects.filter(event=event, user=user).first()


# --- The home page ------------------------------------------------------------


def home_highlights(*, publications: int = 4, events: int = 3) -> dict:
    """What coordinators feature, then the newest publications and the next seminars;
    what is featured is not listed twice."""
    featured_pubs = list(featured_publications(limit=3))
    latest_pubs = [p for p in latest_publications(limit=publications + len(featured_pubs)) if p not in featured_pubs]
    featured_evts = list(featured_events(limit=3))
    next_evts = [e for e in upcoming_events(limit=events + len(featured_evts)) if e not in featured_evts]
    return {
        "featured_publications": featured_pubs,
        "latest_publications": latest_pubs[:publications],
        "featured_events": featured_evts,
        "upcoming_events": next_evts[:events],
    }
