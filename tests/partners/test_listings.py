import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.exceptions import DomainError, ErrorKind
from partners import services
from partners.models import Capability, Need, Topic
from tests.factories import CapabilityFactory, NeedFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def draft(org_admin, organisation, **overrides):
    data = {"title": "Oświetlenie uliczne LED", "description": "Wymiana opraw ulicznych na LED ze sterowaniem.",
            "language": "pl"}
    data.update(overrides)
    return services.listing_create(kind="need", organisation=organisation, by=org_admin, **data)


def test_a_draft_takes_defaults_and_inferred_topics(org_admin, organisation, taxonomy):
    need = draft(org_admin, organisation)
    assert need.status == "draft"
    assert need.expires_on == timezone.localdate() + datetime.timedelta(days=365)
    assert need.effective_country == organisation.country and need.audience == "other_side"
    assert list(need.topics.values_list("code", flat=True)) == ["energy.street-lighting"]
    assert need.suggested_topics[0] == "energy.street-lighting"


def test_the_author_overrides_inferred_topics_and_they_stick_through_text_edits(org_admin, organisation, taxonomy):
    parking = Topic.objects.get(code="mobility.smart-parking")
    need = draft(org_admin, organisation, topics=[parking])
    assert list(need.topics.all()) == [parking]
    services.listing_update(listing=need, by=org_admin, description="Nowe oprawy LED i czujniki ruchu.")
    assert list(need.topics.all()) == [parking]


def test_untouched_inferred_topics_follow_the_text(org_admin, organisation, taxonomy):
    need = draft(org_admin, organisation)
    services.listing_update(listing=need, by=org_admin, title="Inteligentne parkowanie", description="Czujniki miejsc parkingowych.")
    assert "mobility.smart-parking" in need.topics.values_list("code", flat=True)


def test_members_of_an_unverified_organisation_cannot_post(org_admin, pending_organisation, taxonomy):
    with pytest.raises(DomainError) as error:
        draft(org_admin, pending_organisation)
    assert error.value.kind is ErrorKind.FORBIDDEN


def test_outsiders_cannot_post_for_an_organisation(outsider, organisation, taxonomy):
    with pytest.raises(DomainError):
        draft(outsider, organisation)


def test_a_budget_range_upside_down_is_refused_and_nothing_is_written(org_admin, organisation, taxonomy):
    with pytest.raises(DomainError) as error:
        draft(org_admin, organisation, budget_min_eur=900, budget_max_eur=100)
    assert error.value.field == "budget_min_eur"
    assert Need.objects.count() == 0


def test_publish_then_close_and_never_twice(org_admin, organisation, taxonomy):
    need = draft(org_admin, organisation)
    need = services.listing_publish(listing=need, by=org_admin)
    assert need.status == "published" and need.published_at
    with pytest.raises(DomainError) as error:
        services.listing_publish(listing=need, by=org_admin)
    assert error.value.kind is ErrorKind.CONFLICT
    services.listing_close(listing=need, by=org_admin)
    with pytest.raises(DomainError):
        services.listing_update(listing=Need.objects.get(pk=need.pk), by=org_admin, title="Late change")


def test_expired_listings_are_closed_daily_and_their_owners_told(org_admin, organisation, taxonomy, django_capture_on_commit_callbacks):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    expired = NeedFactory(organisation=organisation, expires_on=yesterday)
    current = CapabilityFactory(organisation=organisation)
    with django_capture_on_commit_callbacks(execute=True):
        closed = services.listings_close_expired()
    assert closed == 1
    expired.refresh_from_db()
    current.refresh_from_db()
    assert expired.status == "closed" and current.status == "published"
    assert any(org_admin.email in m.to and expired.title in m.subject for m in mail.outbox)
    assert services.listings_close_expired() == 0


def test_the_beat_schedule_runs_the_expiry_job_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["close-expired-listings"]
    assert entry["task"] == "partners.tasks.close_expired_listings"
    from partners.tasks import close_expired_listings

    assert close_expired_listings.name == entry["task"]


def test_browse_shows_only_published_listings_of_verified_organisations(client, organisation, pending_organisation, taxonomy):
    NeedFactory(organisation=organisation, title="Visible need")
    NeedFactory(organisation=organisation, title="Draft need", status="draft")
    NeedFactory(organisation=pending_organisation, title="Unverified need")
    page = client.get(reverse("partners:need_list")).content.decode()
    assert "Visible need" in page and "Draft need" not in page and "Unverified need" not in page
    api = client.get(reverse("api:need-list")).json()
    assert [n["title"] for n in api["results"]] == ["Visible need"]


