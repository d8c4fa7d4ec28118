"""Import and export of smartcity-listings/1 documents: the service, the commands,
the coordinators' API endpoint and upload page."""
import copy
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from partners import interchange
from partners.interchange import ImportInvalid, listings_export, listings_import
from partners.models import Capability, ImportJob, Need, Organisation
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "listings-example.json"


@pytest.fixture(autouse=True)
def _taxonomy(db):
    from partners.taxonomy_store import taxonomy_load

    taxonomy_load()


@pytest.fixture
def document():
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def matching(monkeypatch):
    """The listings whose matching is enqueued (listing_changed is called inside the import)."""
    calls = []
    monkeypatch.setattr("matchmaking.hooks.listing_changed", lambda listing: calls.append(listing.ref))
    return calls


def _counts() -> dict:
    return {
        "organisations": Organisation.objects.count(),
        "needs": Need.objects.count(),
        "capabilities": Capability.objects.count(),
        "need_topics": Need.topics.through.objects.count(),
        "capability_topics": Capability.topics.through.objects.count(),
    }


def _stamps() -> dict:
    return {
        model.__name__: dict(model.objects.values_list("ref", "updated_at"))
        for model in (Organisation, Need, Capability)
    }


def _summary(created=(0, 0, 0), updated=(0, 0, 0), unchanged=(0, 0, 0)) -> dict:
    return {
        section: {"created": created[i], "updated": updated[i], "unchanged": unchanged[i]}
        for i, section in enumerate(("organisations", "needs", "capabilities"))
    }


# --- Importing ------------------------------------------------------------------


def test_an_import_publishes_the_needs_which_the_needs_page_shows_with_inferred_topics(client, document, coordinator, matching):
    summary = listings_import(document=document, by=coordinator)

    assert summary == _summary(created=(4, 4, 2))
    response = client.get("/needs/")
    page = response.content.decode()
    assert response.status_code == 200
    for need in document["needs"]:
        assert need["title"] in page
    # No topics in the file: the tagger's, shown by their labels.
    parking = Need.objects.get(ref="need-belgrade-parking")
    assert [t.code for t in parking.topics.all()] == ["mobility.smart-parking"] == parking.suggested_topics
    assert "Smart parking" in page and "Smart street lighting" in page
    assert parking.status == "published" and parking.published_at is not None
    assert parking.expires_on == timezone.localdate() + timedelta(days=365)
    assert sorted(matching) == sorted(r["ref"] for r in document["needs"] + document["capabilities"])


def test_imported_organisations_are_verified_by_the_importing_coordinator(document, coordinator):
    listings_import(document=document, by=coordinator)

    sofia = Organisation.objects.get(ref="org-sofia")
    assert sofia.status == "verified" and sofia.reviewed_by == coordinator and sofia.reviewed_at is not None
    assert sofia.slug == "sofia-municipality-bg" and sofia.size == "1000+" and sofia.website == "https://www.sofia.bg"
    belgrade = Organisation.objects.get(ref="org-belgrade")
    assert (belgrade.country, belgrade.description_language) == ("RS", "sr-Latn")


def test_language_tags_are_read_whatever_their_case(document):
    listings_import(document=document)

    assert Need.objects.get(ref="need-belgrade-parking").language == "sr-Latn"
    assert Organisation.objects.get(ref="org-shenzhen-lumen").description_language == "zh-hans"
    assert Need.objects.get(ref="need-krakow-energy").language == "en"  # the default


def test_topics_given_in_the_file_are_kept_and_the_suggestions_stored_beside_them(document):
    document["needs"][1]["topics"] = ["mobility.public-transport"]
    listings_import(document=document)

    need = Need.objects.get(ref="need-sofia-air")
    assert [t.code for t in need.topics.all()] == ["mobility.public-transport"]
    assert need.suggested_topics == ["environment.air-quality"]


def test_importing_the_same_file_twice_changes_nothing(document, coordinator, matching):
    listings_import(document=document, by=coordinator)
    counts, stamps = _counts(), _stamps()
    matching.clear()

    summary = listings_import(document=document, by=coordinator)

    assert summary == _summary(unchanged=(4, 4, 2))
    assert _counts() == counts
    assert _stamps() == stamps
    assert matching == []


