"""Research pages: the library, evaluations and seminars. Parse input, call a service or selector, render."""
from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.exceptions import DomainError
from core.views import add_domain_error, raise_or_flash
from partners.models import Topic
from partners.views import coordinator_required
from research import citations, ical, permissions, selectors, services
from research.feeds import PublicationFeed
from research.forms import (
    EvaluationForm,
    EventForm,
    FeatureForm,
    LibraryFilterForm,
    PublicationForm,
    translation_formset,
    translations_from,
)
from research.models import Publication

LIBRARY_PAGE_SIZE = 20

publication_feed = PublicationFeed()


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- The library --------------------------------------------------------------


def library(request):
    topics = list(Topic.objects.filter(is_active=True).order_by("position"))
    form = LibraryFilterForm(request.GET or None, topics=topics, years=selectors.publication_years())
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(selectors.publication_library(filters=filters), LIBRARY_PAGE_SIZE).get_page(request.GET.get("page"))
    query = _query_without_page(request)
    return render(request, "research/library.html", {
        "form": form, "page": page, "query": query,
        "feed_query": query, "can_publish": request.user.is_authenticated,
    })


def publication_detail(request, pk: int):
    publication = selectors.publication_get_for_user(user=request.user, pk=pk)
    return render(request, "research/publication_detail.html", {
        "publication": publication,
        "projects": selectors.publication_projects_for_user(publication=publication, user=request.user),
        "evaluations": selectors.evaluation_list_for_user(user=request.user).filter(report=publication),
        "can_edit": permissions.can_edit_publication(request.user, publication),
        "can_feature": permissions.can_feature(request.user),
    })


def _publication_data(form, formset, *, changed_only: bool) -> dict:
    data = form.cleaned_data
    names = form.changed_data if changed_only else list(data)
    changes = {
        name: data[name] for name in names
        if name in ("type", "title", "abstract", "language", "authors", "doi", "external_url")
    }
    if "authors" in changes:
        changes["authors"] = (changes["authors"] or "").splitlines()
    relations = {name: data[name] for name in ("topics", "countries", "projects") if not changed_only or name in names}
    pdf = data.get("pdf")
    return {
        **changes, **relations,
        "translations": translations_from(formset) if not changed_only or formset.has_changed() else None,
        "pdf": pdf or None,
        **({"remove_pdf": True} if changed_only and pdf is False else {}),
    }


