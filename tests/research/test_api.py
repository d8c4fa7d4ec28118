"""The research API: shapes, filters and the rules that the services enforce."""
import pytest
from django.urls import reverse

from partners.models import Topic
from projects.models import Project
from research.models import Publication
from tests.research.factories import EventFactory, PublicationFactory

pytestmark = pytest.mark.django_db


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_a_publication_is_created_with_its_relations_and_published(think_tank, researcher, client_for, taxonomy,
                                                                   project_world):
    client = client_for(researcher)
    response = _post(client, reverse("api:publication-list"), {
        "organisation": think_tank.slug, "type": "standard_proposal", "title": "A data model for street lights",
        "abstract": "Fields, units and codes.", "language": "en", "authors": ["Jana Nováková"],
        "topics": ["energy.street-lighting"], "countries": ["CZ", "CN"], "projects": [project_world["project"].pk],
        "translations": [{"language": "zh-hans", "title": "路灯数据模型"}],
        "external_url": "https://example.org/standard",
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["topics"] == ["energy.street-lighting"]
    assert body["countries"] == ["CN", "CZ"]
    assert body["translations"] == [{"language": "zh-hans", "title": "路灯数据模型", "abstract": ""}]
    assert body["projects"] == [project_world["project"].pk]
    published = client.post(reverse("api:publication-publish", args=[body["id"]])).json()
    assert published["status"] == "published" and published["published_at"]
    assert client.get(published["bibtex_url"]).status_code == 200


def test_a_project_the_caller_cannot_see_cannot_be_named(think_tank, researcher, client_for):
    hidden = Project.objects.create(title="Someone else's")
    response = _post(client_for(researcher), reverse("api:publication-list"), {
        "organisation": think_tank.slug, "type": "report", "title": "T", "abstract": "A", "projects": [hidden.pk],
    })
    missing = _post(client_for(researcher), reverse("api:publication-list"), {
        "organisation": think_tank.slug, "type": "report", "title": "T", "abstract": "A", "projects": [hidden.pk + 100],
    })
    assert response.status_code == missing.status_code == 400
    assert "projects" in response.json()


def test_the_list_takes_the_library_filters(think_tank, client, taxonomy):
    lighting = PublicationFactory(organisation=think_tank, title="Lighting")
    lighting.topics.set([Topic.objects.get(code="energy.street-lighting")])
    PublicationFactory(organisation=think_tank, title="Trams", type="dataset")
    titles = lambda query: [row["title"] for row in client.get(reverse("api:publication-list") + query).json()["results"]]  # noqa: E731
    assert titles("?topic=energy") == ["Lighting"]
    assert titles("?type=dataset") == ["Trams"]
    assert titles("?q=tram") == ["Trams"]
    assert client.get(reverse("api:publication-list") + "?type=novel").status_code == 400


def test_a_drafts_organisation_cannot_be_moved(think_tank, researcher, client_for):
    draft = PublicationFactory(organisation=think_tank, status="draft", published_at=None)
    other = PublicationFactory().organisation
    response = client_for(researcher).patch(reverse("api:publication-detail", args=[draft.pk]),
                                            {"organisation": other.slug}, content_type="application/json")
    assert response.status_code == 400
    assert Publication.objects.get(pk=draft.pk).organisation == think_tank


def test_an_evaluation_refers_to_kpis_and_scores(project_world, think_tank, researcher, client_for):
    response = _post(client_for(researcher), reverse("api:evaluation-list"), {
        "project": project_world["project"].pk, "organisation": think_tank.slug, "title": "Ex-post", "text": "Done.",
        "relevance": 5, "effectiveness": 5, "efficiency": 4, "impact": 4, "sustainability": 2,
        "kpis": [k.pk for k in project_world["kpis"]],
    })
    assert response.status_code == 201, response.content
    assert response.json()["average_score"] == 4.0
    out_of_range = _post(client_for(researcher), reverse("api:evaluation-list"), {
        "project": project_world["project"].pk, "organisation": think_tank.slug, "title": "X", "text": "Y",
        "relevance": 6, "effectiveness": 5, "efficiency": 4, "impact": 4, "sustainability": 2,
    })
    assert out_of_range.status_code == 400 and "relevance" in out_of_range.json()


def test_a_seminar_time_without_an_offset_is_a_time_in_its_zone(think_tank, researcher, client_for):
    response = _post(client_for(researcher), reverse("api:event-list"), {
        "organisation": think_tank.slug, "title": "Data standards", "description": "A seminar.",
        "starts_at": "2099-06-11T10:00", "ends_at": "2099-06-11T12:00", "timezone": "Asia/Shanghai",
        "place": "Tongji University, Shanghai",
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["starts_at"] == "2099-06-11T10:00:00+08:00"
    assert body["local_starts_at"] == "2099-06-11T10:00" and body["utc_offset"] == "UTC+08:00"
    with_offset = _post(client_for(researcher), reverse("api:event-list"), {
        "organisation": think_tank.slug, "title": "Data standards", "description": "A seminar.",
        "starts_at": "2099-06-11T10:00:00Z", "ends_at": "2099-06-11T12:00:00Z", "timezone": "Europe/Warsaw",
        "place": "Warsaw",
    }).json()
    assert with_offset["local_starts_at"] == "2099-06-11T12:00", "an instant with an offset is kept"


def test_a_bad_zone_is_a_400_on_the_timezone_field(think_tank, researcher, client_for):
    response = _post(client_for(researcher), reverse("api:event-list"), {
        "organisation": think_tank.slug, "title": "X", "description": "Y", "starts_at": "2099-06-11T10:00",
        "ends_at": "2099-06-11T12:00", "timezone": "Europe/Atlantis", "place": "Nowhere",
    })
    assert response.status_code == 400 and "timezone" in response.json()


def test_registering_through_the_api(think_tank, outsider, client_for):
    event = EventFactory(organisation=think_tank, capacity=1)
    client = client_for(outsider)
    registered = client.post(reverse("api:event-register", args=[event.pk]))
    assert registered.status_code == 201 and registered.json()["status"] == "registered"
    assert client.get(reverse("api:event-detail", args=[event.pk])).json()["registered_count"] == 1
    assert client.post(reverse("api:event-register", args=[event.pk])).status_code == 409
    assert client.post(reverse("api:event-unregister", args=[event.pk])).json()["status"] == "cancelled"


def test_the_schema_builds(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/v1/publications/" in text and "/api/v1/events/{id}/register/" in text


def test_the_least_a_publication_needs(think_tank, researcher, client_for):
    response = _post(client_for(researcher), reverse("api:publication-list"),
                     {"organisation": think_tank.slug, "title": "T", "abstract": "A"})
    assert response.status_code == 201 and response.json()["type"] == "report"
    assert _post(client_for(researcher), reverse("api:publication-list"), {"organisation": think_tank.slug}).status_code == 400


def test_a_seminar_needs_its_time_zone(think_tank, researcher, client_for):
    response = _post(client_for(researcher), reverse("api:event-list"), {
        "organisation": think_tank.slug, "title": "X", "description": "Y", "starts_at": "2099-06-11T10:00",
        "ends_at": "2099-06-11T12:00", "place": "Warsaw",
    })
    assert response.status_code == 400 and "timezone" in response.json()


def test_the_research_enums_have_their_own_names_in_the_schema(client):
    schema = client.get("/api/schema/?format=json").json()["components"]["schemas"]
    for name in ("PublicationTypeEnum", "PublicationStatusEnum", "EvaluationStatusEnum", "EventStatusEnum",
                 "RegistrationStatusEnum", "CountryCodeEnum"):
        assert "enum" in schema[name], name
    assert schema["EventStatusEnum"]["enum"] == ["draft", "published", "cancelled"]