def test_a_changed_title_updates_the_need_with_that_ref(document, matching):
    listings_import(document=document)
    need = Need.objects.get(ref="need-krakow-energy")
    stamps = _stamps()
    matching.clear()
    document["needs"][3]["title"] = "Energy efficiency of 40 campus buildings"

    summary = listings_import(document=document)

    assert summary == _summary(updated=(0, 1, 0), unchanged=(4, 3, 2))
    assert Need.objects.count() == 4
    need_after = Need.objects.get(ref="need-krakow-energy")
    assert need_after.pk == need.pk and need_after.title == "Energy efficiency of 40 campus buildings"
    assert need_after.updated_at > need.updated_at
    assert need_after.expires_on == need.expires_on and need_after.published_at == need.published_at
    assert {k: v for k, v in _stamps()["Need"].items() if k != "need-krakow-energy"} == {
        k: v for k, v in stamps["Need"].items() if k != "need-krakow-energy"
    }
    assert matching == ["need-krakow-energy"]


def test_changed_topics_alone_update_the_listing(document):
    listings_import(document=document)
    document["needs"][3]["topics"] = ["energy.building-energy-efficiency", "energy.smart-grid"]

    summary = listings_import(document=document)

    assert summary["needs"] == {"created": 0, "updated": 1, "unchanged": 3}
    need = Need.objects.get(ref="need-krakow-energy")
    assert sorted(t.code for t in need.topics.all()) == ["energy.building-energy-efficiency", "energy.smart-grid"]


def test_an_organisation_registered_on_the_site_takes_the_files_ref_instead_of_being_duplicated(document, organisation):
    assert organisation.ref is None  # "Sofia Municipality" (BG), registered through the site

    summary = listings_import(document=document)

    assert summary["organisations"] == {"created": 3, "updated": 1, "unchanged": 0}
    organisation.refresh_from_db()
    assert organisation.ref == "org-sofia"
    assert Organisation.objects.filter(name__iexact="sofia municipality").count() == 1
    assert Need.objects.get(ref="need-sofia-air").organisation == organisation


def test_a_listing_may_name_an_organisation_imported_before(document):
    listings_import(document=document)
    later = {"format": "smartcity-listings/1", "capabilities": [
        {"ref": "cap-agh-lab", "organisation": "org-krakow-agh", "title": "Smart-city living lab", "description": "Testing with sensors."}
    ]}

    assert listings_import(document=later)["capabilities"]["created"] == 1


def test_a_bad_country_in_needs_3_is_reported_with_its_record_and_nothing_is_written(document):
    document["needs"][3]["country"] = "XX"

    with pytest.raises(ImportInvalid) as raised:
        listings_import(document=document)

    assert raised.value.errors == ['needs[3] (ref need-krakow-energy): country "XX" is not a CEE or Chinese country']
    assert raised.value.message == (
        "1 problem in the file; nothing was imported:\n"
        'needs[3] (ref need-krakow-energy): country "XX" is not a CEE or Chinese country'
    )
    assert raised.value.status == 400
    assert _counts() == {"organisations": 0, "needs": 0, "capabilities": 0, "need_topics": 0, "capability_topics": 0}


def test_a_bad_file_leaves_what_an_earlier_import_wrote_untouched(document):
    listings_import(document=document)
    counts, stamps = _counts(), _stamps()
    changed = copy.deepcopy(document)
    changed["needs"][0]["title"] = "Changed title"
    changed["organisations"].append({"ref": "org-new", "name": "New City", "kind": "city", "country": "HU", "city": "Pécs"})
    changed["needs"][3]["country"] = "XX"

    with pytest.raises(ImportInvalid):
        listings_import(document=changed)

    assert _counts() == counts and _stamps() == stamps
    assert Need.objects.get(ref="need-sofia-lighting").title == document["needs"][0]["title"]


