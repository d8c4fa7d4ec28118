"""A PDF is checked by its content (the %PDF- header) and its size, on the page and in the API alike."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.exceptions import DomainError
from research import services
from research.models import Publication
from research.uploads import pdf_check
from tests.research.factories import WINDOWS_PROGRAM, pdf_bytes

pytestmark = pytest.mark.django_db


def _upload(content: bytes, name: str = "report.pdf", content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_a_real_pdf_is_accepted_and_its_size_recorded():
    upload = _upload(pdf_bytes())
    assert pdf_check(upload) == len(pdf_bytes())
    assert upload.tell() == 0, "the check puts the file back where it was"


def test_a_windows_program_renamed_to_pdf_is_refused_with_a_clear_message():
    with pytest.raises(DomainError) as refused:
        pdf_check(_upload(WINDOWS_PROGRAM, name="report.pdf"))
    assert refused.value.field == "pdf"
    assert "report.pdf" in refused.value.message and "not a PDF" in refused.value.message
    assert "Windows program" in refused.value.message


@pytest.mark.parametrize("content, what", [
    (b"\x7fELF\x02\x01\x01" + b"\x00" * 40, "Linux program"),
    (b"PK\x03\x04" + b"\x00" * 40, "ZIP archive"),
    (b"<html><body>not a pdf</body></html>", "HTML"),
    (b"just some text", "does not start as a PDF"),
])
def test_other_files_are_refused_and_named(content, what):
    with pytest.raises(DomainError) as refused:
        pdf_check(_upload(content))
    assert what in refused.value.message


def test_the_header_must_open_the_file_not_appear_later():
    with pytest.raises(DomainError):
        pdf_check(_upload(b"MZ" + b"\x00" * 100 + b"%PDF-1.4"))


def test_an_empty_file_is_refused():
    with pytest.raises(DomainError) as refused:
        pdf_check(_upload(b""))
    assert "empty" in refused.value.message


def test_a_file_over_the_limit_is_refused_before_it_is_read(settings):
    settings.RESEARCH_PDF_MAX_BYTES = 1024
    big = pdf_bytes() + b"%" + b"0" * 2048
    with pytest.raises(DomainError) as refused:
        pdf_check(_upload(big))
    assert "at most 1.0\xa0KB" in refused.value.message


def test_the_default_limit_is_twenty_megabytes():
    from research.uploads import pdf_max_bytes

    assert pdf_max_bytes() == 20 * 1024 * 1024


def test_the_service_refuses_a_renamed_program_and_stores_nothing(think_tank, researcher, tmp_path, settings):
    with pytest.raises(DomainError):
        services.publication_create(
            organisation=think_tank, by=researcher, type="report", title="Lighting", abstract="LED.",
            pdf=_upload(WINDOWS_PROGRAM),
        )
    assert not Publication.objects.exists()
    stored = list((settings.MEDIA_ROOT / "research").rglob("*")) if (settings.MEDIA_ROOT / "research").exists() else []
    assert stored == []


def test_the_page_shows_the_refusal_beside_the_file_field(think_tank, researcher, client_for):
    response = client_for(researcher).post(reverse("research:publication_create"), {
        "organisation": think_tank.pk, "type": "report", "title": "Lighting", "abstract": "LED.", "language": "en",
        "pdf": _upload(WINDOWS_PROGRAM, name="setup.pdf"), "translations-TOTAL_FORMS": "1",
        "translations-INITIAL_FORMS": "0",
    })
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "pdf" in errors and "Windows program" in errors["pdf"][0]
    assert "setup.pdf" in response.content.decode()
    assert not Publication.objects.exists()


def test_the_api_answers_400_with_the_message_on_the_pdf_field(think_tank, researcher, client_for):
    response = client_for(researcher).post(reverse("api:publication-list"), {
        "organisation": think_tank.slug, "type": "report", "title": "Lighting", "abstract": "LED.",
        "pdf": _upload(WINDOWS_PROGRAM),
    })
    assert response.status_code == 400
    assert "Windows program" in response.json()["pdf"][0]


def test_a_pdf_uploaded_through_the_api_is_served_as_a_pdf(think_tank, researcher, client_for):
    client = client_for(researcher)
    response = client.post(reverse("api:publication-list"), {
        "organisation": think_tank.slug, "type": "report", "title": "Lighting", "abstract": "LED.",
        "pdf": _upload(pdf_bytes(), name="lighting.pdf"),
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["pdf_size"] == len(pdf_bytes()) and body["status"] == "draft"
    download = client.get(body["pdf_url"])
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    assert download["Content-Disposition"].startswith("inline")


def test_replacing_the_pdf_removes_the_old_file_after_commit(think_tank, researcher, django_capture_on_commit_callbacks):
    publication = services.publication_create(
        organisation=think_tank, by=researcher, type="report", title="Lighting", abstract="LED.", pdf=_upload(pdf_bytes()),
    )
    old = publication.pdf.name
    storage = publication.pdf.storage
    with django_capture_on_commit_callbacks(execute=True):
        publication = services.publication_update(publication=publication, by=researcher, pdf=_upload(pdf_bytes("Second")))
    assert publication.pdf.name != old
    assert not storage.exists(old) and storage.exists(publication.pdf.name)
