"""The one declaration of the workflows (projects.models), read here as the pages
and the API read it: every transition a person fires is tried through its own API
endpoint from a state that allows it (by someone allowed), by someone the rule
refuses (403), and from a state that does not allow it (409, with a message)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from projects import services, workflow
from projects.models import Agreement, AuditEvent, Milestone, Project, ProjectParty
from tests.projects.conftest import PDF, party_of

pytestmark = pytest.mark.django_db

SIGNATURE = {"signatory": "Ivan Petrov, mayor", "signed_on": date.today().isoformat()}

# name: (state it is fired from, who may, who may not, a state it is refused in)
AGREEMENT_CASES = {
    "submit": ("draft", "lead_member", "coordinator", "in_review"),
    "request_changes": ("in_review", "partner_admin", "coordinator", "draft"),
    "approve": ("in_review", "lead_admin", "lead_member", "draft"),
    "sign": ("agreed", "partner_admin", "lead_member", "in_review"),
    "put_in_force": ("signed", "coordinator", "lead_admin", "agreed"),
    "complete": ("in_force", "coordinator", "partner_admin", "signed"),
    "withdraw": ("agreed", "lead_admin", "lead_member", "signed"),
    "terminate": ("in_force", "partner_admin", "lead_member", "agreed"),
}
PROJECT_CASES = {
    "start_pilot": ("active", "lead_admin", "partner_admin", "pilot"),
    "scale_up": ("pilot", "coordinator", "lead_member", "active"),
    "complete": ("scaling", "coordinator", "lead_admin", "proposed"),
    "cancel": ("active", "coordinator", "lead_admin", "cancelled"),
}
PARTY_CASES = {
    "accept": ("invited", "lead_admin", "partner_admin", "accepted"),
    "decline": ("invited", "lead_admin", "lead_member", "declined"),
}


def who(parties, coordinator, name):
    return coordinator if name == "coordinator" else getattr(parties, name)


def _post(client, url, name, *, files=False):
    if name == "sign":
        return client.post(url, {**SIGNATURE, "signed_copy": _pdf_file()})  # multipart
    return client.post(url, {"comment": "Seen and discussed."}, content_type="application/json")


def _pdf_file():
    from tests.projects.conftest import pdf

    return pdf("signed.pdf", PDF)


def test_every_transition_a_person_fires_is_in_these_cases():
    """A transition added to the declaration without cases here fails this test."""
    assert set(workflow.user_transitions(Agreement)) == set(AGREEMENT_CASES)
    assert set(workflow.user_transitions(Project)) == set(PROJECT_CASES)
    assert set(workflow.user_transitions(ProjectParty)) == set(PARTY_CASES)


def test_every_transition_has_one_service_and_the_platform_ones_none():
    assert set(services.AGREEMENT_STEPS) == set(workflow.user_transitions(Agreement))
    assert set(services.PROJECT_STEPS) == set(workflow.user_transitions(Project))
    assert set(services.PARTY_STEPS) == set(workflow.user_transitions(ProjectParty))
    assert set(workflow.transition_names(Agreement)) - set(services.AGREEMENT_STEPS) == {"take_effect"}
    assert set(workflow.transition_names(Project)) - set(services.PROJECT_STEPS) == {"activate"}


@pytest.mark.parametrize("model", [Agreement, Project, ProjectParty])
def test_each_transition_has_one_rule_and_says_who_whatever_its_source(model):
    for name in workflow.transition_names(model):
        declared = workflow.declared(model, name)
        assert len({t.permission for t in declared}) == 1, name
        custom = declared[0].custom
        assert custom["label"] and custom["done"] and custom["who"], name
        assert custom["comment"] in (workflow.NO_COMMENT, workflow.OPTIONAL_COMMENT, workflow.REQUIRED_COMMENT)
        for transition in declared:
            for condition in transition.conditions:
                assert getattr(condition, "message", None), f"{name}: a guard without a message"


def test_the_agreement_states_run_as_the_issue_says():
    targets = {(t.source, t.name): t.target for name in workflow.transition_names(Agreement)
               for t in workflow.declared(Agreement, name)}
    assert targets[("draft", "submit")] == "in_review"
    assert targets[("in_review", "request_changes")] == "draft"
    assert set(targets[("in_review", "approve")].allowed_states) == {"in_review", "agreed"}
    assert set(targets[("agreed", "sign")].allowed_states) == {"agreed", "signed"}
    assert targets[("signed", "put_in_force")] == targets[("signed", "take_effect")] == "in_force"
    assert targets[("in_force", "complete")] == "completed"
    assert {s for s, n in targets if n == "withdraw"} == {"draft", "in_review", "agreed"}
    assert {s for s, n in targets if n == "terminate"} == {"signed", "in_force"}


def test_the_documentation_names_every_transition():
    from pathlib import Path

    from django.conf import settings

    text = (Path(settings.BASE_DIR) / "docs" / "projects.md").read_text(encoding="utf-8")
    for model in (Agreement, Project, ProjectParty):
        for name in workflow.transition_names(model):
            assert f"`{name}`" in text, f"docs/projects.md does not describe {model.__name__}.{name}"


# --- Agreements -----------------------------------------------------------------


@pytest.mark.parametrize("name", list(AGREEMENT_CASES))
def test_an_allowed_user_fires_each_agreement_transition_from_its_state(name, flow, parties, coordinator, client_for,
                                                                        django_capture_on_commit_callbacks):
    source, allowed, _refused, _wrong = AGREEMENT_CASES[name]
    agreement = flow.to(source)
    before = AuditEvent.objects.filter(agreement=agreement).count()
    url = reverse(f"api:agreement-{name.replace('_', '-')}", args=[agreement.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client_for(who(parties, coordinator, allowed)), url, name)
    assert response.status_code == 200, response.content
    agreement.refresh_from_db()
    expected = {"approve": "in_review", "sign": "agreed"}.get(name)  # one party of two: not everyone yet
    target = workflow.declared(Agreement, name)[0].target
    assert agreement.state == (expected or target)
    assert response.json()["state"] == agreement.state
    event = AuditEvent.objects.filter(agreement=agreement).latest("pk")
    assert AuditEvent.objects.filter(agreement=agreement).count() == before + 1
    assert (event.action, event.from_state, event.to_state) == (f"agreement.{name}", source, agreement.state)
    assert event.actor == who(parties, coordinator, allowed)
    assert event.notified_at is not None


@pytest.mark.parametrize("name", list(AGREEMENT_CASES))
def test_a_user_the_rule_refuses_gets_403_with_who_may(name, flow, parties, coordinator, client_for):
    source, _allowed, refused, _wrong = AGREEMENT_CASES[name]
    agreement = flow.to(source)
    url = reverse(f"api:agreement-{name.replace('_', '-')}", args=[agreement.pk])
    response = _post(client_for(who(parties, coordinator, refused)), url, name)
    assert response.status_code == 403, response.content
    assert str(workflow.describe(Agreement, name)["who"]) in response.json()["detail"]
    assert Agreement.objects.get(pk=agreement.pk).state == source


@pytest.mark.parametrize("name", list(AGREEMENT_CASES))
def test_a_transition_in_the_wrong_state_gets_409_with_a_message(name, flow, parties, coordinator, client_for):
    _source, allowed, _refused, wrong = AGREEMENT_CASES[name]
    agreement = flow.to(wrong)
    url = reverse(f"api:agreement-{name.replace('_', '-')}", args=[agreement.pk])
    response = _post(client_for(who(parties, coordinator, allowed)), url, name)
    assert response.status_code == 409, response.content
    label = Agreement.State(wrong).label
    assert f"while the agreement is {label}" in response.json()["detail"]
    assert Agreement.objects.get(pk=agreement.pk).state == wrong


def test_an_outsider_cannot_even_see_the_agreement_to_fire_anything(flow, outsider, client_for):
    agreement = flow.to("in_review")
    response = client_for(outsider).post(reverse("api:agreement-approve", args=[agreement.pk]), {}, content_type="application/json")
    assert response.status_code == 404


def test_the_platform_transitions_have_no_endpoint_and_no_person_fires_them(flow, coordinator, parties):
    from django.urls import NoReverseMatch

    from core.exceptions import DomainError, ErrorKind

    for name in ("api:agreement-take-effect", "api:project-activate"):
        with pytest.raises(NoReverseMatch):
            reverse(name, args=[1])
    agreement = flow.to("signed")
    with pytest.raises(DomainError) as error:
        workflow.check(agreement, "take_effect", coordinator)
    assert error.value.kind is ErrorKind.FORBIDDEN


# --- Guards -----------------------------------------------------------------------


def _refusal(call) -> tuple[int, str]:
    from core.exceptions import DomainError

    with pytest.raises(DomainError) as error:
        call()
    return error.value.status, error.value.message


def test_an_empty_draft_cannot_go_to_review(flow, parties):
    agreement = flow.draft(text="   ")
    status, message = _refusal(lambda: services.agreement_submit(agreement=agreement, by=parties.lead_member))
    assert (status, message) == (409, "Write the text or upload a document first.")


def test_a_document_alone_is_content_enough(flow, parties):
    from tests.projects.conftest import pdf

    agreement = flow.draft(text="", document=pdf())
    assert services.agreement_submit(agreement=agreement, by=parties.lead_member).state == "in_review"


def test_no_review_before_every_party_has_accepted(project, parties, coordinator):
    services.party_accept(party=party_of(project, parties.lead), by=parties.lead_admin)
    agreement = services.agreement_create(project=project, by=parties.lead_member, type="loi", title="Letter of intent",
                                          text="We intend to cooperate.")
    status, message = _refusal(lambda: services.agreement_submit(agreement=agreement, by=parties.lead_member))
    assert status == 409 and "once the project is active" in message


def test_requesting_changes_needs_a_comment_and_returns_to_draft(flow, parties):
    agreement = flow.to("in_review")
    status, message = _refusal(lambda: services.agreement_request_changes(agreement=agreement, by=parties.partner_admin))
    assert status == 400 and "comment" in message
    agreement = services.agreement_request_changes(agreement=agreement, by=parties.partner_admin,
                                                   comment="Clause 4: 300 lamps, not 200.")
    assert agreement.state == "draft"
    event = AuditEvent.objects.filter(agreement=agreement).latest("pk")
    assert event.comment == "Clause 4: 300 lamps, not 200." and event.organisation == parties.partner


def test_withdrawing_and_terminating_need_a_reason(flow, coordinator):
    for state, service in (("draft", services.agreement_withdraw), ("in_force", services.agreement_terminate)):
        agreement = flow.to(state)
        status, _message = _refusal(lambda: service(agreement=agreement, by=coordinator, comment=" "))
        assert status == 400


def test_an_agreement_completes_only_once_its_milestones_are_done(flow, parties, coordinator):
    agreement = flow.to("in_force")
    milestone = services.milestone_create(project=flow.project, by=parties.lead_member, title="Install 200 lamps",
                                          due_on=date.today() + timedelta(days=30), agreement=agreement)
    status, message = _refusal(lambda: services.agreement_complete(agreement=agreement, by=coordinator))
    assert (status, message) == (409, "Its milestones must all be done first.")
    services.milestone_update(milestone=milestone, by=parties.partner_admin, status=Milestone.Status.DONE)
    assert services.agreement_complete(agreement=agreement, by=coordinator).state == "completed"


def test_a_project_completes_or_is_cancelled_only_when_no_agreement_is_open(flow, coordinator):
    agreement = flow.to("in_force")
    for service in (services.project_complete, services.project_cancel):
        status, message = _refusal(lambda: service(project=flow.project, by=coordinator, comment="Done."))
        assert (status, message) == (409, "Its agreements must be completed, withdrawn or terminated first.")
    services.agreement_terminate(agreement=agreement, by=coordinator, comment="Merged into the framework agreement.")
    assert services.project_complete(project=flow.project, by=coordinator).stage == "completed"


def test_a_party_approves_a_version_once(flow, parties):
    agreement = flow.to("in_review")
    services.agreement_approve(agreement=agreement, by=parties.lead_admin)
    status, message = _refusal(lambda: services.agreement_approve(agreement=agreement, by=parties.lead_admin))
    assert status == 409 and "already" in message
    assert Agreement.objects.get(pk=agreement.pk).state == "in_review"


def test_approving_a_version_one_has_not_read_is_refused(flow, parties):
    agreement = flow.to("in_review")
    status, message = _refusal(lambda: services.agreement_approve(agreement=agreement, by=parties.lead_admin, version=7))
    assert status == 409 and "version 1" in message


def test_approvals_of_an_older_version_no_longer_count(flow, parties):
    agreement = flow.to("in_review")
    services.agreement_approve(agreement=agreement, by=parties.lead_admin)
    services.agreement_request_changes(agreement=agreement, by=parties.partner_admin, comment="Add the budget.")
    services.agreement_update(agreement=agreement, by=parties.lead_member, version=1, text="Budget: 400,000 EUR.")
    services.agreement_submit(agreement=agreement, by=parties.lead_member)
    services.agreement_approve(agreement=agreement, by=parties.partner_admin)
    assert Agreement.objects.get(pk=agreement.pk).state == "in_review"  # Sofia approved version 1 only
    assert services.agreement_approve(agreement=agreement, by=parties.lead_admin).state == "agreed"


def test_an_observer_follows_but_neither_approves_nor_is_waited_for(flow, parties, coordinator):
    from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

    observer_org = OrganisationFactory(name="EU Delegation", slug="eu-delegation")
    observer = UserFactory(email="observer@example.org")
    MembershipFactory(user=observer, organisation=observer_org, role="admin")
    party = services.party_add(project=flow.project, organisation=observer_org, role="observer", by=coordinator)
    services.party_accept(party=party, by=observer)
    agreement = flow.to("agreed")  # the two signing parties were enough
    status, _message = _refusal(lambda: services.agreement_withdraw(agreement=agreement, by=observer, comment="No."))
    assert status == 403


def test_signing_takes_a_signatory_a_past_date_and_a_copy(flow, parties):
    from tests.projects.conftest import pdf

    agreement = flow.to("agreed")
    base = {"agreement": agreement, "by": parties.lead_admin, "signatory": "Ivan Petrov", "signed_on": date.today(),
            "signed_copy": pdf()}
    assert _refusal(lambda: services.agreement_sign(**{**base, "signatory": " "}))[0] == 400
    assert _refusal(lambda: services.agreement_sign(**{**base, "signed_on": date.today() + timedelta(days=1)}))[0] == 400
    assert _refusal(lambda: services.agreement_sign(**{**base, "signed_copy": None}))[0] == 400
    services.agreement_sign(**base)
    assert Agreement.objects.get(pk=agreement.pk).signatures.get().signatory == "Ivan Petrov"


def test_the_last_signature_puts_it_in_force_when_its_effective_date_has_come(flow, parties):
    agreement = flow.to("agreed", effective_date=date.today())
    from tests.projects.conftest import pdf

    for admin in (parties.lead_admin, parties.partner_admin):
        services.agreement_sign(agreement=agreement, by=admin, signatory="X", signed_on=date.today(), signed_copy=pdf())
    agreement.refresh_from_db()
    assert agreement.state == "in_force"
    actions = list(AuditEvent.objects.filter(agreement=agreement).values_list("action", "actor"))[-2:]
    assert actions == [("agreement.sign", parties.partner_admin.pk), ("agreement.take_effect", None)]


def test_the_beat_job_puts_signed_agreements_in_force_on_their_date_once(flow):
    from projects.tasks import agreements_take_effect

    later = flow.to("signed", effective_date=date.today() + timedelta(days=3))
    assert agreements_take_effect() == 0
    assert services.agreements_take_effect_due(today=date.today() + timedelta(days=3)) == 0  # guard reads the real date
    Agreement.objects.filter(pk=later.pk).update(effective_date=date.today())
    assert agreements_take_effect() == 1
    assert agreements_take_effect() == 0
    assert Agreement.objects.get(pk=later.pk).state == "in_force"
    assert AuditEvent.objects.filter(agreement=later, action="agreement.take_effect", actor=None).count() == 1


# --- Projects and parties --------------------------------------------------------------


def _project_in(stage: str, project, parties, coordinator) -> Project:
    if stage == "proposed":
        return project
    services.party_accept(party=party_of(project, parties.lead), by=parties.lead_admin)
    services.party_accept(party=party_of(project, parties.partner), by=parties.partner_admin)
    steps = {"active": [], "pilot": ["start_pilot"], "scaling": ["start_pilot", "scale_up"],
             "cancelled": ["cancel"], "completed": ["complete"]}[stage]
    for name in steps:
        services.PROJECT_STEPS[name](project=project, by=coordinator, comment="As agreed.")
    project = Project.objects.get(pk=project.pk)
    assert project.stage == stage
    return project


@pytest.mark.parametrize("name", list(PROJECT_CASES))
def test_each_project_stage_transition_allowed_refused_and_out_of_state(name, project, parties, coordinator, client_for):
    source, allowed, refused, wrong = PROJECT_CASES[name]
    url_name = f"api:project-{name.replace('_', '-')}"
    subject = _project_in(source, project, parties, coordinator)
    url = reverse(url_name, args=[subject.pk])
    body = {"comment": "Agreed at the steering committee."}
    refused_response = client_for(who(parties, coordinator, refused)).post(url, body, content_type="application/json")
    assert refused_response.status_code == 403, refused_response.content
    response = client_for(who(parties, coordinator, allowed)).post(url, body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert Project.objects.get(pk=subject.pk).stage == workflow.declared(Project, name)[0].target
    assert AuditEvent.objects.filter(project=subject, action=f"project.{name}").count() == 1


@pytest.mark.parametrize("name", list(PROJECT_CASES))
def test_each_project_stage_transition_is_refused_in_the_wrong_stage(name, parties, coordinator, client_for, project):
    _source, allowed, _refused, wrong = PROJECT_CASES[name]
    subject = _project_in(wrong, project, parties, coordinator)
    response = client_for(who(parties, coordinator, allowed)).post(
        reverse(f"api:project-{name.replace('_', '-')}", args=[subject.pk]), {"comment": "Why not."},
        content_type="application/json")
    assert response.status_code == 409, response.content
    assert "while the project is" in response.json()["detail"]


@pytest.mark.parametrize("name", list(PARTY_CASES))
def test_each_answer_to_an_invitation_allowed_refused_and_given_twice(name, project, parties, coordinator, client_for):
    party = party_of(project, parties.lead)
    url = reverse(f"api:party-{name}", args=[party.pk])
    _source, allowed, refused, wrong = PARTY_CASES[name]
    assert client_for(who(parties, coordinator, refused)).post(url, {}, content_type="application/json").status_code == 403
    response = client_for(who(parties, coordinator, allowed)).post(url, {}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == wrong
    again = client_for(who(parties, coordinator, allowed)).post(url, {}, content_type="application/json")
    # Accepted: the answer is given (409). Declined: the organisation has left the project (404).
    assert again.status_code == {"accept": 409, "decline": 404}[name], again.content


def test_the_project_becomes_active_when_the_last_invited_party_accepts(project, parties):
    services.party_accept(party=party_of(project, parties.partner), by=parties.partner_admin)
    assert Project.objects.get(pk=project.pk).stage == "proposed"
    services.party_accept(party=party_of(project, parties.lead), by=parties.lead_admin)
    assert Project.objects.get(pk=project.pk).stage == "active"
    event = AuditEvent.objects.filter(project=project).latest("pk")
    assert (event.action, event.actor, event.from_state, event.to_state) == ("project.activate", None, "proposed", "active")


def test_a_declined_party_leaves_and_a_cancelled_project_takes_no_new_party(project, parties, coordinator):
    services.party_decline(party=party_of(project, parties.partner), by=parties.partner_admin, comment="No budget.")
    services.party_accept(party=party_of(project, parties.lead), by=parties.lead_admin)
    assert Project.objects.get(pk=project.pk).stage == "proposed"  # one party is no cooperation
    services.project_cancel(project=project, by=coordinator, comment="The partner declined.")
    from tests.factories import OrganisationFactory

    newcomer = OrganisationFactory(name="Shenzhen Lamps", slug="shenzhen-lamps", country="CN")
    status, _message = _refusal(lambda: services.party_add(project=project, organisation=newcomer, role="partner",
                                                           by=coordinator))
    assert status == 409


def test_the_public_summary_needs_an_active_project_and_every_party_s_consent(project, parties, client_for, outsider):
    for party, admin in ((party_of(project, parties.lead), parties.lead_admin),
                         (party_of(project, parties.partner), parties.partner_admin)):
        services.party_set_public_consent(party=party, by=admin, consent=True)
    assert not Project.objects.get(pk=project.pk).is_public  # still proposed
    public_url = reverse("projects:project_public", args=[project.pk])
    assert client_for(None).get(public_url).status_code == 404
    services.party_accept(party=party_of(project, parties.lead), by=parties.lead_admin)
    services.party_accept(party=party_of(project, parties.partner), by=parties.partner_admin)
    assert Project.objects.get(pk=project.pk).is_public
    page = client_for(None).get(public_url)
    assert page.status_code == 200 and "Hangzhou Lighting Co" in page.content.decode()
    assert project.title in client_for(None).get(reverse("projects:public_list")).content.decode()
    services.party_set_public_consent(party=party_of(project, parties.partner), by=parties.partner_admin, consent=False)
    assert client_for(outsider).get(public_url).status_code == 404