def test_every_problem_is_listed_at_once_each_naming_its_record():
    document = {
        "format": "smartcity-listings/1",
        "organisations": [
            {"ref": "org-a", "name": "A City", "kind": "town", "country": "BG", "city": "Varna"},
            {"ref": "org-b", "name": "B City", "kind": "city", "country": "FR", "city": "Paris", "website": "not a url"},
            {"ref": "org-b", "name": "C City", "kind": "city", "country": "HU", "city": "Pécs", "description_language": "xx"},
            {"ref": "org-d", "name": "a city", "kind": "city", "country": "BG", "city": "Varna", "colour": "red"},
        ],
        "needs": [
            {"ref": "need-1", "organisation": "org-zz", "title": "Lighting", "description": "LED lamps.",
             "budget_eur": {"min": 800000, "max": 200000}, "topics": ["energy.teleportation"]},
            {"organisation": "org-a", "title": "No ref", "description": "…"},
            {"ref": "need-3", "organisation": "org-a", "title": "Parking", "description": "Sensors.",
             "wanted_start": "2026-02-30", "expires_on": "2020-01-01", "language": "klingon"},
        ],
        "capabilities": [
            {"ref": "cap-1", "organisation": "org-a", "title": "Lamps", "description": "LED.", "maturity": 12},
            {"ref": "cap-1", "organisation": "org-a", "title": "Lamps again", "description": "LED.", "price_eur": {"min": "cheap"}},
        ],
    }

    with pytest.raises(ImportInvalid) as raised:
        listings_import(document=document)

    assert raised.value.errors == [
        'organisations[0] (ref org-a): kind "town" is not one of city, company, think_tank, university, government_agency, other',
        'organisations[1] (ref org-b): country "FR" is not a CEE or Chinese country',
        'organisations[1] (ref org-b): website "not a url" is not an http(s) address',
        'organisations[2] (ref org-b): ref "org-b" is used by organisations[1] too',
        'organisations[2] (ref org-b): description_language "xx" is not a content language of the platform '
        "(bg, bs, cs, el, en, et, hr, hu, lt, lv, mk, pl, ro, sk, sl, sq, sr-Cyrl, sr-Latn, zh-hans)",
        'organisations[3] (ref org-d): unknown field "colour"',
        'needs[0] (ref need-1): organisation "org-zz" is neither in this file nor on the platform',
        "needs[0] (ref need-1): budget_eur: min 800000 is above max 200000",
        'needs[0] (ref need-1): topic "energy.teleportation" is not in the taxonomy',
        'needs[1]: "ref" is required',
        'needs[2] (ref need-3): language "klingon" is not a content language of the platform '
        "(bg, bs, cs, el, en, et, hr, hu, lt, lv, mk, pl, ro, sk, sl, sq, sr-Cyrl, sr-Latn, zh-hans)",
        'needs[2] (ref need-3): wanted_start "2026-02-30" is not a date (YYYY-MM-DD)',
        'needs[2] (ref need-3): expires_on "2020-01-01" has passed',
        "capabilities[0] (ref cap-1): maturity 12 is not between 1 and 9",
        "capabilities[1] (ref cap-1): price_eur.min must be a whole number",
    ]
    assert Organisation.objects.count() == 0


def test_two_organisations_of_the_file_with_one_name_in_one_country_are_refused():
    document = {"format": "smartcity-listings/1", "organisations": [
        {"ref": "org-a", "name": "Varna", "kind": "city", "country": "BG", "city": "Varna"},
        {"ref": "org-b", "name": "VARNA", "kind": "city", "country": "BG", "city": "Varna"},
    ]}

    with pytest.raises(ImportInvalid) as raised:
        listings_import(document=document)

    assert raised.value.errors == ['organisations[1] (ref org-b): "VARNA" (BG) is organisations[0] too']


def test_a_name_already_registered_under_another_ref_is_refused(document):
    OrganisationFactory(name="Sofia Municipality", country="BG", ref="org-sofia-old")

    with pytest.raises(ImportInvalid) as raised:
        listings_import(document=document)

    assert raised.value.errors == [
        'organisations[0] (ref org-sofia): "Sofia Municipality" (BG) is already on the platform with the reference "org-sofia-old"'
    ]


def test_a_listing_of_an_organisation_waiting_for_verification_is_refused(pending_organisation):
    pending_organisation.ref = "org-tirana"
    pending_organisation.save()
    document = {"format": "smartcity-listings/1", "needs": [
        {"ref": "need-t", "organisation": "org-tirana", "title": "Parking", "description": "Sensors."}
    ]}

    with pytest.raises(ImportInvalid) as raised:
        listings_import(document=document)

    assert raised.value.errors == [
        'needs[0] (ref need-t): organisation "org-tirana" is not verified: include it in the file or verify it first'
    ]


def test_a_document_that_is_not_an_object_or_of_another_format_is_refused():
    with pytest.raises(ImportInvalid) as raised:
        listings_import(document=[1, 2])
    assert raised.value.errors == ["document: a smartcity-listings/1 file holds one JSON object"]

    with pytest.raises(ImportInvalid) as raised:
        listings_import(document={"format": "smartcity-taxonomy/1", "domains": []})
    assert raised.value.errors == [
        'document: unknown field "domains"',
        'document: format must be "smartcity-listings/1", not "smartcity-taxonomy/1"',
    ]


