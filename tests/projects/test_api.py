"""The project API end to end: a coordinator's project by hand, the parties' answers,
an agreement with a document, versions, the timeline; what refusals look like."""
from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from projects.models import Agreement, Project
from tests.projects.conftest import docx_bytes, party_of, upload

pytestmark = pytest.mark.django_db

JSON = "application/json"


def test_a_coordinator_builds_a_project_by_hand_and_the_parties_take_it_from_there(parties, coordinator, client_for):
    coordination = client_for(coordinator)
    created = coordination.post(reverse("api:project-list"), {"title": "Smart parking for Plovdiv", "city": "Plovdiv",
                                                               "country": "BG"}, content_type=JSON)
    assert created.status_code == 201 and created.json()["stage"] == "proposed"
    project_id = created.json()["id"]
    for organisation, role in ((parties.lead, "lead"), (parties.partner, "partner")):
        response = coordination.post(reverse("api:party-list"), {"project": project_id, "organisation": organisation.slug,
                                                                  "role": role}, content_type=JSON)
        assert response.status_code == 201, response.content
    again = coordination.post(reverse("api:party-list"), {"project": project_id, "organisation": parties.lead.slug,
                                                           "role": "observer"}, content_type=JSON)
    assert again.status_code == 409
    project = Project.objects.get(pk=project_id)
    for organisation, admin in ((parties.lead, parties.lead_admin), (parties.partner, parties.partner_admin)):
        response = client_for(admin).post(reverse("api:party-accept", args=[party_of(project, organisation).pk]))
        assert response.status_code == 200
    detail = client_for(parties.lead_admin).get(reverse("api:project-detail", args=[project_id])).json()
    assert detail["stage"] == "active" and detail["actions"] == ["start_pilot"]
    assert {p["status"] for p in detail["parties"]} == {"accepted"}


def test_an_agreement_with_a_document_its_versions_and_the_timeline(flow, parties, client_for):
    client = client_for(parties.lead_member)
    created = client.post(reverse("api:agreement-list"), {
        "project": flow.project.pk, "type": "contract", "title": "Supply contract",
        "document": upload("contract.docx", docx_bytes()),
    })
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["state"], body["version"], body["document_kind"], body["actions"]) == ("draft", 1, "docx", ["submit"])
    agreement_id = body["id"]
    uploaded = client.post(reverse("api:agreement-version-list"), {
        "agreement": agreement_id, "version": 1, "document": upload("contract-v2.docx", docx_bytes()), "note": "Prices",
    })
    assert uploaded.status_code == 201 and uploaded.json()["number"] == 2
    versions = client.get(reverse("api:agreement-version-list"), {"agreement": agreement_id}).json()["results"]
    assert [v["number"] for v in versions] == [2, 1] and all(v["download"] for v in versions)
    download = client.get(versions[1]["download"])
    assert download.status_code == 200 and download["Content-Type"].endswith("wordprocessingml.document")
    timeline = client.get(reverse("api:project-timeline", args=[flow.project.pk])).json()["results"]
    assert [e["description"] for e in timeline][-2:] == [
        "Agreement drafted (version 1)", "Document uploaded: contract-v2.docx (version 2)"]


def test_an_edit_needs_the_version_it_was_made_on_and_a_stale_one_answers_409(flow, parties, client_for):
    agreement = flow.draft()
    url = reverse("api:agreement-detail", args=[agreement.pk])
    client = client_for(parties.lead_member)
    assert client.patch(url, {"text": "No version."}, content_type=JSON).status_code == 400
    assert client.patch(url, {"version": 1, "text": "First."}, content_type=JSON).json()["version"] == 2
    stale = client_for(parties.partner_admin).patch(url, {"version": 1, "text": "Second."}, content_type=JSON)
    assert stale.status_code == 409
    assert stale.json() == {"detail": "This agreement was changed by someone else since you opened it; reload to see "
                                      "their changes (your text is shown below)"}
    assert Agreement.objects.get(pk=agreement.pk).text == "First."


def test_refusals_say_why(flow, parties, coordinator, client_for):
    agreement = flow.to("in_review")
    forbidden = client_for(parties.lead_member).post(reverse("api:agreement-approve", args=[agreement.pk]))
    assert forbidden.status_code == 403
    assert forbidden.json() == {"detail": "“Approve” is for the administrators of the parties."}
    wrong_state = client_for(coordinator).post(reverse("api:agreement-put-in-force", args=[agreement.pk]))
    assert wrong_state.status_code == 409
    assert wrong_state.json() == {"detail": "“Put in force” is not possible while the agreement is In review."}
    no_comment = client_for(parties.partner_admin).post(reverse("api:agreement-request-changes", args=[agreement.pk]))
    assert no_comment.status_code == 400 and "comment" in no_comment.json()


def test_milestones_and_kpis_through_the_api(flow, parties, client_for):
    client = client_for(parties.partner_admin)
    milestone = client.post(reverse("api:milestone-list"), {"project": flow.project.pk, "title": "Install",
                                                             "due_on": "2020-01-01"}, content_type=JSON).json()
    assert milestone["is_overdue"] is True
    done = client.patch(reverse("api:milestone-detail", args=[milestone["id"]]), {"status": "done"}, content_type=JSON)
    assert done.json()["status"] == "done" and done.json()["done_at"]
    kpi = client.post(reverse("api:kpi-list"), {"project": flow.project.pk, "name": "CO2", "unit": "t", "baseline": 100,
                                                 "target": 40}, content_type=JSON).json()
    measured = client.post(reverse("api:kpi-measure", args=[kpi["id"]]),
                           {"measured_on": date.today().isoformat(), "value": 80}, content_type=JSON)
    assert measured.status_code == 201 and measured.json()["measurements"] == [
        {"measured_on": date.today().isoformat(), "value": 80.0}]
    listed = client.get(reverse("api:kpi-list"), {"project": flow.project.pk}).json()
    assert listed["count"] == 1
