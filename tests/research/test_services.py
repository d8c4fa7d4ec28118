"""The rules of publishing, evaluating and organising seminars, at the service level."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from core.exceptions import DomainError, ErrorKind
from partners.models import Membership, Organisation, Topic
from research import selectors, services
from research.models import Evaluation, Event, Publication, Registration
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.research.factories import EventFactory, PublicationFactory, ThinkTankFactory

pytestmark = pytest.mark.django_db

SCORES = dict(relevance=5, effectiveness=4, efficiency=3, impact=4, sustainability=2)


def _draft(think_tank, by, **overrides) -> Publication:
    data = dict(type="report", title="Smart lighting", abstract="LED lamps in twelve cities.", language="en",
                authors=["Jana Nováková"], external_url="https://example.org/lighting")
    data.update(overrides)
    return services.publication_create(organisation=think_tank, by=by, **data)


# --- Publications -------------------------------------------------------------


def test_a_think_tank_member_writes_a_draft_with_its_topics_countries_and_translations(think_tank, researcher, taxonomy):
    topic = Topic.objects.get(code="energy.street-lighting")
    publication = _draft(
        think_tank, researcher, authors="  Jana   Nováková \n\nLi Wei", countries=["cz", "CN", "CZ"], topics=[topic],
        translations=[{"language": "zh-hans", "title": "智慧路灯", "abstract": "十二个城市的路灯。"}],
        doi="https://doi.org/10.1234/abc",
    )
    assert publication.status == "draft" and publication.published_at is None
    assert publication.authors == ["Jana Nováková", "Li Wei"]
    assert publication.country_codes == ["CN", "CZ"]
    assert list(publication.topics.all()) == [topic]
    assert [(t.language, t.title) for t in publication.translations.all()] == [("zh-hans", "智慧路灯")]
    assert publication.doi == "10.1234/abc"
    assert publication.created_by == researcher


def test_a_universitys_member_may_publish_too(researcher):
    university = OrganisationFactory(kind="university", name="Charles University", slug="cuni")
    MembershipFactory(user=researcher, organisation=university)
    assert _draft(university, researcher).organisation == university


def test_a_city_member_cannot_publish_in_the_citys_name(organisation, member):
    with pytest.raises(DomainError) as refused:
        _draft(organisation, member)
    assert refused.value.kind is ErrorKind.FORBIDDEN


@pytest.mark.parametrize("status", ["pending", "rejected"])
def test_an_unverified_think_tank_cannot_publish(researcher, status):
    think_tank = ThinkTankFactory(status=status)
    MembershipFactory(user=researcher, organisation=think_tank)
    with pytest.raises(DomainError):
        _draft(think_tank, researcher)


def test_a_member_who_only_asked_to_join_cannot_publish(think_tank):
    applicant = UserFactory()
    MembershipFactory(user=applicant, organisation=think_tank, status=Membership.Status.REQUESTED)
    with pytest.raises(DomainError):
        _draft(think_tank, applicant)


def test_publishing_needs_the_pdf_or_an_external_link(think_tank, researcher):
    publication = _draft(think_tank, researcher, external_url="")
    with pytest.raises(DomainError) as refused:
        services.publication_publish(publication=publication, by=researcher)
    assert refused.value.field == "pdf"
    services.publication_update(publication=publication, by=researcher, external_url="https://example.org/x")
    published = services.publication_publish(publication=publication, by=researcher)
    assert published.status == "published" and published.published_at is not None
    with pytest.raises(DomainError) as again:
        services.publication_publish(publication=published, by=researcher)
    assert again.value.kind is ErrorKind.CONFLICT


def test_a_published_publication_keeps_something_to_read(think_tank, researcher):
    publication = services.publication_publish(publication=_draft(think_tank, researcher), by=researcher)
    with pytest.raises(DomainError):
        services.publication_update(publication=publication, by=researcher, external_url="")


@pytest.mark.parametrize("translations, message", [
    ([{"language": "en", "title": "Same"}], "another language"),
    ([{"language": "pl", "title": "A"}, {"language": "pl", "title": "B"}], "one translation per language"),
    ([{"language": "pl", "title": " "}], "needs its title"),
    ([{"language": "xx", "title": "A"}], "Unknown language"),
])
def test_translations_are_checked(think_tank, researcher, translations, message):
    with pytest.raises(DomainError) as refused:
        _draft(think_tank, researcher, translations=translations)
    assert message in refused.value.message


@pytest.mark.parametrize("changes, field", [
    ({"title": "  "}, "title"), ({"abstract": ""}, "abstract"), ({"type": "novel"}, "type"),
    ({"language": "tlh"}, "language"), ({"doi": "not-a-doi"}, "doi"), ({"external_url": "ftp://x"}, "external_url"),
    ({"countries": ["US"]}, "countries"), ({"authors": ["x" * 201]}, "authors"),
])
def test_bad_fields_are_refused_beside_the_field(think_tank, researcher, changes, field):
    with pytest.raises(DomainError) as refused:
        _draft(think_tank, researcher, **changes)
    assert refused.value.field == field


def test_only_the_organisations_projects_may_be_linked(think_tank, researcher, project_world):
    from projects.models import Project

    own = project_world["project"]
    other = Project.objects.create(title="Someone else's project")
    assert list(_draft(think_tank, researcher, projects=[own]).projects.all()) == [own]
    with pytest.raises(DomainError) as refused:
        _draft(think_tank, researcher, projects=[other])
    assert refused.value.field == "projects"


def test_an_outsider_cannot_change_or_publish_a_draft(think_tank, researcher, outsider):
    publication = _draft(think_tank, researcher)
    for action in (lambda: services.publication_update(publication=publication, by=outsider, title="Mine"),
                   lambda: services.publication_publish(publication=publication, by=outsider)):
        with pytest.raises(DomainError) as refused:
            action()
        assert refused.value.kind is ErrorKind.FORBIDDEN


def test_the_publishing_organisation_cannot_be_changed(think_tank, researcher):
    with pytest.raises(DomainError):
        services.publication_update(publication=_draft(think_tank, researcher), by=researcher, organisation=think_tank)


def test_only_coordinators_feature_and_only_what_is_published(think_tank, researcher, coordinator):
    draft = _draft(think_tank, researcher)
    with pytest.raises(DomainError) as refused:
        services.publication_feature(publication=draft, by=researcher)
    assert refused.value.kind is ErrorKind.FORBIDDEN
    with pytest.raises(DomainError) as not_yet:
        services.publication_feature(publication=draft, by=coordinator)
    assert not_yet.value.kind is ErrorKind.CONFLICT
    published = services.publication_publish(publication=draft, by=researcher)
    featured = services.publication_feature(publication=published, by=coordinator)
    assert featured.is_featured and featured.featured_by == coordinator
    assert list(selectors.featured_publications()) == [featured]
    assert not services.publication_feature(publication=featured, by=coordinator, featured=False).is_featured


# --- The library's filters ------------------------------------------------------


@pytest.fixture
def shelf(think_tank, taxonomy):
    lighting = PublicationFactory(organisation=think_tank, title="Street lighting retrofit", language="en",
                                  published_at=datetime(2024, 5, 1, tzinfo=ZoneInfo("UTC")))
    lighting.topics.set([Topic.objects.get(code="energy.street-lighting")])
    lighting.countries.create(country="PL")
    lighting.translations.create(language="zh-hans", title="路灯改造", abstract="关于节能路灯的报告")
    trams = PublicationFactory(organisation=think_tank, title="Tram priority", type="dataset", language="cs",
                               authors=["Petr Svoboda"], abstract="Zpoždění tramvají.")
    trams.topics.set([Topic.objects.get(code="mobility.public-transport")])
    trams.countries.create(country="CZ")
    hidden = PublicationFactory(organisation=ThinkTankFactory(status="pending"), title="Street lighting, unverified")
    return {"lighting": lighting, "trams": trams, "hidden": hidden}


@pytest.mark.parametrize("filters, expected", [
    ({}, ["trams", "lighting"]),
    ({"topic": "energy"}, ["lighting"]),  # a domain includes its topics
    ({"topic": "mobility.public-transport"}, ["trams"]),
    ({"country": "PL"}, ["lighting"]),
    ({"type": "dataset"}, ["trams"]),
    ({"year": 2024}, ["lighting"]),
    ({"language": "zh-hans"}, ["lighting"]),  # translated into it counts
    ({"language": "cs"}, ["trams"]),
    ({"q": "lighting"}, ["lighting"]),
    ({"q": "节能"}, ["lighting"]),  # inside an unspaced Chinese translation
    ({"q": "Svoboda"}, ["trams"]),  # an author
    ({"q": "tramvají"}, ["trams"]),
])
def test_the_library_filters(shelf, filters, expected):
    assert [p.pk for p in selectors.publication_library(filters=filters)] == [shelf[name].pk for name in expected]


# --- Evaluations --------------------------------------------------------------


def _evaluate(project_world, think_tank, by, **overrides) -> Evaluation:
    data = dict(title="Mid-term evaluation", text="The pilot is on track.", language="en", **SCORES)
    data.update(overrides)
    return services.evaluation_create(project=project_world["project"], organisation=think_tank, by=by, **data)


def test_the_evaluator_think_tank_evaluates_with_scores_and_kpis(project_world, think_tank, researcher):
    evaluation = _evaluate(project_world, think_tank, researcher, kpis=project_world["kpis"][:1])
    assert evaluation.status == "draft"
    assert [score for _name, _label, score in evaluation.scores] == [5, 4, 3, 4, 2]
    assert evaluation.average_score == pytest.approx(3.6)
    assert list(evaluation.kpis.all()) == project_world["kpis"][:1]
    assert services.evaluation_publish(evaluation=evaluation, by=researcher).published_at is not None


@pytest.mark.parametrize("score", [0, 6, None, "5", True])
def test_each_score_is_from_one_to_five(project_world, think_tank, researcher, score):
    with pytest.raises(DomainError) as refused:
        _evaluate(project_world, think_tank, researcher, impact=score)
    assert refused.value.field == "impact"


def test_kpis_of_another_project_are_refused(project_world, think_tank, researcher):
    from projects.models import KPI, Project

    stranger = KPI.objects.create(project=Project.objects.create(title="Other"), name="x", unit="x", baseline=0, target=1)
    with pytest.raises(DomainError) as refused:
        _evaluate(project_world, think_tank, researcher, kpis=[stranger])
    assert refused.value.field == "kpis"


def test_the_full_report_must_be_the_evaluators_own(project_world, think_tank, researcher):
    own = PublicationFactory(organisation=think_tank, type="evaluation")
    assert _evaluate(project_world, think_tank, researcher, report=own).report == own
    with pytest.raises(DomainError):
        _evaluate(project_world, think_tank, researcher, report=PublicationFactory())


@pytest.mark.parametrize("role, status", [("evaluator", "invited"), ("evaluator", "declined"), ("partner", "accepted")])
def test_only_an_accepted_evaluator_party_evaluates(project_world, researcher, role, status):
    from projects.models import ProjectParty

    other = ThinkTankFactory()
    MembershipFactory(user=researcher, organisation=other)
    ProjectParty.objects.create(project=project_world["project"], organisation=other, role=role, status=status)
    with pytest.raises(DomainError) as refused:
        _evaluate(project_world, other, researcher)
    assert refused.value.kind is ErrorKind.FORBIDDEN


def test_a_city_that_is_a_party_cannot_evaluate(project_world, organisation, member):
    with pytest.raises(DomainError):
        _evaluate(project_world, organisation, member)


def test_an_organisation_no_longer_evaluator_cannot_publish_its_draft(project_world, think_tank, researcher):
    from projects.models import ProjectParty

    evaluation = _evaluate(project_world, think_tank, researcher)
    ProjectParty.objects.filter(organisation=think_tank).update(status="declined")
    with pytest.raises(DomainError):
        services.evaluation_publish(evaluation=evaluation, by=researcher)


def test_the_project_page_selector_shows_published_ones_to_parties_and_drafts_to_their_authors(
    project_world, think_tank, researcher, member, outsider, coordinator
):
    project = project_world["project"]
    draft = _evaluate(project_world, think_tank, researcher, title="Draft")
    published = services.evaluation_publish(evaluation=_evaluate(project_world, think_tank, researcher), by=researcher)

    def seen(user):
        return {e.pk for e in selectors.evaluations_for_project(project=project, user=user)}

    assert seen(researcher) == {draft.pk, published.pk}
    assert seen(member) == {published.pk}  # a member of the lead city
    assert seen(coordinator) == {published.pk}
    assert seen(outsider) == set()
    project.is_public = True
    project.save(update_fields=["is_public"])
    assert seen(outsider) == {published.pk}


# --- Seminars -----------------------------------------------------------------


def _seminar(think_tank, by, **overrides) -> Event:
    data = dict(title="Standards for city data", description="A seminar.", starts_at=datetime(2099, 6, 11, 10, 0),
                ends_at=datetime(2099, 6, 11, 12, 0), timezone="Europe/Warsaw", place="Warsaw University of Technology")
    data.update(overrides)
    return services.event_create(organisation=think_tank, by=by, **data)


def test_wall_clock_times_are_pinned_to_the_seminars_zone(think_tank, researcher):
    event = _seminar(think_tank, researcher)
    assert event.starts_at == datetime(2099, 6, 11, 8, 0, tzinfo=ZoneInfo("UTC"))  # CEST, UTC+02:00
    assert event.local_starts_at.hour == 10 and event.timezone == "Europe/Warsaw"
    winter = _seminar(think_tank, researcher, starts_at=datetime(2099, 1, 8, 10, 0), ends_at=datetime(2099, 1, 8, 11, 0))
    assert winter.starts_at == datetime(2099, 1, 8, 9, 0, tzinfo=ZoneInfo("UTC"))


def test_an_aware_time_keeps_its_instant(think_tank, researcher):
    start = datetime(2099, 6, 11, 16, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    event = _seminar(think_tank, researcher, starts_at=start, ends_at=start + timedelta(hours=1))
    assert event.starts_at == start and event.local_starts_at.hour == 10


def test_a_time_the_clocks_skip_is_refused(think_tank, researcher):
    with pytest.raises(DomainError) as refused:
        _seminar(think_tank, researcher, starts_at=datetime(2099, 3, 29, 2, 30), ends_at=datetime(2099, 3, 29, 4, 0))
    assert refused.value.field == "starts_at" and "does not exist" in refused.value.message


@pytest.mark.parametrize("changes, field", [
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"timezone": "../../etc/passwd"}, "timezone"),
    ({"ends_at": datetime(2099, 6, 11, 9, 0)}, "ends_at"),
    ({"place": "", "online_url": ""}, "place"),
    ({"starts_at": datetime(2001, 1, 1, 10), "ends_at": datetime(2001, 1, 1, 11)}, "starts_at"),
    ({"capacity": 0}, "capacity"),
    ({"online_url": "javascript:alert(1)"}, "online_url"),
])
def test_bad_seminar_fields_are_refused(think_tank, researcher, changes, field):
    with pytest.raises(DomainError) as refused:
        _seminar(think_tank, researcher, **changes)
    assert refused.value.field == field


def test_changing_only_the_zone_keeps_the_wall_clock_times(think_tank, researcher):
    event = _seminar(think_tank, researcher)
    moved = services.event_update(event=event, by=researcher, timezone="Asia/Shanghai")
    assert moved.local_starts_at.replace(tzinfo=None) == datetime(2099, 6, 11, 10, 0)
    assert moved.starts_at == datetime(2099, 6, 11, 2, 0, tzinfo=ZoneInfo("UTC"))


def test_co_organisers_manage_the_seminar_too(think_tank, researcher, organisation, member, outsider):
    event = _seminar(think_tank, researcher, co_organisers=[organisation])
    assert services.event_update(event=event, by=member, title="Renamed").title == "Renamed"
    with pytest.raises(DomainError):
        services.event_update(event=event, by=outsider, title="Mine")


@pytest.fixture
def open_seminar(think_tank, researcher):
    return services.event_publish(event=_seminar(think_tank, researcher, capacity=2), by=researcher)


def test_people_register_and_cancel_and_register_again(open_seminar, outsider, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        registration = services.registration_create(event=open_seminar, user=outsider)
    assert registration.is_active
    assert [m.to for m in mail.outbox] == [[outsider.email]] and open_seminar.title in mail.outbox[0].subject
    with pytest.raises(DomainError) as twice:
        services.registration_create(event=open_seminar, user=outsider)
    assert twice.value.kind is ErrorKind.CONFLICT
    cancelled = services.registration_cancel(event=open_seminar, user=outsider)
    assert cancelled.status == "cancelled" and cancelled.cancelled_at
    again = services.registration_create(event=open_seminar, user=outsider)
    assert again.pk == registration.pk and again.is_active and again.cancelled_at is None


def test_a_full_seminar_refuses_one_more(open_seminar):
    services.registration_create(event=open_seminar, user=UserFactory())
    services.registration_create(event=open_seminar, user=UserFactory())
    with pytest.raises(DomainError) as refused:
        services.registration_create(event=open_seminar, user=UserFactory())
    assert "full" in refused.value.message
    assert Registration.objects.filter(event=open_seminar, status="registered").count() == 2


def test_places_cannot_drop_below_those_taken(open_seminar, researcher):
    services.registration_create(event=open_seminar, user=UserFactory())
    services.registration_create(event=open_seminar, user=UserFactory())
    with pytest.raises(DomainError):
        services.event_update(event=open_seminar, by=researcher, capacity=1)


def test_nobody_registers_for_a_draft_or_a_seminar_that_has_started(think_tank, researcher, outsider):
    with pytest.raises(DomainError):
        services.registration_create(event=_seminar(think_tank, researcher), user=outsider)
    started = EventFactory(organisation=think_tank, starts_at=timezone.now() - timedelta(minutes=5),
                           ends_at=timezone.now() + timedelta(hours=1))
    with pytest.raises(DomainError) as refused:
        services.registration_create(event=started, user=outsider)
    assert "started" in refused.value.message


def test_cancelling_a_seminar_tells_everyone_registered(open_seminar, researcher, outsider, member,
                                                        django_capture_on_commit_callbacks):
    services.registration_create(event=open_seminar, user=outsider)
    services.registration_create(event=open_seminar, user=member)
    services.registration_cancel(event=open_seminar, user=member)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = services.event_cancel(event=open_seminar, by=researcher)
    assert cancelled.is_cancelled and cancelled.cancelled_at
    assert [m.to for m in mail.outbox] == [[outsider.email]]
    with pytest.raises(DomainError):
        services.event_update(event=cancelled, by=researcher, title="Back")


def test_only_coordinators_feature_seminars(open_seminar, researcher, coordinator):
    with pytest.raises(DomainError):
        services.event_feature(event=open_seminar, by=researcher)
    assert services.event_feature(event=open_seminar, by=coordinator).is_featured
    assert list(selectors.featured_events()) == [open_seminar]


def test_research_organisations_for_user_are_the_verified_think_tanks_and_universities_they_belong_to(
    think_tank, researcher, organisation
):
    MembershipFactory(user=researcher, organisation=organisation)
    MembershipFactory(user=researcher, organisation=ThinkTankFactory(status=Organisation.Status.PENDING))
    assert list(selectors.research_organisations_for_user(user=researcher)) == [think_tank]
