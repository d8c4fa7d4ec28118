"""Citation exports: BibTeX and RIS, parsed back field by field."""
import re
from datetime import datetime, timezone as dt_timezone

import pytest
from django.urls import reverse

from research.citations import bibtex, citation_key, ris
from tests.research.factories import PublicationFactory

pytestmark = pytest.mark.django_db

BIBTEX_ENTRY = re.compile(r"^@(?P<type>\w+)\{(?P<key>[^,]+),\n(?P<body>.*)\n\}\n$", re.DOTALL)
BIBTEX_FIELD = re.compile(r"^  (?P<name>\w+) = (?P<value>.*?),?$", re.MULTILINE)


def _bibtex_fields(text: str) -> tuple[str, str, dict]:
    match = BIBTEX_ENTRY.match(text)
    assert match, text
    return match["type"], match["key"], {m["name"]: m["value"] for m in BIBTEX_FIELD.finditer(match["body"])}


def _ris_fields(text: str) -> list[tuple[str, str]]:
    lines = text.split("\r\n")
    assert lines[-1] == "" and lines[-2] == "ER  - "
    return [(line[:2], line[6:]) for line in lines[:-2]]


@pytest.fixture
def report(think_tank):
    return PublicationFactory(
        organisation=think_tank, title="Smart lighting: 50% savings & more", authors=["Jana Nováková", "王伟"],
        published_at=datetime(2025, 3, 4, tzinfo=dt_timezone.utc), doi="10.1234/Lighting_2025",
    )


def test_a_report_is_a_techreport_with_its_institution(report):
    entry_type, key, fields = _bibtex_fields(bibtex(report))
    assert entry_type == "techreport"
    assert key == "novakova2025smart"
    assert fields["author"] == "{Jana Nováková and 王伟}"
    assert fields["title"] == r"{{Smart lighting: 50\% savings \& more}}"
    assert fields["institution"] == "{Prague Institute for Urban Research}"
    assert fields["address"] == "{Prague, Czechia}"
    assert fields["year"] == "{2025}" and fields["month"] == "mar"
    assert fields["doi"] == "{10.1234/Lighting_2025}", "doi is verbatim: not escaped"


def test_a_data_set_is_misc_and_an_organisation_is_one_author(think_tank):
    dataset = PublicationFactory(organisation=think_tank, type="dataset", authors=[], title="Tram delays 2024")
    entry_type, _key, fields = _bibtex_fields(bibtex(dataset))
    assert entry_type == "misc"
    assert fields["author"] == "{{Prague Institute for Urban Research}}"
    assert fields["howpublished"] == "{Data set}"


def test_a_key_is_ascii_even_for_a_chinese_title(think_tank):
    publication = PublicationFactory(organisation=think_tank, title="智慧城市报告", authors=["王伟"])
    assert re.fullmatch(r"[a-z0-9]+", citation_key(publication))


def test_ris_lists_each_author_and_ends_its_lines_in_crlf(report):
    fields = _ris_fields(ris(report))
    assert fields[0] == ("TY", "RPRT")
    assert [value for tag, value in fields if tag == "AU"] == ["Jana Nováková", "王伟"]
    assert ("TI", report.title) in fields and ("PY", "2025") in fields and ("DA", "2025/03/04/") in fields
    assert ("DO", "10.1234/Lighting_2025") in fields and ("LA", "en") in fields


@pytest.mark.parametrize("kind, ris_type", [("standard_proposal", "STAND"), ("dataset", "DATA"), ("policy_brief", "RPRT")])
def test_ris_types_follow_the_publication_type(think_tank, kind, ris_type):
    assert _ris_fields(ris(PublicationFactory(organisation=think_tank, type=kind)))[0] == ("TY", ris_type)


def test_the_exports_download_as_utf8_files(report, client):
    response = client.get(reverse("research:publication_bibtex", args=[report.pk]))
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=") and ".bib" in response["Content-Disposition"]
    assert "王伟" in response.content.decode("utf-8")
    response = client.get(reverse("research:publication_ris", args=[report.pk]))
    assert response["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    assert ".ris" in response["Content-Disposition"]
