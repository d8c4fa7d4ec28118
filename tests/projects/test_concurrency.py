"""Concurrent requests against the real PostgreSQL: a transition locks its row, two
parties approving (or signing, or accepting) at the same moment are both counted, and
an edit made on a stale version is refused with 409 while the other one is kept.

Each test widens the race window on purpose (a pause between reading and writing
inside the service): without the row locks, these tests fail."""
from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from projects import services
from projects.models import Agreement, AgreementApproval, AgreementSignature, AuditEvent, Project
from tests.projects.conftest import party_of, pdf

pytestmark = pytest.mark.django_db(transaction=True)

PAUSE = 0.3


def run_together(*calls) -> list:
    """Start every call at the same instant, each in its own thread (and database connection)."""
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def slow(monkeypatch, name: str, *, before: bool = False):
    """Pause inside the locked section, before or after the service reads what it counts."""
    real = getattr(services, name)

    def paused(*args, **kwargs):
        if before:
            time.sleep(PAUSE)
        result = real(*args, **kwargs)
        if not before:
            time.sleep(PAUSE)
        return result

    monkeypatch.setattr(services, name, paused)


def test_two_parties_approving_at_the_same_moment_are_both_counted(flow, parties, client_for, monkeypatch):
    agreement = flow.to("in_review")
    slow(monkeypatch, "_done")
    url = reverse("api:agreement-approve", args=[agreement.pk])
    clients = [client_for(parties.lead_admin), client_for(parties.partner_admin)]
    responses = run_together(*[lambda c=c: c.post(url, {}, content_type="application/json") for c in clients])
    assert [r.status_code for r in responses] == [200, 200], [r.content for r in responses]
    agreement.refresh_from_db()
    assert agreement.state == "agreed"
    assert AgreementApproval.objects.filter(agreement=agreement, version=1).count() == 2
    transitions = list(AuditEvent.objects.filter(action="agreement.approve").values_list("to_state", flat=True))
    assert sorted(transitions) == ["agreed", "in_review"]


def test_two_parties_signing_at_the_same_moment_are_both_counted(flow, parties, client_for, monkeypatch):
    agreement = flow.to("agreed")
    slow(monkeypatch, "_everyone", before=True)  # between inserting one's signature and counting them
    url = reverse("api:agreement-sign", args=[agreement.pk])

    def sign(user):
        return client_for(user).post(url, {"signatory": user.display_name, "signed_on": date.today().isoformat(),
                                           "signed_copy": pdf()})

    responses = run_together(lambda: sign(parties.lead_admin), lambda: sign(parties.partner_admin))
    assert [r.status_code for r in responses] == [200, 200], [r.content for r in responses]
    assert Agreement.objects.get(pk=agreement.pk).state == "signed"
    assert AgreementSignature.objects.filter(agreement=agreement).count() == 2


def test_two_parties_accepting_at_once_activate_the_project_exactly_once(project, parties, client_for, monkeypatch):
    from projects import workflow

    real = workflow.all_parties_accepted

    def paused(instance):
        time.sleep(PAUSE)
        return real(instance)

    monkeypatch.setattr(workflow, "all_parties_accepted", paused)
    lead, partner = party_of(project, parties.lead), party_of(project, parties.partner)
    responses = run_together(
        lambda: client_for(parties.lead_admin).post(reverse("api:party-accept", args=[lead.pk])),
        lambda: client_for(parties.partner_admin).post(reverse("api:party-accept", args=[partner.pk])),
    )
    assert [r.status_code for r in responses] == [200, 200], [r.content for r in responses]
    assert Project.objects.get(pk=project.pk).stage == "active"
    assert AuditEvent.objects.filter(project=project, action="project.activate").count() == 1


def test_a_transition_locks_its_row_so_the_same_step_twice_at_once_happens_once(flow, parties, client_for,
                                                                               monkeypatch, coordinator):
    from tests.factories import CoordinatorFactory

    agreement = flow.to("signed")
    slow(monkeypatch, "_fire")
    url = reverse("api:agreement-put-in-force", args=[agreement.pk])
    clients = [client_for(coordinator), client_for(CoordinatorFactory(email="second-coordinator@example.org"))]
    responses = run_together(*[lambda c=c: c.post(url, {}, content_type="application/json") for c in clients])
    assert sorted(r.status_code for r in responses) == [200, 409]
    refused = next(r for r in responses if r.status_code == 409)
    assert "while the agreement is In force" in refused.json()["detail"]
    assert AuditEvent.objects.filter(agreement=agreement, action="agreement.put_in_force").count() == 1


def test_one_party_clicking_approve_twice_at_once_approves_once(flow, parties, client_for, monkeypatch):
    agreement = flow.to("in_review")
    slow(monkeypatch, "_done")
    url = reverse("api:agreement-approve", args=[agreement.pk])
    clients = [client_for(parties.lead_admin), client_for(parties.lead_admin)]
    responses = run_together(*[lambda c=c: c.post(url, {}, content_type="application/json") for c in clients])
    assert sorted(r.status_code for r in responses) == [200, 409]
    assert AgreementApproval.objects.filter(agreement=agreement).count() == 1
    assert Agreement.objects.get(pk=agreement.pk).state == "in_review"


def test_two_edits_on_the_same_version_keep_one_and_refuse_the_other_with_409(flow, parties, client_for, monkeypatch):
    agreement = flow.draft()
    slow(monkeypatch, "_locked_draft")
    url = reverse("api:agreement-detail", args=[agreement.pk])
    texts = {parties.lead_member.pk: "Sofia's wording.", parties.partner_admin.pk: "Hangzhou's wording."}

    def edit(user):
        return client_for(user).patch(url, {"version": 1, "text": texts[user.pk]}, content_type="application/json")

    responses = run_together(lambda: edit(parties.lead_member), lambda: edit(parties.partner_admin))
    assert sorted(r.status_code for r in responses) == [200, 409], [r.content for r in responses]
    refused = next(r for r in responses if r.status_code == 409)
    assert refused.json()["detail"].startswith("This agreement was changed by someone else since you opened it")
    kept = next(r for r in responses if r.status_code == 200).json()
    fresh = Agreement.objects.get(pk=agreement.pk)
    assert (fresh.version, fresh.text) == (2, kept["text"])
    assert fresh.versions.count() == 2


def test_a_stale_edit_through_the_page_is_refused_and_keeps_what_the_user_typed(flow, parties, client_for):
    agreement = flow.draft()
    url = reverse("projects:agreement_edit", args=[agreement.pk])
    form = {"type": "mou", "title": agreement.title, "effective_date": "", "version": 1}
    first = client_for(parties.partner_admin).post(url, {**form, "text": "Hangzhou's wording."})
    assert first.status_code == 302
    second = client_for(parties.lead_member).post(url, {**form, "text": "Sofia's careful wording."})
    assert second.status_code == 409
    page = second.content.decode()
    assert "This agreement was changed by someone else since you opened it" in page
    assert "Sofia&#x27;s careful wording." in page  # their input, kept in the form
    assert "Hangzhou&#x27;s wording." in page  # beside the version that won
    assert 'name="version" value="2"' in page  # saving again is a choice made with both in view
    assert Agreement.objects.get(pk=agreement.pk).text == "Hangzhou's wording."
