import pytest
from django.urls import reverse

from partners.models import Membership, Organisation
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_registering_through_the_form_creates_a_pending_organisation(client_for, outsider):
    response = client_for(outsider).post(
        reverse("partners:organisation_create"),
        {"name": "City of Belgrade", "kind": "city", "country": "RS", "city": "Belgrade", "description_language": "sr-Cyrl"},
    )
    organisation = Organisation.objects.get(name="City of Belgrade")
    assert response.status_code == 302 and response["Location"] == organisation.get_absolute_url()
    assert organisation.status == "pending"
    assert Membership.objects.get(organisation=organisation).user == outsider


def test_a_duplicate_is_shown_beside_the_name_field_and_keeps_the_input(client_for, outsider, organisation):
    response = client_for(outsider).post(
        reverse("partners:organisation_create"),
        {"name": "sofia municipality", "kind": "city", "country": "BG", "city": "Sofia", "description": "Kept text",
         "description_language": "bg"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "already registered" in form.errors["name"][0]
    assert "Kept text" in response.content.decode()


def test_an_oversized_logo_is_refused_with_a_message(client_for, outsider, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.LOGO_MAX_BYTES = 10
    png = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
           b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa75\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")
    response = client_for(outsider).post(
        reverse("partners:organisation_create"),
        {"name": "Logo City", "kind": "city", "country": "RS", "city": "Niš", "description_language": "en",
         "logo": SimpleUploadedFile("logo.png", png, content_type="image/png")},
    )
    assert response.status_code == 200 and "logo" in response.context["form"].errors
    assert not Organisation.objects.filter(name="Logo City").exists()


def test_a_file_that_is_not_an_image_is_refused_as_a_logo(client_for, outsider):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(outsider).post(
        reverse("partners:organisation_create"),
        {"name": "Exe City", "kind": "city", "country": "RS", "city": "Niš", "description_language": "en",
         "logo": SimpleUploadedFile("logo.png", b"MZ\x90\x00 not an image", content_type="image/png")},
    )
    assert response.status_code == 200 and "logo" in response.context["form"].errors


def test_the_directory_filters_by_country_kind_and_text(client_for, pending_organisation):
    OrganisationFactory(name="Huawei Technologies", country="CN", kind="company", city="Shenzhen")
    OrganisationFactory(name="City of Belgrade", country="RS", kind="city", city="Belgrade")
    client = client_for(None)
    page = client.get(reverse("partners:directory"), {"country": "CN"}).content.decode()
    assert "Huawei Technologies" in page and "City of Belgrade" not in page
    page = client.get(reverse("partners:directory"), {"kind": "city", "q": "belg"}).content.decode()
    assert "City of Belgrade" in page and "Huawei" not in page
    assert "Tirana" not in client.get(reverse("partners:directory")).content.decode()


@pytest.mark.parametrize("rows", [1, 10, 100])
def test_the_directory_page_issues_a_constant_number_of_queries(rows, client_for, django_assert_num_queries):
    OrganisationFactory.create_batch(rows)
    client = client_for(None)
    # count + page of rows; the session is not touched for an anonymous visitor.
    with django_assert_num_queries(2):
        response = client.get(reverse("partners:directory"))
    assert response.status_code == 200


def test_the_rejection_reason_is_shown_to_the_admins_only(client_for, pending_organisation, org_admin, coordinator, outsider):
    client_for(coordinator).post(
        reverse("partners:organisation_reject", args=[pending_organisation.slug]), {"reason": "The website does not load"}
    )
    page = client_for(org_admin).get(pending_organisation.get_absolute_url()).content.decode()
    assert "The website does not load" in page
    assert client_for(outsider).get(pending_organisation.get_absolute_url()).status_code == 404


def test_the_coordinator_queue_lists_what_waits(client_for, coordinator, pending_organisation, organisation):
    page = client_for(coordinator).get(reverse("partners:review_queue")).content.decode()
    assert pending_organisation.name in page and organisation.name not in page


def test_a_bad_page_number_does_not_fail(client_for):
    assert client_for(None).get(reverse("partners:directory"), {"page": "abc"}).status_code == 200
    assert client_for(None).get(reverse("partners:directory"), {"country": "ZZ"}).status_code == 200
