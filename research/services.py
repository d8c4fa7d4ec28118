"""Every write about publications, evaluations and seminars. Each function is one transaction."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import email_send_template
from core.exceptions import conflict, forbidden, invalid
from partners.countries import BY_CODE
from partners.languages import CONTENT_LANGUAGE_CODES
from partners.models import Organisation, Topic
from research import permissions
from research.models import Evaluation, Event, Publication, PublicationCountry, PublicationTranslation, Registration
from research.timezones import pin_to_zone, zone_get
from research.uploads import pdf_check

MAX_AUTHORS = 100


# --- Shared checks ------------------------------------------------------------


def _check_text(value: str, *, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise invalid(message, field=field)
    return value


def _check_language(language: str, *, field: str = "language") -> None:
    if language not in CONTENT_LANGUAGE_CODES:
        raise invalid(_("Unknown language tag “%(tag)s”.") % {"tag": language}, field=field)


def _check_url(url: str, *, field: str) -> str:
    url = (url or "").strip()
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise invalid(_("“%(url)s” is not a web address (http:// or https://).") % {"url": url}, field=field)
    return url


def _check_topics(topics: Iterable[Topic] | None) -> list[Topic] | None:
    if topics is None:
        return None
    topics = list(topics)
    if any(not topic.is_active for topic in topics):
        raise invalid(_("A topic chosen is no longer in the taxonomy."), field="topics")
    return topics


def _locked(model, instance):
    # Writes start from the row as committed, locked against a concurrent write.
    return model.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=instance.pk)


# --- Publications -------------------------------------------------------------

PUBLICATION_FIELDS = ("type", "title", "abstract", "language", "authors", "external_url", "doi")


def _clean_authors(authors) -> list[str]:
    if isinstance(authors, str):
        authors = authors.splitlines()
    names = [" ".join(str(name).split()) for name in (authors or [])]
    names = [name for name in names if name]
    if len(names) > MAX_AUTHORS:
        raise invalid(_("List at most %(count)s authors.") % {"count": MAX_AUTHORS}, field="authors")
    if any(len(name) > 200 for name in names):
        raise invalid(_("An author's name is longer than 200 characters."), field="authors")
    return names


def _clean_doi(doi: str) -> str:
    doi = (doi or "").strip()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"):
        if doi.lower().startswith(prefix):
            doi = doi[len(prefix):]
    if doi and not (doi.startswith("10.") and "/" in doi):
        raise invalid(_("A DOI starts with “10.” and has a “/”, like 10.1234/abcd."), field="doi")
    return doi


def _check_publication(publication: Publication) -> None:
    publication.title = _check_text(publication.title, field="title", message=_("A publication needs a title."))
    publication.abstract = _check_text(publication.abstract, field="abstract", message=_("A publication needs an abstract."))
    if publication.type not in Publication.Type.values:
        raise invalid(_("“%(type)s” is not a type of publication.") % {"type": publication.type}, field="type")
    _check_language(publication.language)
    publication.authors = _clean_authors(publication.authors)
    publication.external_url = _check_url(publication.external_url, field="external_url")
    publication.doi = _clean_doi(publication.doi)


def _set_countries(publication: Publication, countries: Iterable[str]) -> None:
    codes = sorted({(code or "").upper() for code in countries if code})
    unknown = [code for code in codes if code not in BY_CODE]
    if unknown:
        raise invalid(
            _("“%(code)s” is not China or a CEE country of the mechanism.") % {"code": unknown[0]}, field="countries"
        )
    publication.countries.exclude(country__in=codes).delete()
    existing = set(publication.countries.values_list("country", flat=True))
    PublicationCountry.objects.bulk_create(
        [PublicationCountry(publication=publication, country=code) for code in codes if code not in existing]
    )


def _set_translations(publication: Publication, translations: Iterable[dict]) -> None:
    """Replace the translations with these ({language, title, abstract} each)."""
    seen: set[str] = set()
    rows = []
    for item in translations:
        language = item.get("language", "")
        _check_language(language, field="translations")
        if language == publication.language:
            raise invalid(_("A translation must be in another language than the original."), field="translations")
        if language in seen:
            raise invalid(_("Give one translation per language."), field="translations")
        seen.add(language)
        title = _check_text(item.get("title", ""), field="translations", message=_("A translation needs its title."))
        rows.append(PublicationTranslation(
            publication=publication, language=language, title=title, abstract=(item.get("abstract") or "").strip()
        ))
    publication.translations.all().delete()
    PublicationTranslation.objects.bulk_create(rows)


def _check_projects(publication: Publication, projects) -> list:
    """Only projects the publishing organisation takes part in may be linked to it."""
    from projects.models import ProjectParty

    projects = list(projects)
    party_of = set(
        ProjectParty.objects.filter(organisation=publication.organisation, project__in=projects)
        .exclude(status=ProjectParty.Status.DECLINED)
        .values_list("project_id", flat=True)
    )
    if any(project.pk not in party_of for project in projects):
        raise invalid(_("Link only projects that your organisation takes part in."), field="projects")
    return projects


def _set_relations(publication: Publication, *, topics=None, countries=None, projects=None, translations=None) -> None:
    topics = _check_topics(topics)
    if topics is not None:
        publication.topics.set(topics)
    if countries is not None:
        _set_countries(publication, countries)
    if projects is not None:
        publication.projects.set(_check_projects(publication, projects))
    if translations is not None:
        _set_translations(publication, translations)


def _attach_pdf(publication: Publication, pdf) -> None:
    """Check the upload and attach it; the file it replaces goes once the transaction commits."""
    publication.pdf_size = pdf_check(pdf)
    previous = publication.pdf.name if publication.pdf else ""
    publication.pdf = pdf
    if previous:
        storage = publication.pdf.storage
        transaction.on_commit(lambda: storage.delete(previous))


@transaction.atomic
def publication_create(
    *, organisation: Organisation, by, type: str, title: str, abstract: str, language: str = "en", authors=(),
    topics=None, countries=None, projects=None, translations=None, pdf=None, external_url: str = "", doi: str = "",
) -> Publication:
    """A draft in the name of a think tank or university the author belongs to."""
    if not permissions.can_publish_for(by, organisation):
        raise forbidden(_("Only members of a verified think tank or university may publish in its name."))
    publication = Publication(
        organisation=organisation, type=type, title=title, abstract=abstract, language=language, authors=authors,
        external_url=external_url, doi=doi, created_by=by,
    )
    _check_publication(publication)
    if pdf:
        _attach_pdf(publication, pdf)
    publication.save()
    _set_relations(publication, topics=topics, countries=countries or [], projects=projects or [], translations=translations or [])
    return publication


@transaction.atomic
def publication_update(
    *, publication: Publication, by, topics=None, countries=None, projects=None, translations=None, pdf=None,
    remove_pdf: bool = False, **changes,
) -> Publication:
    if not permissions.can_edit_publication(by, publication):
        raise forbidden(_("Only members of the publishing organisation may change it."))
    unknown = set(changes) - set(PUBLICATION_FIELDS)
    if unknown:
        raise invalid(_("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    publication = _locked(Publication, publication)
    for field, value in changes.items():
        setattr(publication, field, value)
    _check_publication(publication)
    if pdf:
        _attach_pdf(publication, pdf)
    elif remove_pdf and publication.pdf:
        previous, storage = publication.pdf.name, publication.pdf.storage
        publication.pdf, publication.pdf_size = "", None
        transaction.on_commit(lambda: storage.delete(previous))
    if publication.is_published and not (publication.pdf or publication.external_url):
        raise invalid(_("A published publication keeps its PDF or its external link."), field="pdf")
    publication.save()
    _set_relations(publication, topics=topics, countries=countries, projects=projects, translations=translations)
    return publication


@transaction.atomic
def publication_publish(*, publication: Publication, by) -> Publication:
    if not permissions.can_edit_publication(by, publication):
        raise forbidden(_("Only members of the publishing organisation may publish it."))
    publication = _locked(Publication, publication)
    if publication.status != Publication.Status.DRAFT:
        raise conflict(_("This publication is already published."))
    if not permissions.can_publish_for(by, publication.organisation):
        raise forbidden(_("Only members of a verified think tank or university may publish in its name."))
    if not (publication.pdf or publication.external_url):
        raise invalid(_("Upload the PDF or give an external link before publishing."), field="pdf")
    publication.publish()
    publication.published_at = timezone.now()
    publication.save(update_fields=["status", "published_at", "updated_at"])
    return publication


@transaction.atomic
def publication_feature(*, publication: Publication, by, featured: bool = True) -> Publication:
    """A coordinator features a published publication on the home page, or stops featuring it."""
    if not permissions.can_feature(by):
        raise forbidden(_("Only coordinators choose what the home page features."))
    publication = _locked(Publication, publication)
    if featured and not publication.is_published:
        raise conflict(_("Only a published publication can be featured."))
    publication.featured_at = timezone.now() if featured else None
    publication.featured_by = by if featured else None
    publication.save(update_fields=["featured_at", "featured_by", "updated_at"])
    return publication


# --- Evaluations --------------------------------------------------------------

EVALUATION_FIELDS = ("title", "text", "language", "report", *(name for name, _label in Evaluation.CRITERIA))


def _check_evaluation(evaluation: Evaluation) -> None:
    evaluation.title = _check_text(evaluation.title, field="title", message=_("An evaluation needs a title."))
    evaluation.text = _check_text(evaluation.text, field="text", message=_("Write the evaluation's text."))
    _check_language(evaluation.language)
    for name, label in Evaluation.CRITERIA:
        score = getattr(evaluation, name)
        if not isinstance(score, int) or isinstance(score, bool) or not Evaluation.SCORE_MIN <= score <= Evaluation.SCORE_MAX:
            raise invalid(
                _("Score %(criterion)s from %(low)s to %(high)s.")
                % {"criterion": label, "low": Evaluation.SCORE_MIN, "high": Evaluation.SCORE_MAX},
                field=name,
            )
    if evaluation.report_id and evaluation.report.organisation_id != evaluation.organisation_id:
        raise invalid(_("The full report must be a publication of the evaluating organisation."), field="report")


def _set_kpis(evaluation: Evaluation, kpis) -> None:
    kpis = list(kpis)
    if any(kpi.project_id != evaluation.project_id for kpi in kpis):
        raise invalid(_("Refer only to KPIs of the project evaluated."), field="kpis")
    evaluation.kpis.set(kpis)


@transaction.atomic
def evaluation_create(
    *, project, organisation: Organisation, by, title: str, text: str, language: str = "en", kpis=None, report=None,
    **scores: int,
) -> Evaluation:
    """A draft evaluation by the project's think-tank evaluator; scores are keyword arguments per criterion."""
    if not permissions.can_evaluate(by, project, organisation):
        raise forbidden(_("Only members of a think tank or university that evaluates this project may evaluate it."))
    criteria = {name for name, _label in Evaluation.CRITERIA}
    if set(scores) - criteria:
        raise invalid(_("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(set(scores) - criteria))})
    evaluation = Evaluation(
        project=project, organisation=organisation, title=title, text=text, language=language, report=report,
        created_by=by, **{name: scores.get(name) for name in criteria},
    )
    _check_evaluation(evaluation)
    evaluation.save()
    _set_kpis(evaluation, kpis or [])
    return evaluation


@transaction.atomic
def evaluation_update(*, evaluation: Evaluation, by, kpis=None, **changes) -> Evaluation:
    if not permissions.can_edit_evaluation(by, evaluation):
        raise forbidden(_("Only members of the evaluating organisation may change this evaluation."))
    unknown = set(changes) - set(EVALUATION_FIELDS)
    if unknown:
        raise invalid(_("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    evaluation = _locked(Evaluation, evaluation)
    for field, value in changes.items():
        setattr(evaluation, field, value)
    _check_evaluation(evaluation)
    evaluation.save()
    if kpis is not None:
        _set_kpis(evaluation, kpis)
    return evaluation


@transaction.atomic
def evaluation_publish(*, evaluation: Evaluation, by) -> Evaluation:
    if not permissions.can_edit_evaluation(by, evaluation):
        raise forbidden(_("Only members of the evaluating organisation may publish this evaluation."))
    evaluation = _locked(Evaluation, evaluation)
    if evaluation.status != Evaluation.Status.DRAFT:
        raise conflict(_("This evaluation is already published."))
    # The organisation may have stopped being the evaluator since the draft was written.
    if not permissions.can_evaluate(by, evaluation.project, evaluation.organisation):
        raise forbidden(_("Only members of a think tank or university that evaluates this project may evaluate it."))
    evaluation.publish()
    evaluation.published_at = timezone.now()
    evaluation.save(update_fields=["status", "published_at", "updated_at"])
    return evaluation


# --- Seminars -----------------------------------------------------------------

EVENT_FIELDS = ("title", "description", "language", "starts_at", "ends_at", "timezone", "place", "online_url", "capacity")


def _apply_times(event: Event, *, starts_at, ends_at, zone_name: str, previous_zone: str | None) -> None:
    """Pin naive times to the event's zone; when only the zone changes, the wall-clock times stay."""
    zone = zone_get(zone_name)
    if previous_zone and previous_zone != zone_name:
        old = zone_get(previous_zone)
        starts_at = starts_at if starts_at is not None else event.starts_at.astimezone(old).replace(tzinfo=None)
        ends_at = ends_at if ends_at is not None else event.ends_at.astimezone(old).replace(tzinfo=None)
    if starts_at is not None:
        event.starts_at = pin_to_zone(starts_at, zone, field="starts_at")
    if ends_at is not None:
        event.ends_at = pin_to_zone(ends_at, zone, field="ends_at")
    event.timezone = zone.key


def _check_event(event: Event, *, times_changed: bool) -> None:
    event.title = _check_text(event.title, field="title", message=_("A seminar needs a title."))
    event.description = _check_text(event.description, field="description", message=_("Say what the seminar is about."))
    _check_language(event.language)
    event.place = (event.place or "").strip()
    event.online_url = _check_url(event.online_url, field="online_url")
    if not (event.place or event.online_url):
        raise invalid(_("Give the place, the online link, or both."), field="place")
    if not isinstance(event.starts_at, datetime) or not isinstance(event.ends_at, datetime):
        raise invalid(_("Give when the seminar starts and ends."), field="starts_at")
    if event.ends_at <= event.starts_at:
        raise invalid(_("The seminar must end after it starts."), field="ends_at")
    if times_changed and event.starts_at < timezone.now():
        raise invalid(_("A seminar cannot start in the past."), field="starts_at")
    if event.capacity is not None and event.capacity < 1:
        raise invalid(_("Leave the number of places empty, or give at least one."), field="capacity")


def _set_co_organisers(event: Event, co_organisers) -> None:
    co_organisers = [o for o in co_organisers if o.pk != event.organisation_id]
    if any(not organisation.is_verified for organisation in co_organisers):
        raise invalid(_("Co-organisers must be verified organisations."), field="co_organisers")
    event.co_organisers.set(co_organisers)


@transaction.atomic
def event_create(
    *, organisation: Organisation, by, title: str, description: str, starts_at: datetime, ends_at: datetime,
    timezone: str, language: str = "en", place: str = "", online_url: str = "", capacity: int | None = None,
    topics=None, co_organisers=None,
) -> Event:
    """A draft seminar. Naive times are wall-clock times in `timezone` (an IANA name)."""
    if not permissions.can_organise_for(by, organisation):
        raise forbidden(_("Only members of a verified think tank or university may organise seminars in its name."))
    event = Event(
        organisation=organisation, title=title, description=description, language=language, place=place,
        online_url=online_url, capacity=capacity, created_by=by,
    )
    _apply_times(event, starts_at=starts_at, ends_at=ends_at, zone_name=timezone, previous_zone=None)
    _check_event(event, times_changed=True)
    event.save()
    topics = _check_topics(topics)
    if topics:
        event.topics.set(topics)
    _set_co_organisers(event, co_organisers or [])
    return event


@transaction.atomic
def event_update(*, event: Event, by, topics=None, co_organisers=None, **changes) -> Event:
    if not permissions.can_manage_event(by, event):
        raise forbidden(_("Only the seminar's organisers may change it."))
    unknown = set(changes) - set(EVENT_FIELDS)
    if unknown:
        raise invalid(_("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    event = _locked(Event, event)
    if event.is_cancelled:
        raise conflict(_("This seminar is cancelled."))
    previous_zone = event.timezone
    times = {key: changes.pop(key, None) for key in ("starts_at", "ends_at")}
    zone_name = changes.pop("timezone", previous_zone)
    for field, value in changes.items():
        setattr(event, field, value)
    _apply_times(event, starts_at=times["starts_at"], ends_at=times["ends_at"], zone_name=zone_name, previous_zone=previous_zone)
    _check_event(event, times_changed=any(times.values()) or zone_name != previous_zone)
    if "capacity" in changes and event.capacity is not None:
        taken = event.registrations.filter(status=Registration.Status.REGISTERED).count()
        if event.capacity < taken:
            raise conflict(_("%(count)s people have registered already: give at least that many places.") % {"count": taken}, field="capacity")
    event.save()
    topics = _check_topics(topics)
    if topics is not None:
        event.topics.set(topics)
    if co_organisers is not None:
        _set_co_organisers(event, co_organisers)
    return event


@transaction.atomic
def event_publish(*, event: Event, by) -> Event:
    if not permissions.can_manage_event(by, event):
        raise forbidden(_("Only the seminar's organisers may publish it."))
    event = _locked(Event, event)
    if event.status != Event.Status.DRAFT:
        raise conflict(_("This seminar is not a draft any more."))
    if event.starts_at < timezone.now():
        raise conflict(_("This seminar's start has passed: change its time before publishing it."))
    event.publish()
    event.published_at = timezone.now()
    event.save(update_fields=["status", "published_at", "updated_at"])
    return event


def _registered_emails(event: Event) -> list[str]:
    return list(
        event.registrations.filter(status=Registration.Status.REGISTERED).values_list("user__email", flat=True)
    )


@transaction.atomic
def event_cancel(*, event: Event, by) -> Event:
    """Cancel a published seminar; everyone registered is told."""
    if not permissions.can_manage_event(by, event):
        raise forbidden(_("Only the seminar's organisers may cancel it."))
    event = _locked(Event, event)
    if event.status != Event.Status.PUBLISHED:
        raise conflict(_("Only a published seminar can be cancelled."))
    event.cancel()
    event.cancelled_at = timezone.now()
    event.save(update_fields=["status", "cancelled_at", "featured_at", "updated_at"])
    email_send_template(to=_registered_emails(event), template="research/email/event_cancelled", context={"event": event})
    return event


@transaction.atomic
def event_feature(*, event: Event, by, featured: bool = True) -> Event:
    if not permissions.can_feature(by):
        raise forbidden(_("Only coordinators choose what the home page features."))
    event = _locked(Event, event)
    if featured and not event.is_published:
        raise conflict(_("Only a published seminar can be featured."))
    event.featured_at = timezone.now() if featured else None
    event.featured_by = by if featured else None
    event.save(update_fields=["featured_at", "featured_by", "updated_at"])
    return event


def _check_open_for_registration(event: Event) -> None:
    if event.status != Event.Status.PUBLISHED:
        raise conflict(_("This seminar is not open for registration."))
    if event.starts_at <= timezone.now():
        raise conflict(_("Registration has closed: the seminar has started."))


@transaction.atomic
def registration_create(*, event: Event, user) -> Registration:
    """Take a place; the event row is locked so that two people never take the last one."""
    if not permissions.can_register(user):
        raise forbidden(_("Sign in to register."))
    event = _locked(Event, event)
    _check_open_for_registration(event)
    registration = Registration.objects.select_for_update().filter(event=event, user=user).first()
    if registration is not None and registration.is_active:
        raise conflict(_("You are already registered for this seminar."))
    taken = event.registrations.filter(status=Registration.Status.REGISTERED).count()
    if event.capacity is not None and taken >= event.capacity:
        raise conflict(_("This seminar is full."))
    try:
        with transaction.atomic():
            registration = _register(event, user, registration)
    except IntegrityError:
        raise conflict(_("You are already registered for this seminar."))
    email_send_template(
        to=[user.email], template="research/email/registration_confirmed", context={"event": event, "user": user}
    )
    return registration


def _register(event: Event, user, registration: Registration | None) -> Registration:
    organisation = user.acting_organisation
    if registration is None:
        return Registration.objects.create(event=event, user=user, organisation=organisation)
    registration.status, registration.cancelled_at = Registration.Status.REGISTERED, None
    registration.organisation = organisation
    registration.save(update_fields=["status", "cancelled_at", "organisation", "updated_at"])
    return registration


@transaction.atomic
def registration_cancel(*, event: Event, user) -> Registration:
    if not permissions.can_register(user):
        raise forbidden(_("Sign in to register."))
    registration = Registration.objects.select_for_update().filter(event=event, user=user).first()
    if registration is None or not registration.is_active:
        raise conflict(_("You are not registered for this seminar."))
    if event.starts_at <= timezone.now() and event.status == Event.Status.PUBLISHED:
        raise conflict(_("The seminar has started; there is nothing left to cancel."))
    registration.status, registration.cancelled_at = Registration.Status.CANCELLED, timezone.now()
    registration.save(update_fields=["status", "cancelled_at", "updated_at"])
    return registration