def test_browse_filters_by_topic_country_kind_language_budget_and_text(client, taxonomy):
    lighting, parking = Topic.objects.get(code="energy.street-lighting"), Topic.objects.get(code="mobility.smart-parking")
    sofia = OrganisationFactory(country="BG", kind="city")
    huawei = OrganisationFactory(country="CN", kind="company", city="Shenzhen")
    a = NeedFactory(organisation=sofia, title="LED lamps", language="bg", budget_min_eur=100_000, budget_max_eur=300_000)
    a.topics.set([lighting])
    b = NeedFactory(organisation=huawei, title="停车诱导", description="智慧停车系统", language="zh-hans", budget_max_eur=50_000)
    b.topics.set([parking])

    def titles(**params):
        return [n["title"] for n in client.get(reverse("api:need-list"), params).json()["results"]]

    assert titles(topic="energy.street-lighting") == ["LED lamps"]
    assert titles(topic="energy") == ["LED lamps"]  # a domain includes its topics
    assert titles(country="CN") == ["停车诱导"]
    assert titles(kind="city") == ["LED lamps"]
    assert titles(language="zh-hans") == ["停车诱导"]
    assert titles(budget_min=200_000) == ["LED lamps"]
    assert titles(q="停车") == ["停车诱导"]
    assert titles(q="lamps") == ["LED lamps"]
    page = client.get(reverse("partners:need_list"), {"topic": "mobility.smart-parking"}).content.decode()
    assert "停车诱导" in page and "LED lamps" not in page


@pytest.mark.parametrize("rows", [1, 10, 100])
@pytest.mark.parametrize("kind", ["need", "capability"])
def test_list_pages_issue_a_constant_number_of_queries(rows, kind, client, taxonomy, django_assert_num_queries):
    factory = NeedFactory if kind == "need" else CapabilityFactory
    for listing in factory.create_batch(rows):
        listing.topics.set(Topic.objects.filter(code__in=["energy.street-lighting", "energy.smart-grid"]))
    # count, page rows (with organisations), their topics, and the topic choices of the filter form
    with django_assert_num_queries(4):
        assert client.get(reverse(f"partners:{kind}_list")).status_code == 200
    with django_assert_num_queries(3):
        assert client.get(reverse(f"api:{kind}-list")).status_code == 200


def test_the_taxonomy_page_counts_open_listings_per_topic(client, taxonomy):
    lighting = Topic.objects.get(code="energy.street-lighting")
    for _ in range(2):
        NeedFactory().topics.set([lighting])
    CapabilityFactory(status="closed").topics.set([lighting])
    response = client.get(reverse("partners:taxonomy"))
    domains = {d.code: d for d in response.context["domains"]}
    topic = next(t for t in domains["energy"].topics if t.code == "energy.street-lighting")
    assert (topic.open_needs, topic.open_capabilities) == (2, 0)
    assert domains["energy"].open_needs == 2
    assert len(domains) == 10


def test_creating_through_the_page_infers_topics_shown_to_the_author(client_for, org_admin, organisation, taxonomy):
    client = client_for(org_admin)
    response = client.post(
        reverse("partners:need_create"),
        {"title": "智慧路灯改造", "description": "将路灯更换为LED智慧路灯", "language": "zh-hans", "audience": "other_side",
         "stage": "pilot"},
    )
    need = Need.objects.get()
    assert response.status_code == 302 and response["Location"] == need.get_absolute_url()
    page = client.get(need.get_absolute_url()).content.decode()
    assert "energy.street-lighting" in page


def test_a_bad_form_keeps_the_input_and_says_what_is_wrong(client_for, org_admin, organisation, taxonomy):
    response = client_for(org_admin).post(
        reverse("partners:capability_create"),
        {"title": "", "description": "Kept description", "language": "en", "maturity": "12", "audience": "other_side",
         "capability_type": "product"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "title" in errors and Capability.objects.count() == 0
    assert "Kept description" in response.content.decode()


def test_coordinators_edit_the_taxonomy_in_the_admin_and_tagging_follows(client_for, taxonomy):
    from partners.taxonomy_store import current_tagger
    from tests.factories import CoordinatorFactory

    coordinator = CoordinatorFactory(is_staff=True)
    client = client_for(coordinator)
    topic = Topic.objects.get(code="energy.street-lighting")
    assert client.get(reverse("admin:partners_topic_changelist")).status_code == 200
    assert client.get(reverse("admin:partners_topic_change", args=[topic.pk])).status_code == 200
    assert current_tagger().tag("Lampiony w parku") == []
    synonyms = dict(topic.synonyms)
    synonyms["pl"] = [*synonyms["pl"], "lampiony"]
    topic.synonyms = synonyms
    topic.save()
    assert current_tagger().tag("Lampiony w parku") == ["energy.street-lighting"]
