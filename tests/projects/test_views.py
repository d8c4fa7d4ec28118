"""The project and agreement pages: they show only the actions one may take now, the
timeline and the KPI chart, and cost the same number of queries whatever their rows."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from projects import services
from projects.models import KPI, Agreement, AuditEvent, KPIMeasurement, Milestone, Project
from tests.projects.conftest import party_of, pdf

pytestmark = pytest.mark.django_db


def steps_on(page: str) -> list[str]:
    return re.findall(r'data-step="([a-z_]+)"', page)


@pytest.mark.parametrize("state, persona, expected", [
    ("draft", "lead_member", ["submit"]),
    ("draft", "lead_admin", ["submit", "withdraw"]),
    ("draft", "coordinator", ["withdraw"]),
    ("in_review", "lead_member", ["request_changes"]),
    ("in_review", "partner_admin", ["request_changes", "approve", "withdraw"]),
    ("agreed", "lead_admin", ["sign", "withdraw"]),
    ("agreed", "lead_member", []),
    ("signed", "coordinator", ["put_in_force", "terminate"]),
    ("signed", "lead_admin", ["terminate"]),
    ("in_force", "coordinator", ["complete", "terminate"]),
    ("completed", "coordinator", []),
    ("withdrawn", "lead_admin", []),
])
def test_the_agreement_page_shows_only_the_actions_the_user_may_take_now(state, persona, expected, flow, parties,
                                                                        coordinator, client_for):
    agreement = flow.to(state)
    user = coordinator if persona == "coordinator" else getattr(parties, persona)
    page = client_for(user).get(agreement.get_absolute_url()).content.decode()
    assert steps_on(page) == expected


def test_a_party_that_has_approved_no_longer_sees_approve(flow, parties, client_for):
    agreement = flow.to("in_review")
    services.agreement_approve(agreement=agreement, by=parties.lead_admin)
    assert "approve" not in steps_on(client_for(parties.lead_admin).get(agreement.get_absolute_url()).content.decode())
    assert "approve" in steps_on(client_for(parties.partner_admin).get(agreement.get_absolute_url()).content.decode())


def test_the_api_lists_the_same_actions_as_the_page(flow, parties, client_for):
    agreement = flow.to("in_review")
    client = client_for(parties.partner_admin)
    page = client.get(agreement.get_absolute_url()).content.decode()
    api = client.get(reverse("api:agreement-detail", args=[agreement.pk])).json()
    assert api["actions"] == steps_on(page)


def test_the_project_page_offers_each_party_s_admins_their_own_answer_only(project, parties, coordinator, client_for):
    lead, partner = party_of(project, parties.lead), party_of(project, parties.partner)
    page = client_for(parties.lead_admin).get(project.get_absolute_url()).content.decode()
    assert f'action="/projects/parties/{lead.pk}/accept/"' in page
    assert f'action="/projects/parties/{partner.pk}/accept/"' not in page
    assert steps_on(client_for(parties.lead_member).get(project.get_absolute_url()).content.decode()) == []
    coordinator_page = client_for(coordinator).get(project.get_absolute_url()).content.decode()
    assert steps_on(coordinator_page) == ["cancel"] and 'id="party-add"' in coordinator_page


def test_accepting_on_the_page_activates_the_project_when_the_last_party_does(project, parties, client_for):
    for party, admin in ((party_of(project, parties.lead), parties.lead_admin),
                         (party_of(project, parties.partner), parties.partner_admin)):
        response = client_for(admin).post(reverse("projects:party_step", args=[party.pk, "accept"]), follow=True)
        assert response.status_code == 200 and "Invitation accepted" in response.content.decode()
    page = client_for(parties.lead_member).get(project.get_absolute_url()).content.decode()
    assert 'id="project-stage">Active<' in page
    assert "Project active: every party has accepted" in page


def test_the_page_says_why_a_transition_cannot_happen_now_and_refuses_others_with_403(flow, parties, client_for):
    agreement = flow.draft(text=" ")
    response = client_for(parties.lead_member).post(reverse("projects:agreement_step", args=[agreement.pk, "submit"]),
                                                    follow=True)
    assert "Write the text or upload a document first." in response.content.decode()
    forbidden = client_for(parties.lead_member).post(reverse("projects:agreement_step", args=[agreement.pk, "withdraw"]),
                                                     {"comment": "No."})
    assert forbidden.status_code == 403
    unknown = client_for(parties.lead_member).post(reverse("projects:agreement_step", args=[agreement.pk, "take_effect"]))
    assert unknown.status_code == 404  # the platform's own step has no page either


def test_drafting_editing_uploading_and_signing_through_the_pages(flow, parties, client_for):
    client = client_for(parties.lead_member)
    response = client.post(reverse("projects:agreement_create", args=[flow.project.pk]), {
        "type": "loi", "title": "Letter of intent", "text": "We intend to cooperate.", "effective_date": "",
    })
    agreement = Agreement.objects.get(title="Letter of intent")
    assert response.status_code == 302 and response["Location"] == agreement.get_absolute_url()
    client.post(reverse("projects:agreement_edit", args=[agreement.pk]), {
        "type": "loi", "title": "Letter of intent", "text": "We intend to cooperate on lighting.", "version": 1,
        "effective_date": date.today().isoformat(),
    })
    client.post(reverse("projects:agreement_upload", args=[agreement.pk]),
                {"document": pdf("loi.pdf"), "note": "Signed scan to come", "version": 2})
    agreement.refresh_from_db()
    assert (agreement.version, agreement.document_name, agreement.effective_date) == (3, "loi.pdf", date.today())
    client.post(reverse("projects:agreement_step", args=[agreement.pk, "submit"]), {"comment": "Ready."})
    for admin in (parties.lead_admin, parties.partner_admin):
        client_for(admin).post(reverse("projects:agreement_step", args=[agreement.pk, "approve"]), {"version": 3})
    for admin in (parties.lead_admin, parties.partner_admin):
        response = client_for(admin).post(reverse("projects:agreement_step", args=[agreement.pk, "sign"]), {
            "version": 3, "signatory": f"{admin.display_name}, director", "signed_on": date.today().isoformat(),
            "signed_copy": pdf("signed.pdf"),
        })
        assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.state == "in_force"  # its effective date is today
    page = client.get(agreement.get_absolute_url()).content.decode()
    assert "Signed by" in page and "In force from its effective date" in page and "loi.pdf" in page


def test_a_missing_signed_copy_is_said_on_the_page(flow, parties, client_for):
    agreement = flow.to("agreed")
    response = client_for(parties.lead_admin).post(reverse("projects:agreement_step", args=[agreement.pk, "sign"]), {
        "version": 1, "signatory": "Ivan", "signed_on": date.today().isoformat()}, follow=True)
    assert "Signed copy" in response.content.decode()
    assert Agreement.objects.get(pk=agreement.pk).state == "agreed"


def test_a_stale_project_edit_re_renders_with_the_user_s_input(active_project, parties, coordinator, client_for):
    url = reverse("projects:project_edit", args=[active_project.pk])
    base = {"title": active_project.title, "city": "Sofia", "country": "BG", "version": 1}
    assert client_for(coordinator).post(url, {**base, "summary": "Coordinator's summary."}).status_code == 302
    response = client_for(parties.lead_admin).post(url, {**base, "summary": "The lead's own summary."})
    assert response.status_code == 409
    page = response.content.decode()
    assert "This project was changed by someone else since you opened it" in page
    assert "The lead&#x27;s own summary." in page and "Coordinator&#x27;s summary." in page


def test_the_project_page_shows_milestones_kpis_as_a_chart_and_the_timeline(flow, parties, client_for):
    kpi = services.kpi_create(project=flow.project, by=parties.lead_member, name="Energy use", unit="MWh",
                              baseline=1200, target=700)
    for days, value in ((60, 1150), (30, 1000), (0, 950)):
        services.kpi_measurement_record(kpi=kpi, by=parties.lead_member, measured_on=date.today() - timedelta(days=days),
                                        value=value)
    services.milestone_create(project=flow.project, by=parties.lead_member, title="Survey the poles",
                              due_on=date.today() - timedelta(days=1))
    page = client_for(parties.partner_admin).get(flow.project.get_absolute_url()).content.decode()
    assert '<svg class="kpi-chart"' in page and page.count("<circle") == 3 and "<polyline" in page
    assert "50% of the way" in page
    assert "Survey the poles" in page and 'class="overdue"' in page
    assert 'data-action="kpi.measured"' in page and 'data-action="project.activate"' in page


def test_recording_through_the_forms_on_the_project_page(flow, parties, client_for):
    client = client_for(parties.partner_admin)
    project = flow.project
    client.post(reverse("projects:kpi_create", args=[project.pk]), {"name": "Lamps", "unit": "lamps", "baseline": 0,
                                                                     "target": 2000})
    kpi = KPI.objects.get(project=project)
    client.post(reverse("projects:kpi_measure", args=[kpi.pk]), {"measured_on": date.today().isoformat(), "value": 150})
    client.post(reverse("projects:milestone_create", args=[project.pk]),
                {"title": "First 150 lamps", "due_on": date.today().isoformat(), "status": "in_progress"})
    milestone = Milestone.objects.get(project=project)
    client.post(reverse("projects:milestone_update", args=[milestone.pk]), {"status": "done"})
    assert KPIMeasurement.objects.get(kpi=kpi).value == 150
    assert Milestone.objects.get(pk=milestone.pk).status == "done"


def test_the_public_pages_show_only_the_summary(active_project, parties, client_for):
    for party, admin in ((party_of(active_project, parties.lead), parties.lead_admin),
                         (party_of(active_project, parties.partner), parties.partner_admin)):
        client_for(admin).post(reverse("projects:party_consent", args=[party.pk]), {"consent": "1"})
    page = client_for(None).get(reverse("projects:project_public", args=[active_project.pk])).content.decode()
    assert active_project.title in page and "Hangzhou Lighting Co" in page
    assert "Timeline" not in page and "Agreements" not in page


@pytest.mark.parametrize("rows", [1, 10, 50])
def test_the_project_page_issues_a_constant_number_of_queries(rows, flow, parties, coordinator, client_for,
                                                              django_assert_num_queries):
    project = flow.project
    Agreement.objects.bulk_create([Agreement(project=project, type="mou", title=f"Agreement {i}", text="x")
                                   for i in range(rows)])
    AuditEvent.objects.bulk_create([
        AuditEvent(project=project, action="agreement.created", actor=parties.lead_member, actor_name="M",
                   organisation=parties.lead, data={"version": 1}) for _ in range(rows)
    ])
    Milestone.objects.bulk_create([Milestone(project=project, title=f"M{i}", due_on=date.today()) for i in range(rows)])
    kpis = KPI.objects.bulk_create([KPI(project=project, name=f"K{i}", unit="u", baseline=0, target=1)
                                    for i in range(rows)])
    KPIMeasurement.objects.bulk_create([KPIMeasurement(kpi=k, measured_on=date.today(), value=1) for k in kpis])
    # the project itself, plus its evaluations (research): a party also loads whether it may evaluate
    for user, queries in ((parties.lead_admin, 20), (coordinator, 19)):
        client = client_for(user)
        client.get(project.get_absolute_url())  # warm the session
        # session, user, project, groups, seats, parties, agreements, KPIs + measurements, topics,
        # milestones, events, history, unread count, and per role: the acting organisation and the
        # party answers (lead), or the stage guards and the organisations to invite (coordinator)
        with django_assert_num_queries(queries):
            assert client.get(project.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("rows", [1, 10, 50])
def test_the_agreement_page_and_the_api_list_issue_a_constant_number_of_queries(rows, flow, parties, client_for,
                                                                                django_assert_num_queries):
    agreement = flow.to("in_review")
    AuditEvent.objects.bulk_create([AuditEvent(project=flow.project, agreement=agreement, action="agreement.edited",
                                               data={"version": 1}) for _ in range(rows)])
    Agreement.objects.bulk_create([Agreement(project=flow.project, type="mou", title=f"A{i}") for i in range(rows)])
    client = client_for(parties.partner_admin)
    client.get(agreement.get_absolute_url())
    with django_assert_num_queries(17):
        assert client.get(agreement.get_absolute_url()).status_code == 200
    with django_assert_num_queries(7):  # session, user, groups, count, page, approvals, signatures
        assert client.get(reverse("api:agreement-list")).status_code == 200
