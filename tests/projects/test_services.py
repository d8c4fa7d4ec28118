"""The services beyond the transitions themselves: stale edits, the audit trail and the
field history, notifications, milestones (and the overdue beat job), KPIs, parties."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail

from core.exceptions import DomainError, ErrorKind
from core.models import Notification
from projects import services
from projects.models import KPI, Agreement, AuditEvent, KPIMeasurement, Milestone, Project
from tests.projects.conftest import party_of

pytestmark = pytest.mark.django_db

STALE = ("This agreement was changed by someone else since you opened it; reload to see their changes "
         "(your text is shown below)")


def _error(call) -> DomainError:
    with pytest.raises(DomainError) as error:
        call()
    return error.value


# --- Stale edits -------------------------------------------------------------------


def test_an_edit_made_on_a_stale_version_is_refused_and_changes_nothing(flow, parties):
    agreement = flow.draft()
    services.agreement_update(agreement=agreement, by=parties.partner_admin, version=1, text="Their text.")
    error = _error(lambda: services.agreement_update(agreement=agreement, by=parties.lead_member, version=1,
                                                     text="My text."))
    assert (error.kind, error.message) == (ErrorKind.CONFLICT, STALE)
    fresh = Agreement.objects.get(pk=agreement.pk)
    assert (fresh.text, fresh.version) == ("Their text.", 2)
    assert services.agreement_update(agreement=fresh, by=parties.lead_member, version=2, text="My text.").version == 3


def test_a_stale_document_upload_is_refused_too(flow, parties):
    from tests.projects.conftest import pdf

    agreement = flow.draft()
    services.agreement_update(agreement=agreement, by=parties.partner_admin, version=1, title="Renamed")
    error = _error(lambda: services.agreement_document_upload(agreement=agreement, by=parties.lead_member, version=1,
                                                              document=pdf()))
    assert error.kind is ErrorKind.CONFLICT


def test_saving_without_a_change_makes_no_new_version(flow, parties):
    agreement = flow.draft()
    same = services.agreement_update(agreement=agreement, by=parties.lead_member, version=1, text=agreement.text)
    assert same.version == 1 and agreement.versions.count() == 1


def test_only_a_draft_changes(flow, parties):
    agreement = flow.to("in_review")
    error = _error(lambda: services.agreement_update(agreement=agreement, by=parties.lead_member, version=1, text="x"))
    assert error.kind is ErrorKind.CONFLICT and "Only a draft" in error.message


def test_a_stale_project_edit_is_refused(active_project, parties, coordinator):
    services.project_update(project=active_project, by=coordinator, version=1, summary="Coordinator's summary.")
    error = _error(lambda: services.project_update(project=active_project, by=parties.lead_admin, version=1,
                                                   summary="Lead's summary."))
    assert error.kind is ErrorKind.CONFLICT and "This project was changed by someone else" in error.message
    assert Project.objects.get(pk=active_project.pk).summary == "Coordinator's summary."


def test_only_the_lead_and_coordinators_edit_a_project(active_project, parties):
    error = _error(lambda: services.project_update(project=active_project, by=parties.partner_admin, version=1,
                                                   title="Mine"))
    assert error.kind is ErrorKind.FORBIDDEN


# --- Audit trail and history -------------------------------------------------------------


def test_the_audit_trail_records_every_step_with_who_for_whom_and_why(flow, parties, coordinator):
    flow.to("in_force")
    rows = list(AuditEvent.objects.filter(project=flow.project).order_by("pk").values_list(
        "action", "organisation__slug", "from_state", "to_state"))
    assert rows == [
        ("project.created", None, "", "proposed"),
        ("party.invited", None, "", ""),
        ("party.invited", None, "", ""),
        ("party.accept", "sofia-municipality-bg", "invited", "accepted"),
        ("party.accept", "hangzhou-lighting", "invited", "accepted"),
        ("project.activate", None, "proposed", "active"),
        ("agreement.created", "sofia-municipality-bg", "", "draft"),
        ("agreement.submit", "sofia-municipality-bg", "draft", "in_review"),
        ("agreement.approve", "sofia-municipality-bg", "in_review", "in_review"),
        ("agreement.approve", "hangzhou-lighting", "in_review", "agreed"),
        ("agreement.sign", "sofia-municipality-bg", "agreed", "agreed"),
        ("agreement.sign", "hangzhou-lighting", "agreed", "signed"),
        ("agreement.put_in_force", None, "signed", "in_force"),
    ]
    last = AuditEvent.objects.latest("pk")
    assert last.actor == coordinator and last.actor_name == coordinator.display_name


def test_audit_events_cannot_be_changed_or_deleted(flow):
    flow.draft()
    event = AuditEvent.objects.latest("pk")
    event.comment = "rewritten history"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).comment == ""


def test_field_history_keeps_each_change_of_projects_and_agreements_with_who(flow, parties, coordinator):
    agreement = flow.draft()
    services.agreement_update(agreement=agreement, by=parties.partner_admin, version=1, title="MoU, revised")
    history = list(Agreement.objects.get(pk=agreement.pk).history.order_by("history_date"))
    assert [h.title for h in history] == ["Memorandum on the lighting pilot", "MoU, revised"]
    assert history[-1].history_user == parties.partner_admin
    assert [c.field for c in history[-1].diff_against(history[0]).changes] == ["title", "version"]
    services.project_update(project=flow.project, by=coordinator, version=1, title="Sofia lights")
    assert flow.project.history.latest().title == "Sofia lights"
    assert flow.project.history.latest().history_user == coordinator


# --- Notifications ------------------------------------------------------------------------


def test_each_step_tells_the_other_parties_in_app_and_by_email(flow, parties, django_capture_on_commit_callbacks):
    agreement = flow.draft()
    mail.outbox.clear()
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.agreement_submit(agreement=agreement, by=parties.lead_member)
    # Sofia acted: Hangzhou hears of it, Sofia does not.
    assert list(Notification.objects.values_list("user__email", flat=True)) == ["partner-admin@example.org"]
    note = Notification.objects.get()
    assert note.title_en == "LED street lighting for Sofia: Submitted for review"
    assert note.title_zh and note.url == agreement.get_absolute_url()
    assert [m.to for m in mail.outbox] == [["partner-admin@example.org"]]
    assert "Submitted for review" in mail.outbox[0].body and "http" in mail.outbox[0].body
    assert AuditEvent.objects.get(action="agreement.submit").notified_at is not None


def test_a_coordinator_s_step_tells_every_party_and_a_second_delivery_tells_nobody(
    flow, parties, coordinator, django_capture_on_commit_callbacks
):
    agreement = flow.to("signed")
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.agreement_put_in_force(agreement=agreement, by=coordinator)
    told = set(Notification.objects.values_list("user__email", flat=True))
    assert told == {"admin@example.org", "member@example.org", "partner-admin@example.org"}
    event = AuditEvent.objects.get(action="agreement.put_in_force")
    assert services.event_notify(event_id=event.pk) == 0
    assert Notification.objects.count() == 3


def test_notifications_are_sent_only_after_commit(flow, parties):
    agreement = flow.draft()
    Notification.objects.all().delete()
    services.agreement_submit(agreement=agreement, by=parties.lead_member)  # no commit in this test transaction
    assert not Notification.objects.exists()


def test_the_notification_list_shows_unread_counts(flow, parties, client_for, django_capture_on_commit_callbacks):
    agreement = flow.draft()
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.agreement_submit(agreement=agreement, by=parties.lead_member)
    page = client_for(parties.partner_admin).get("/notifications/").content.decode()
    assert "Submitted for review" in page and 'class="badge unread-count">1<' in page


# --- Milestones ---------------------------------------------------------------------------


def test_the_daily_job_flags_overdue_milestones_once_and_tells_the_parties(flow, parties,
                                                                          django_capture_on_commit_callbacks):
    from projects.tasks import flag_overdue_milestones

    yesterday = date.today() - timedelta(days=1)
    late = services.milestone_create(project=flow.project, by=parties.lead_member, title="Survey the poles",
                                     due_on=yesterday)
    services.milestone_create(project=flow.project, by=parties.lead_member, title="Done already", due_on=yesterday,
                              status=Milestone.Status.DONE)
    services.milestone_create(project=flow.project, by=parties.lead_member, title="Next month",
                              due_on=date.today() + timedelta(days=30))
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        assert flag_overdue_milestones() == 1
    assert flag_overdue_milestones() == 0
    assert Milestone.objects.get(pk=late.pk).overdue_notified_at is not None
    event = AuditEvent.objects.get(action="milestone.overdue")
    assert event.description == f"Milestone overdue: Survey the poles, due {yesterday.isoformat()}"
    told = set(Notification.objects.values_list("user__email", flat=True))
    assert told == {"admin@example.org", "member@example.org", "partner-admin@example.org"}


def test_moving_a_flagged_milestone_later_rearms_the_warning(flow, parties):
    late = services.milestone_create(project=flow.project, by=parties.lead_member, title="Survey",
                                     due_on=date.today() - timedelta(days=2))
    services.milestones_flag_overdue()
    services.milestone_update(milestone=late, by=parties.lead_member, due_on=date.today() + timedelta(days=7))
    assert Milestone.objects.get(pk=late.pk).overdue_notified_at is None
    assert services.milestones_flag_overdue(today=date.today() + timedelta(days=8)) == 1


def test_marking_a_milestone_done_stamps_it_and_is_recorded(flow, parties):
    milestone = services.milestone_create(project=flow.project, by=parties.lead_member, title="Install",
                                          due_on=date.today())
    services.milestone_update(milestone=milestone, by=parties.partner_admin, status=Milestone.Status.DONE)
    milestone.refresh_from_db()
    assert milestone.done_at is not None
    assert AuditEvent.objects.filter(action="milestone.status").latest("pk").description == "Milestone “Install” is now Done"


def test_a_milestone_belongs_to_an_agreement_of_its_own_project_only(flow, parties, coordinator):
    other = services.project_create(by=coordinator, title="Another project")
    foreign = services.agreement_create(project=other, by=coordinator, type="loi", title="Elsewhere", text="x")
    error = _error(lambda: services.milestone_create(project=flow.project, by=parties.lead_member, title="X",
                                                     due_on=date.today(), agreement=foreign.pk))
    assert error.kind is ErrorKind.INVALID and error.field == "agreement"


def test_outsiders_and_observers_keep_no_milestones(flow, outsider):
    error = _error(lambda: services.milestone_create(project=flow.project, by=outsider, title="X", due_on=date.today()))
    assert error.kind is ErrorKind.FORBIDDEN


# --- KPIs ----------------------------------------------------------------------------------


def test_kpi_measurements_over_time_and_a_correction_on_the_same_day(flow, parties):
    kpi = services.kpi_create(project=flow.project, by=parties.lead_member, name="Energy use", unit="MWh/year",
                              baseline=1200, target=700)
    services.kpi_measurement_record(kpi=kpi, by=parties.lead_member, measured_on=date(2026, 3, 1), value=1150)
    services.kpi_measurement_record(kpi=kpi, by=parties.partner_admin, measured_on=date(2026, 6, 1), value=990)
    services.kpi_measurement_record(kpi=kpi, by=parties.partner_admin, measured_on=date(2026, 6, 1), value=980)
    assert list(KPIMeasurement.objects.filter(kpi=kpi).values_list("value", flat=True)) == [1150, 980]
    error = _error(lambda: services.kpi_measurement_record(kpi=kpi, by=parties.lead_member,
                                                           measured_on=date.today() + timedelta(days=1), value=1))
    assert error.field == "measured_on"


def test_the_kpi_chart_places_values_between_baseline_and_target():
    from projects.charts import kpi_chart

    kpi = KPI(name="Energy", unit="MWh", baseline=100, target=60)
    measurements = [KPIMeasurement(measured_on=date(2026, 1, 1), value=100),
                    KPIMeasurement(measured_on=date(2026, 1, 11), value=80)]
    chart = kpi_chart(kpi, measurements)
    assert chart.baseline_y < chart.target_y  # a lower target is drawn lower
    assert chart.points[0].y == chart.baseline_y and chart.points[0].x < chart.points[1].x
    assert chart.progress == 50 and chart.latest == 80
    empty = kpi_chart(kpi, [])
    assert empty.points == [] and empty.progress is None


# --- Projects and parties --------------------------------------------------------------


def test_an_approved_match_becomes_a_project_with_its_creation_recorded(db, coordinator):
    from matchmaking.models import Proposal
    from matchmaking.services import proposal_approve
    from tests.factories import CapabilityFactory, NeedFactory

    proposal = Proposal.objects.create(need=NeedFactory(), capability=CapabilityFactory(), score=0.8,
                                       computed_at="2026-01-01T00:00Z")
    proposal_approve(proposal=proposal, by=coordinator)
    project = Project.objects.get(proposal=proposal)
    assert project.events.get().action == "project.created"
    assert project.history.get().history_user == coordinator
    assert list(project.parties.values_list("role", "status")) == [("lead", "invited"), ("partner", "invited")]


def test_only_coordinators_create_projects_and_add_parties(parties, coordinator):
    error = _error(lambda: services.project_create(by=parties.lead_admin, title="Mine"))
    assert error.kind is ErrorKind.FORBIDDEN
    project = services.project_create(by=coordinator, title="By hand")
    error = _error(lambda: services.party_add(project=project, organisation=parties.lead, role="lead",
                                              by=parties.lead_admin))
    assert error.kind is ErrorKind.FORBIDDEN
    services.party_add(project=project, organisation=parties.lead, role="lead", by=coordinator)
    error = _error(lambda: services.party_add(project=project, organisation=parties.lead, role="partner",
                                              by=coordinator))
    assert error.kind is ErrorKind.CONFLICT


def test_unverified_organisations_are_not_invited(project, coordinator, pending_organisation):
    error = _error(lambda: services.party_add(project=project, organisation=pending_organisation, role="observer",
                                              by=coordinator))
    assert error.kind is ErrorKind.INVALID


def test_someone_in_two_parties_says_for_which_one_they_approve(flow, parties, coordinator):
    from tests.factories import MembershipFactory, OrganisationFactory

    third = OrganisationFactory(name="Think Tank Prague", slug="tt-prague", country="CZ", kind="think_tank")
    MembershipFactory(user=parties.lead_admin, organisation=third, role="admin")
    services.party_accept(party=services.party_add(project=flow.project, organisation=third, role="evaluator",
                                                   by=coordinator), by=parties.lead_admin)
    agreement = flow.to("in_review")
    parties.lead_admin.acting_organisation = None
    error = _error(lambda: services.agreement_approve(agreement=agreement, by=parties.lead_admin))
    assert error.kind is ErrorKind.INVALID and error.field == "organisation"
    services.agreement_approve(agreement=agreement, by=parties.lead_admin, organisation=third)
    services.agreement_approve(agreement=agreement, by=parties.lead_admin)  # the one left
    error = _error(lambda: services.agreement_approve(agreement=agreement, by=parties.partner_admin,
                                                      organisation=third))
    assert error.kind is ErrorKind.FORBIDDEN  # not one of theirs
    assert services.agreement_approve(agreement=agreement, by=parties.partner_admin).state == "agreed"
    assert set(agreement.approvals.values_list("organisation__slug", flat=True)) == {
        "sofia-municipality-bg", "tt-prague", "hangzhou-lighting"}
    assert party_of(flow.project, third).status == "accepted"


def test_the_admin_shows_projects_and_the_trail_but_changes_nothing(flow, superuser, client_for):
    agreement = flow.to("in_review")
    client = client_for(superuser)
    event = AuditEvent.objects.latest("pk")
    assert client.get("/admin/projects/auditevent/").status_code == 200
    assert client.get(f"/admin/projects/auditevent/{event.pk}/change/").status_code == 200  # a read-only view
    assert client.post(f"/admin/projects/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(f"/admin/projects/agreement/{agreement.pk}/change/", {"state": "in_force"}).status_code == 403
    assert client.get(f"/admin/projects/agreement/{agreement.pk}/history/").status_code == 200
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert Agreement.objects.get(pk=agreement.pk).state == "in_review"


def test_beat_runs_the_daily_jobs_and_the_worker_knows_them():
    from django.conf import settings

    from config.celery import app

    app.loader.import_default_modules()  # what a worker does at start: autodiscover the tasks
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    for name in ("projects.tasks.flag_overdue_milestones", "projects.tasks.agreements_take_effect"):
        assert name in scheduled and name in app.tasks
    assert "projects.tasks.notify_event" in app.tasks


def test_the_pages_render_in_chinese(flow, parties, client_for):
    agreement = flow.to("agreed")
    client = client_for(parties.lead_admin)
    for url in (f"/zh-hans{flow.project.get_absolute_url()}", f"/zh-hans{agreement.get_absolute_url()}",
                f"/zh-hans/projects/", f"/zh-hans/projects/agreements/{agreement.pk}/edit/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="zh-hans">' in response.content.decode()