@login_required
def publication_create(request):
    organisations = selectors.research_organisations_for_user(user=request.user)
    if not organisations.exists():
        messages.error(request, _("Only members of a verified think tank or university may publish. Join one first."))
        return redirect("partners:my_organisations")
    form = PublicationForm(request.POST or None, request.FILES or None, organisations=organisations,
                           projects=selectors.projects_to_link(user=request.user),
                           initial={"organisation": request.user.acting_organisation_id})
    formset = translation_formset(request.POST or None)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = _publication_data(form, formset, changed_only=False)
        try:
            publication = services.publication_create(organisation=form.cleaned_data["organisation"], by=request.user, **data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Saved as a draft. Check it, then publish it."))
            return redirect(publication)
    return render(request, "research/publication_form.html", {"form": form, "formset": formset, "creating": True})


@login_required
def publication_edit(request, pk: int):
    publication = selectors.publication_get_for_user(user=request.user, pk=pk, write=True)
    form = PublicationForm(request.POST or None, request.FILES or None, instance=publication,
                           projects=selectors.projects_to_link(user=request.user))
    formset = translation_formset(request.POST or None, publication=publication)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = _publication_data(form, formset, changed_only=True)
        try:
            publication = services.publication_update(publication=publication, by=request.user, **data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(publication)
    return render(request, "research/publication_form.html",
                  {"form": form, "formset": formset, "publication": publication})


@login_required
@require_POST
def publication_publish(request, pk: int):
    publication = selectors.publication_get_for_user(user=request.user, pk=pk)
    try:
        services.publication_publish(publication=publication, by=request.user)
    except DomainError as error:
        raise_or_flash(request, error)
    else:
        messages.success(request, _("Published: it is in the library now."))
    return redirect(publication)


@coordinator_required
@require_POST
def publication_feature(request, pk: int):
    publication = selectors.publication_get_for_user(user=request.user, pk=pk)
    form = FeatureForm(request.POST)
    featured = form.cleaned_data["featured"] if form.is_valid() else False
    try:
        services.publication_feature(publication=publication, by=request.user, featured=featured)
    except DomainError as error:
        raise_or_flash(request, error)
    else:
        messages.success(request, _("Featured on the home page.") if featured else _("No longer featured."))
    return redirect(publication)


def _download_name(publication: Publication, extension: str) -> str:
    return f"{slugify(publication.title)[:80] or 'publication'}-{publication.pk}.{extension}"


@require_GET
def publication_pdf(request, pk: int):
    publication = selectors.publication_get_for_user(user=request.user, pk=pk)
    if not publication.pdf:
        raise Http404(_("This publication has no PDF here."))
    response = FileResponse(publication.pdf.open("rb"), content_type="application/pdf",
                            filename=_download_name(publication, "pdf"))
    # Shown in the browser's viewer rather than downloaded; never sniffed as anything else.
    response["Content-Disposition"] = response["Content-Disposition"].replace("attachment", "inline")
    return response


def _citation_response(publication: Publication, text: str, *, content_type: str, extension: str) -> HttpResponse:
    response = HttpResponse(text.encode("utf-8"), content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_download_name(publication, extension)}"'
    return response


@require_GET
def publication_bibtex(request, pk: int):
    publication = selectors.publication_get_for_user(user=request.user, pk=pk)
    return _citation_response(publication, citations.bibtex(publication), content_type="application/x-bibtex", extension="bib")


@require_GET
def publication_ris(request, pk: int):
    publication = selectors.publication_get_for_user(user=request.user, pk=pk)
    return _citation_response(
        publication, citations.ris(publication), content_type="application/x-research-info-systems", extension="ris"
    )


# --- Evaluations --------------------------------------------------------------


def evaluation_list(request):
    page = Paginator(selectors.evaluation_list_for_user(user=request.user), LIBRARY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "research/evaluation_list.html", {
        "page": page, "query": "",
        "projects_to_evaluate": selectors.projects_to_evaluate(user=request.user),
    })


def evaluation_detail(request, pk: int):
    evaluation = selectors.evaluation_get_for_user(user=request.user, pk=pk)
    return render(request, "research/evaluation_detail.html", {
        "evaluation": evaluation,
        "can_edit": permissions.can_edit_evaluation(request.user, evaluation),
        "can_view_project": permissions.can_view_project(request.user, evaluation.project),
    })


def _evaluation_data(form, *, changed_only: bool) -> dict:
    from research.models import Evaluation

    fields = ("title", "text", "language", "report", *(name for name, _label in Evaluation.CRITERIA))
    names = form.changed_data if changed_only else fields
    data = {name: form.cleaned_data[name] for name in names if name in fields}
    if not changed_only or "kpis" in form.changed_data:
        data["kpis"] = form.cleaned_data["kpis"]
    return data


@login_required
def evaluation_create(request, project_pk: int):
    project = selectors.project_get_for_evaluation(user=request.user, pk=project_pk)
    organisations = selectors.evaluator_organisations_for(user=request.user, project=project)
    if not organisations.exists():
        raise PermissionDenied(_("Only members of a think tank or university that evaluates this project may evaluate it."))
    form = EvaluationForm(request.POST or None, project=project, organisations=organisations,
                          reports=selectors.reports_of(organisations=organisations))
    if request.method == "POST" and form.is_valid():
        try:
            evaluation = services.evaluation_create(
                project=project, organisation=form.cleaned_data["organisation"], by=request.user,
                **_evaluation_data(form, changed_only=False),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Saved as a draft. Check it, then publish it."))
            return redirect(evaluation)
    return render(request, "research/evaluation_form.html", {"form": form, "project": project, "creating": True})


@login_required
def evaluation_edit(request, pk: int):
    evaluation = selectors.evaluation_get_for_user(user=request.user, pk=pk, write=True)
    form = EvaluationForm(request.POST or None, instance=evaluation, project=evaluation.project,
                          reports=selectors.reports_of(organisations=[evaluation.organisation]))
    if request.method == "POST" and form.is_valid():
        try:
            evaluation = services.evaluation_update(
                evaluation=evaluation, by=request.user, **_evaluation_data(form, changed_only=True)
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(evaluation)
    return render(request, "research/evaluation_form.html",
                  {"form": form, "project": evaluation.project, "evaluation": evaluation})


@login_required
@require_POST
def evaluation_publish(request, pk: int):
    evaluation = selectors.evaluation_get_for_user(user=request.user, pk=pk)
    try:
        services.evaluation_publish(evaluation=evaluation, by=request.user)
    except DomainError as error:
        raise_or_flash(request, error)
    else:
        messages.success(request, _("Published: the project's parties see it on the project page."))
    return redirect(evaluation)


# --- Seminars -----------------------------------------------------------------


def event_list(request):
    topic = request.GET.get("topic") or ""
    filters = {"topic": topic} if topic else {}
    return render(request, "research/event_list.html", {
        "upcoming": selectors.upcoming_events(filters=filters),
        "past": selectors.past_events(filters=filters),
        "topics": Topic.objects.filter(is_active=True, parent__isnull=True).order_by("position"),
        "topic": topic,
    })


def event_detail(request, pk: int):
    event = selectors.event_get_for_user(user=request.user, pk=pk)
    registration = selectors.registration_of(event=event, user=request.user)
    return render(request, "research/event_detail.html", {
        "event": event,
        "registration": registration,
        "is_registered": registration is not None and registration.is_active,
        "is_full": event.capacity is not None and event.registered_count >= event.capacity,
        "registration_open": event.is_published and event.starts_at > timezone.now(),
        "can_manage": permissions.can_manage_event(request.user, event),
        "can_feature": permissions.can_feature(request.user),
    })


def _event_data(form, *, changed_only: bool) -> dict:
    fields = ("title", "description", "language", "starts_at", "ends_at", "timezone", "place", "online_url", "capacity")
    names = form.changed_data if changed_only else fields
    data = {name: form.cleaned_data[name] for name in names if name in fields}
    for name in ("topics", "co_organisers"):
        if not changed_only or name in form.changed_data:
            data[name] = form.cleaned_data[name]
    return data


@login_required
def event_create(request):
    organisations = selectors.research_organisations_for_user(user=request.user)
    if not organisations.exists():
        messages.error(request, _("Seminars are organised by members of verified think tanks and universities. Join one first."))
        return redirect("partners:my_organisations")
    form = EventForm(request.POST or None, organisations=organisations,
                     initial={"organisation": request.user.acting_organisation_id, "timezone": "Europe/Warsaw"})
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(
                organisation=form.cleaned_data["organisation"], by=request.user, **_event_data(form, changed_only=False)
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Saved as a draft. Check it, then publish it."))
            return redirect(event)
    return render(request, "research/event_form.html", {"form": form, "creating": True})


@login_required
def event_edit(request, pk: int):
    event = selectors.event_get_for_user(user=request.user, pk=pk, manage=True)
    form = EventForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_update(event=event, by=request.user, **_event_data(form, changed_only=True))
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(event)
    return render(request, "research/event_form.html", {"form": form, "event": event})


def _event_action(request, pk: int, action, done: str):
    event = selectors.event_get_for_user(user=request.user, pk=pk)
    try:
        action(event)
    except DomainError as error:
        raise_or_flash(request, error)
    else:
        messages.success(request, done)
    return redirect(event)


@login_required
@require_POST
def event_publish(request, pk: int):
    return _event_action(request, pk, lambda e: services.event_publish(event=e, by=request.user),
                         _("Published: the seminar is listed and open for registration."))


@login_required
@require_POST
def event_cancel(request, pk: int):
    return _event_action(request, pk, lambda e: services.event_cancel(event=e, by=request.user),
                         _("The seminar is cancelled; everyone registered has been told."))


@coordinator_required
@require_POST
def event_feature(request, pk: int):
    form = FeatureForm(request.POST)
    featured = form.cleaned_data["featured"] if form.is_valid() else False
    return _event_action(request, pk, lambda e: services.event_feature(event=e, by=request.user, featured=featured),
                         _("Featured on the home page.") if featured else _("No longer featured."))


@login_required
@require_POST
def event_register(request, pk: int):
    return _event_action(request, pk, lambda e: services.registration_create(event=e, user=request.user),
                         _("You are registered. Add the seminar to your calendar below."))


@login_required
@require_POST
def event_unregister(request, pk: int):
    return _event_action(request, pk, lambda e: services.registration_cancel(event=e, user=request.user),
                         _("Your registration is cancelled."))


def _calendar_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def event_ics(request, pk: int):
    event = selectors.event_get_for_user(user=request.user, pk=pk)
    content = ical.calendar_for([event], base_url=request.build_absolute_uri("/"), name=event.title)
    return _calendar_response(content, f"seminar-{event.pk}.ics")


@require_GET
def events_ics(request):
    """The feed of upcoming seminars, to subscribe to in a calendar."""
    events = selectors.upcoming_events(filters={"topic": request.GET.get("topic", "")})
    content = ical.calendar_for(events, base_url=request.build_absolute_uri("/"), name=_("China–CEE smart-city seminars"))
    return _calendar_response(content, "seminars.ics")


@login_required
def event_registrations(request, pk: int):
    event = selectors.event_get_for_user(user=request.user, pk=pk, manage=True)
    registrations = selectors.event_registrations(event=event, user=request.user, include_cancelled=True)
    return render(request, "research/event_registrations.html", {"event": event, "registrations": registrations})


# Spreadsheets run a cell that starts with one of these as a formula.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_PREFIXES) else text


@login_required
def event_registrations_csv(request, pk: int):
    event = selectors.event_get_for_user(user=request.user, pk=pk, manage=True)
    registrations = selectors.event_registrations(event=event, user=request.user, include_cancelled=True)
    buffer = io.StringIO()
    # The byte-order mark tells Excel the file is UTF-8, so Chinese names open intact.
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([_("Full name"), _("Email"), _("Organisation"), _("Status"), _("Registered at"), _("Cancelled at")])
    zone = event.zone
    for registration in registrations:
        writer.writerow([_cell(value) for value in (
            registration.user.full_name, registration.user.email,
            registration.organisation.name if registration.organisation else "",
            registration.get_status_display(),
            registration.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z"),
            registration.cancelled_at.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z") if registration.cancelled_at else "",
        )])
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="seminar-{event.pk}-registrations.csv"'
    return response


# --- The user's own research ------------------------------------------------


@login_required
def my_research(request):
    return render(request, "research/my_research.html", {
        **selectors.drafts_for_user(user=request.user),
        "organisations": selectors.research_organisations_for_user(user=request.user),
        "projects_to_evaluate": selectors.projects_to_evaluate(user=request.user),
    })