def test_progress_is_reported_while_checking_and_ends_at_the_total(document):
    reports = []

    listings_import(document=document, progress=lambda done, total: reports.append((done, total)))

    assert reports[-1] == (10, 10)
    assert [done for done, _total in reports] == sorted(done for done, _total in reports)


def test_a_closed_listing_stays_closed_on_reimport_but_takes_the_new_text(document):
    listings_import(document=document)
    Need.objects.filter(ref="need-sofia-air").update(status="closed", closed_at=timezone.now())
    document["needs"][1]["title"] = "Air quality sensors"

    assert listings_import(document=document)["needs"]["updated"] == 1

    need = Need.objects.get(ref="need-sofia-air")
    assert need.status == "closed" and need.title == "Air quality sensors"


def test_importing_two_thousand_listings_stays_quick():
    import time

    organisations = [{"ref": f"org-{i}", "name": f"City {i}", "kind": "city", "country": "PL", "city": "Łódź"} for i in range(50)]
    needs = [
        {"ref": f"need-{i}", "organisation": f"org-{i % 50}", "title": f"Smart street lighting {i}",
         "description": "LED street lighting with remote dimming, smart parking sensors and air quality monitoring."}
        for i in range(1000)
    ]
    capabilities = [
        {"ref": f"cap-{i}", "organisation": f"org-{i % 50}", "title": f"智慧停车 {i}", "description": "智能停车和车位检测解决方案。",
         "language": "zh-hans", "maturity": 7}
        for i in range(1000)
    ]
    document = {"format": "smartcity-listings/1", "organisations": organisations, "needs": needs, "capabilities": capabilities}

    started = time.monotonic()
    assert listings_import(document=document)["needs"]["created"] == 1000
    first = time.monotonic() - started
    started = time.monotonic()
    assert listings_import(document=document)["capabilities"]["unchanged"] == 1000
    again = time.monotonic() - started

    assert first < 30 and again < 30, (first, again)


# --- Export ---------------------------------------------------------------------


def test_the_export_follows_the_schema_and_is_sorted_by_ref(document):
    from jsonschema import Draft202012Validator

    listings_import(document=document)
    OrganisationFactory(name="Huawei", slug="huawei-cn", country="CN", kind="company", city="Shenzhen")  # no ref, no listing

    exported = listings_export()

    Draft202012Validator(interchange.listings_schema()).validate(exported)
    assert [o["ref"] for o in exported["organisations"]] == sorted(o["ref"] for o in document["organisations"])
    assert [n["ref"] for n in exported["needs"]] == sorted(n["ref"] for n in document["needs"])
    lighting = next(n for n in exported["needs"] if n["ref"] == "need-sofia-lighting")
    assert lighting == {
        "ref": "need-sofia-lighting", "organisation": "org-sofia", "title": "Smart street lighting for the city centre",
        "description": document["needs"][0]["description"], "language": "en", "audience": "other_side",
        "topics": ["energy.street-lighting"], "expires_on": (timezone.localdate() + timedelta(days=365)).isoformat(),
        "budget_eur": {"min": 200000, "max": 800000}, "stage": "pilot", "wanted_start": "2026-09-01",
        "population_served": 1300000,
    }


def test_records_without_a_ref_get_a_stable_generated_one(organisation, member):
    from partners import services

    need = services.listing_create(
        kind="need", organisation=organisation, by=member, title="Smart parking", description="Parking sensors downtown."
    )
    services.listing_publish(listing=need, by=member)

    exported = listings_export()

    assert [o["ref"] for o in exported["organisations"]] == ["org-sofia-municipality-bg"]
    assert exported["needs"][0]["ref"] == f"need-{need.pk}"
    assert exported["needs"][0]["organisation"] == "org-sofia-municipality-bg"
    assert listings_export() == exported


def test_export_then_import_into_an_empty_database_gives_the_same_document(document, organisation, member):
    from partners import services

    listings_import(document=document)
    # A listing written on the site, with neither refs nor an importer's defaults.
    capability = services.listing_create(
        kind="capability", organisation=organisation, by=member, title="Traffic management consulting",
        description="Adaptive traffic signals.", maturity=6, price_min_eur=1000, country="BG", city="Plovdiv",
    )
    services.listing_publish(listing=capability, by=member)
    first = listings_export()

    Need.objects.all().delete()
    Capability.objects.all().delete()
    Organisation.objects.all().delete()
    assert _counts()["organisations"] == 0
    listings_import(document=json.loads(json.dumps(first)))

    assert listings_export() == first


