"""Uploads are recognised by their bytes, never their name; the files stay private."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from core.exceptions import DomainError
from projects import services
from projects.documents import MAX_DOCUMENT_BYTES, document_check
from projects.models import Agreement, AgreementVersion
from tests.projects.conftest import PDF, docx_bytes, odt_bytes, pdf, upload

pytestmark = pytest.mark.django_db

EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"This program cannot be run in DOS mode."
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 100


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize("name, content, kind", [
    ("contract.pdf", PDF, "pdf"),
    ("contract.docx", docx_bytes(), "docx"),
    ("contract.odt", odt_bytes(), "odt"),
    ("no-extension", PDF, "pdf"),
    ("wrongly-named.docx", PDF, "pdf"),  # what it is wins over what it is called
])
def test_pdf_docx_and_odt_are_recognised_by_content(name, content, kind):
    assert document_check(upload(name, content)).kind == kind


@pytest.mark.parametrize("name, content", [
    ("contract.pdf", EXECUTABLE),  # a renamed Windows executable
    ("contract.docx", ELF),
    ("contract.odt", b"#!/bin/sh\nrm -rf /\n"),
    ("contract.docx", _zip({"payload.exe": EXECUTABLE})),  # a ZIP, but no Word document inside
    ("contract.odt", _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})),
    ("contract.docx", b"PK\x03\x04 this is not really a zip file"),
    ("contract.pdf", b"%PDF"),  # too short to be the PDF header
])
def test_anything_else_is_refused_whatever_its_name(name, content):
    with pytest.raises(DomainError) as error:
        document_check(upload(name, content))
    assert error.value.status == 400 and "PDF, DOCX and ODT" in error.value.message


def test_empty_and_oversized_files_are_refused():
    with pytest.raises(DomainError, match="empty"):
        document_check(upload("empty.pdf", b""))
    with pytest.raises(DomainError, match="larger than 10 MB"):
        document_check(upload("big.pdf", PDF + b"0" * MAX_DOCUMENT_BYTES))


def test_a_renamed_executable_is_refused_on_the_page_and_nothing_is_stored(flow, parties, client_for):
    agreement = flow.draft()
    response = client_for(parties.lead_member).post(
        reverse("projects:agreement_upload", args=[agreement.pk]),
        {"document": upload("contract.pdf", EXECUTABLE, "application/pdf"), "version": agreement.version}, follow=True,
    )
    assert "Only PDF, DOCX and ODT documents are accepted" in response.content.decode()
    assert Agreement.objects.get(pk=agreement.pk).version == 1
    assert AgreementVersion.objects.filter(agreement=agreement).count() == 1


def test_a_renamed_executable_is_refused_by_the_api(flow, parties, client_for):
    agreement = flow.draft()
    response = client_for(parties.lead_member).post(
        reverse("api:agreement-version-list"),
        {"agreement": agreement.pk, "version": 1, "document": upload("contract.pdf", EXECUTABLE, "application/pdf")},
    )
    assert response.status_code == 400
    assert "PDF, DOCX and ODT" in response.json()["document"][0]


def test_a_renamed_executable_is_refused_as_a_signed_copy(flow, parties, client_for):
    agreement = flow.to("agreed")
    response = client_for(parties.lead_admin).post(
        reverse("api:agreement-sign", args=[agreement.pk]),
        {"signatory": "Ivan Petrov", "signed_on": "2026-01-05", "signed_copy": upload("signed.pdf", EXECUTABLE)},
    )
    assert response.status_code == 400 and "signed_copy" in response.json()
    assert not agreement.signatures.exists()


def test_every_version_keeps_its_own_document_and_text(flow, parties):
    agreement = flow.draft(document=pdf("first.pdf"))
    services.agreement_document_upload(agreement=agreement, by=parties.lead_member, version=1,
                                       document=upload("second.odt", odt_bytes()), note="Annex added")
    services.agreement_update(agreement=agreement, by=parties.lead_member, version=2, text="New text.")
    versions = list(AgreementVersion.objects.filter(agreement=agreement).order_by("number"))
    assert [(v.number, v.document_kind, v.document_name) for v in versions] == [
        (1, "pdf", "first.pdf"), (2, "odt", "second.odt"), (3, "odt", "second.odt"),
    ]
    assert versions[0].document.name != versions[1].document.name
    assert versions[1].document.name == versions[2].document.name  # the edit carried the document forward
    assert [v.text for v in versions][-1] == "New text." and versions[0].text != "New text."
    assert versions[1].document_sha256 == versions[2].document_sha256 and len(versions[1].document_sha256) == 64
    with versions[0].document.open("rb") as handle:
        assert handle.read() == PDF


def test_documents_are_stored_outside_the_public_media_folder_under_a_random_name(flow):
    agreement = flow.draft(document=pdf("Confidential contract.pdf"))
    path = Path(agreement.document.path)
    assert Path(settings.MEDIA_ROOT).resolve() not in path.parents
    assert "Confidential" not in path.name and path.suffix == ".pdf"
    with pytest.raises(ValueError):
        agreement.document.url  # no public address at all


def test_only_the_parties_and_coordinators_download_documents_and_signed_copies(flow, parties, coordinator, outsider,
                                                                              client_for):
    agreement = flow.to("signed", text="", document=pdf("mou.pdf"))
    version = agreement.versions.get(number=agreement.version)
    signature = agreement.signatures.first()
    for url in (reverse("projects:document_download", args=[version.pk]),
                reverse("projects:signature_download", args=[signature.pk]),
                reverse("api:agreement-version-download", args=[version.pk]),
                reverse("api:agreement-signature-download", args=[signature.pk])):
        assert client_for(outsider).get(url).status_code == 404, url
        for user in (parties.lead_member, parties.partner_admin, coordinator):
            response = client_for(user).get(url)
            assert response.status_code == 200, url
            assert response["Content-Type"] == "application/pdf"
            assert response["Content-Disposition"].startswith("attachment")
            assert b"".join(response.streaming_content) == PDF
