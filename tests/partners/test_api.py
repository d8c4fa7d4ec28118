import pytest
from django.urls import reverse

from partners.models import Organisation
from tests.factories import OrganisationFactory, PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_creating_without_required_fields_answers_400_with_a_message_per_field(client_for, outsider):
    response = client_for(outsider).post(reverse("api:organisation-list"), {"name": ""}, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert {"name", "kind", "country", "city"} <= set(body)
    assert all(isinstance(messages, list) and messages for messages in body.values())


def test_an_unknown_country_answers_400_naming_the_field(client_for, outsider):
    response = client_for(outsider).post(
        reverse("api:organisation-list"),
        {"name": "Paris", "kind": "city", "country": "FR", "city": "Paris"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "country" in response.json()


def test_a_duplicate_organisation_answers_409_with_a_clear_message(client_for, outsider, organisation):
    response = client_for(outsider).post(
        reverse("api:organisation-list"),
        {"name": organisation.name.upper(), "kind": "city", "country": organisation.country, "city": "Sofia"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert "already registered" in response.json()["name"][0]
    assert Organisation.objects.count() == 1


def test_malformed_json_answers_400_not_500(client_for, outsider):
    response = client_for(outsider).post(reverse("api:organisation-list"), "{not json", content_type="application/json")
    assert response.status_code == 400 and "detail" in response.json()


def test_the_directory_api_lists_only_verified_organisations_with_filters_and_pages(client_for, outsider, pending_organisation):
    OrganisationFactory.create_batch(25, country="PL", kind="company")
    OrganisationFactory(name="Huawei", country="CN", kind="company", city="Shenzhen")
    client = client_for(None)
    first = client.get(reverse("api:organisation-list")).json()
    assert first["count"] == 26 and len(first["results"]) == 20 and first["next"]
    assert pending_organisation.slug not in {o["slug"] for o in first["results"]}
    chinese = client.get(reverse("api:organisation-list"), {"country": "CN"}).json()
    assert [o["name"] for o in chinese["results"]] == ["Huawei"]
    assert chinese["results"][0]["country_name"] == {"en": "China", "zh-hans": "中国"}
    assert client.get(reverse("api:organisation-list"), {"q": "huaw"}).json()["count"] == 1
    bad = client.get(reverse("api:organisation-list"), {"kind": "castle"})
    assert bad.status_code == 400 and "kind" in bad.json()


def test_an_admin_edits_through_the_api_and_an_invalid_change_loses_nothing(client_for, org_admin, organisation):
    client = client_for(org_admin)
    url = reverse("api:organisation-detail", args=[organisation.slug])
    assert client.patch(url, {"city": "Sofia City"}, content_type="application/json").status_code == 200
    response = client.patch(url, {"country": "XX", "city": "Nowhere"}, content_type="application/json")
    assert response.status_code == 400
    organisation.refresh_from_db()
    assert (organisation.city, organisation.country) == ("Sofia City", "BG")


def test_a_token_from_email_and_password_authenticates_api_calls(client_for):
    user = UserFactory(email="token@example.org")
    client = client_for(None)
    response = client.post(reverse("api:auth-token"), {"email": user.email, "password": PASSWORD}, content_type="application/json")
    assert response.status_code == 200
    token = response.json()["token"]
    me = client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Token {token}")
    assert me.status_code == 200 and me.json()["email"] == user.email
    wrong = client.post(reverse("api:auth-token"), {"email": user.email, "password": "nope"}, content_type="application/json")
    assert wrong.status_code == 400


def test_the_schema_and_offline_docs_are_served(client_for):
    client = client_for(None)
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html and "cdn" not in html.lower()