# --- Commands -------------------------------------------------------------------


def test_the_import_command_prints_the_summary(capsys):
    call_command("import_listings", str(EXAMPLE))

    out = capsys.readouterr().out
    assert "Organisations: 4 created, 0 updated, 0 unchanged" in out
    assert "Needs: 4 created, 0 updated, 0 unchanged" in out
    assert "Capabilities: 2 created, 0 updated, 0 unchanged" in out


def test_the_import_command_fails_with_the_message_and_changes_nothing(document, tmp_path):
    document["needs"][3]["country"] = "XX"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    with pytest.raises(CommandError) as raised:
        call_command("import_listings", str(path))

    assert 'needs[3] (ref need-krakow-energy): country "XX" is not a CEE or Chinese country' in str(raised.value)
    assert Organisation.objects.count() == 0 and Need.objects.count() == 0


def test_the_import_command_exits_non_zero_with_the_message_on_stderr(document, tmp_path, capsys, monkeypatch):
    from django.core.management import execute_from_command_line
    from django.db import connections

    # run_from_argv closes every connection when the command ends; the test's must survive.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    document["needs"][3]["country"] = "XX"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    # As `python manage.py import_listings bad.json` runs it, in this process (and its test database).
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", "import_listings", str(path)])

    assert exited.value.code != 0
    captured = capsys.readouterr()
    assert 'needs[3] (ref need-krakow-energy): country "XX" is not a CEE or Chinese country' in captured.err
    assert captured.out == ""
    assert Organisation.objects.count() == 0


def test_the_import_command_reads_standard_input_and_reports_progress(monkeypatch, capsys):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(EXAMPLE.read_text(encoding="utf-8")))

    call_command("import_listings", "-", verbosity=2)

    captured = capsys.readouterr()
    assert "Needs: 4 created" in captured.out
    assert "checked 10/10" in captured.err


def test_the_import_command_says_when_the_file_is_not_json(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json", encoding="utf-8")

    with pytest.raises(CommandError, match="is not JSON"):
        call_command("import_listings", str(path))


def test_the_export_command_writes_the_document_to_stdout_or_a_file(document, tmp_path, capsys):
    listings_import(document=document)

    call_command("export_listings")
    printed = capsys.readouterr().out
    call_command("export_listings", "-o", str(tmp_path / "out.json"))

    assert json.loads(printed) == listings_export()
    assert "深圳市光明智慧照明有限公司" in printed  # not \u-escaped
    assert (tmp_path / "out.json").read_text(encoding="utf-8") == printed


# --- API ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, status", [("anonymous", (403,)), ("outsider", (403,)), ("member", (403,)), ("org_admin", (403,)),
                        ("coordinator", (200,)), ("superuser", (200,))],
)
def test_only_coordinators_may_import_through_the_api(persona, status, persona_user, client_for, document):
    response = client_for(persona_user(persona)).post(reverse("api:listings-import"), document, content_type="application/json")

    assert response.status_code in status
    assert Need.objects.exists() == (response.status_code == 200)


def test_the_api_answers_with_the_summary(client_for, coordinator, document):
    response = client_for(coordinator).post(reverse("api:listings-import"), document, content_type="application/json")

    assert response.status_code == 200
    assert response.json() == _summary(created=(4, 4, 2))
    assert Organisation.objects.get(ref="org-sofia").reviewed_by == coordinator


def test_the_api_answers_400_with_every_error(client_for, coordinator, document):
    document["needs"][3]["country"] = "XX"
    document["capabilities"][0]["maturity"] = 0

    response = client_for(coordinator).post(reverse("api:listings-import"), document, content_type="application/json")

    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == [
        'needs[3] (ref need-krakow-energy): country "XX" is not a CEE or Chinese country',
        "capabilities[0] (ref cap-lumen-streetlights): maturity 0 is not between 1 and 9",
    ]
    assert body["detail"] == "2 problems in the file; nothing was imported:\n" + "\n".join(body["errors"])
    assert Organisation.objects.count() == 0


def test_the_api_refuses_a_body_that_is_not_json(client_for, coordinator):
    response = client_for(coordinator).post(reverse("api:listings-import"), "{oops", content_type="application/json")

    assert response.status_code == 400 and "detail" in response.json()


# --- Upload page ----------------------------------------------------------------


def _upload(content: bytes, name: str = "listings.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/json")


def test_a_coordinator_uploads_a_file_and_sees_the_import_done(client_for, coordinator, django_capture_on_commit_callbacks):
    client = client_for(coordinator)
    assert 'type="file"' in client.get(reverse("partners:import_upload")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("partners:import_upload"), {"file": _upload(EXAMPLE.read_bytes())})

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("partners:import_status", kwargs={"pk": job.pk})
    assert (job.status, job.created_by, job.filename, job.processed, job.total) == ("done", coordinator, "listings.json", 10, 10)
    assert job.summary == _summary(created=(4, 4, 2))
    page = client.get(response["Location"]).content.decode()
    assert "Done" in page and "100%" in page and 'http-equiv="refresh"' not in page
    assert Need.objects.filter(status="published").count() == 4


def test_a_running_import_page_refreshes_itself_and_shows_its_progress(client_for, coordinator):
    job = ImportJob.objects.create(created_by=coordinator, filename="big.json", document={}, status="running", total=200, processed=50)

    page = client_for(coordinator).get(reverse("partners:import_status", kwargs={"pk": job.pk})).content.decode()

    assert '<meta http-equiv="refresh" content="1">' in page
    assert 'value="25"' in page and "25%" in page


def test_a_failed_import_lists_every_error_on_its_page(client_for, coordinator, document, django_capture_on_commit_callbacks):
    document["needs"][3]["country"] = "XX"
    client = client_for(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("partners:import_upload"), {"file": _upload(json.dumps(document).encode())})

    job = ImportJob.objects.get()
    assert job.status == "failed"
    page = client.get(response["Location"]).content.decode()
    assert "1 problem in the file; nothing was imported:" in page
    assert "needs[3] (ref need-krakow-energy): country &quot;XX&quot; is not a CEE or Chinese country" in page
    assert Need.objects.count() == 0


def test_an_upload_that_is_not_json_is_refused_with_a_message(client_for, coordinator):
    response = client_for(coordinator).post(reverse("partners:import_upload"), {"file": _upload(b"name,country\nSofia,BG\n", "list.csv")})

    assert response.status_code == 200
    assert "This file is not JSON" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_an_upload_of_another_json_format_is_refused_with_a_message(client_for, coordinator):
    response = client_for(coordinator).post(reverse("partners:import_upload"), {"file": _upload(b'{"format": "other"}')})

    assert "is not a smartcity-listings/1 document" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_an_upload_over_the_size_limit_is_refused(client_for, coordinator, monkeypatch):
    monkeypatch.setattr(interchange, "MAX_DOCUMENT_BYTES", 100)

    response = client_for(coordinator).post(reverse("partners:import_upload"), {"file": _upload(EXAMPLE.read_bytes())})

    assert "larger than 10 MB" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    "persona, status", [("anonymous", 302), ("outsider", 403), ("member", 403), ("org_admin", 403), ("coordinator", 200),
                        ("superuser", 200)],
)
def test_only_coordinators_see_the_import_pages(persona, status, persona_user, client_for, coordinator):
    job = ImportJob.objects.create(created_by=coordinator, document={}, status="done")
    client = client_for(persona_user(persona))

    for url in (reverse("partners:import_upload"), reverse("partners:import_status", kwargs={"pk": job.pk})):
        response = client.get(url)
        assert response.status_code == status
        if status == 302:
            assert "/accounts/login/" in response["Location"]


def test_an_import_that_does_not_exist_is_not_found(client_for, coordinator):
    assert client_for(coordinator).get(reverse("partners:import_status", kwargs={"pk": 999999})).status_code == 404


# The access matrix of tests/partners/test_permissions.py counts these routes as covered here.
COVERED_ROUTES = {"api:listings-import", "partners:import_upload", "partners:import_status"}


def test_a_job_runs_once_however_often_its_task_is_delivered(coordinator, document):
    from partners.tasks import import_listings_job

    job = ImportJob.objects.create(created_by=coordinator, document=document, total=10)
    import_listings_job(job.pk)
    job.refresh_from_db()
    finished = job.finished_at

    import_listings_job(job.pk)  # a second delivery (acks_late) finds it claimed
    import_listings_job(job.pk + 1000)  # a job that has gone

    job.refresh_from_db()
    assert job.status == "done" and job.finished_at == finished
    assert Need.objects.count() == 4

