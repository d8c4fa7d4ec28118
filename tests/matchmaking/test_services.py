import threading

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from core.exceptions import DomainError, ErrorKind
from core.models import Notification
from matchmaking import services
from matchmaking.models import MatchRun, Proposal
from partners import services as partner_services
from projects.models import Project
from tests.factories import CoordinatorFactory

pytestmark = pytest.mark.django_db


def pairs():
    return {(p.need_id, p.capability_id): (p.status, round(p.score, 6)) for p in Proposal.objects.all()}


def test_a_full_rematch_proposes_cross_border_pairs_only(market):
    services.matching_run_sync()
    proposed = {(p.need_id, p.capability_id) for p in Proposal.objects.all()}
    needs, caps = market["needs"], market["caps"]
    assert (needs["lighting"].pk, caps["lighting"].pk) in proposed
    assert (needs["parking"].pk, caps["parking"].pk) in proposed
    assert all(p.capability.organisation.side != p.need.organisation.side for p in Proposal.objects.select_related(
        "need__organisation", "capability__organisation"))
    assert not Proposal.objects.filter(capability=caps["decoy"]).exists()
    best = Proposal.objects.filter(need=needs["lighting"]).order_by("-score").first()
    assert best.capability == caps["lighting"] and best.rank == 1
    assert any("Smart street lighting" in r for r in best.reasons_en) and best.reasons_zh
    assert abs(sum(best.contributions.values()) - best.score) < 1e-3


def test_running_the_job_twice_gives_the_same_proposals(market):
    services.matching_run_sync()
    first = pairs()
    services.matching_run_sync()
    assert pairs() == first and first


def test_a_rerun_after_a_worker_died_mid_job_gives_the_same_proposals(market, monkeypatch):
    services.matching_run_sync()
    expected = pairs()
    Proposal.objects.all().delete()
    run = MatchRun.objects.create()
    calls = {"n": 0}
    real_store = services.need_proposals_store

    def dying_store(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise SystemExit("worker killed")  # not an Exception: nothing marks the run failed
        return real_store(**kwargs)

    monkeypatch.setattr(services, "need_proposals_store", dying_store)
    with pytest.raises(SystemExit):
        services.matching_run_execute(run_id=run.pk)
    assert MatchRun.objects.get(pk=run.pk).status == MatchRun.Status.RUNNING
    monkeypatch.setattr(services, "need_proposals_store", real_store)
    services.matching_run_execute(run_id=run.pk)  # late acknowledgement delivers it again
    assert pairs() == expected
    assert MatchRun.objects.get(pk=run.pk).status == MatchRun.Status.DONE
    assert services.matching_run_execute(run_id=run.pk) is None  # a third delivery does nothing


def test_a_rematch_never_changes_a_decided_proposal(market):
    coordinator = CoordinatorFactory()
    services.matching_run_sync()
    approved = Proposal.objects.get(need=market["needs"]["lighting"], capability=market["caps"]["lighting"])
    rejected = Proposal.objects.get(need=market["needs"]["parking"], capability=market["caps"]["parking"])
    services.proposal_approve(proposal=approved, by=coordinator)
    services.proposal_reject(proposal=rejected, by=coordinator, reason="Already under contract")
    before = {p.pk: (p.status, p.score, p.updated_at) for p in Proposal.objects.filter(pk__in=[approved.pk, rejected.pk])}
    need = market["needs"]["parking"]
    need.description = "Нови сензори за паркинг, апликација и плаћање."
    need.save()
    services.matching_run_sync()
    services.listing_rematch(kind="need", listing_id=need.pk)
    after = {p.pk: (p.status, p.score, p.updated_at) for p in Proposal.objects.filter(pk__in=[approved.pk, rejected.pk])}
    assert after == before


def test_publishing_a_need_enqueues_matching_after_commit(market, django_capture_on_commit_callbacks):
    admin = market["admins"]["sofia"]
    need = partner_services.listing_create(
        kind="need", organisation=market["orgs"]["sofia"], by=admin, title="Smart street lighting for Lozenets",
        description="Dimmable LED street lights with remote control for 3,000 poles.", language="en",
    )
    assert not Proposal.objects.filter(need=need).exists()
    with django_capture_on_commit_callbacks(execute=True):
        partner_services.listing_publish(listing=need, by=admin)
    proposal = Proposal.objects.get(need=need, capability=market["caps"]["lighting"])
    assert proposal.status == Proposal.Status.SUGGESTED


def test_closing_a_listing_withdraws_its_open_proposals(market, django_capture_on_commit_callbacks):
    services.matching_run_sync()
    need = market["needs"]["lighting"]
    assert Proposal.objects.filter(need=need, status="suggested").exists()
    with django_capture_on_commit_callbacks(execute=True):
        partner_services.listing_close(listing=need, by=market["admins"]["sofia"])
    assert not Proposal.objects.filter(need=need, status="suggested").exists()
    assert Proposal.objects.filter(need=need, status="withdrawn").exists()


def test_approval_makes_exactly_one_project_led_by_the_need_owner_and_tells_both(market, django_capture_on_commit_callbacks):
    coordinator = CoordinatorFactory()
    services.matching_run_sync()
    proposal = Proposal.objects.get(need=market["needs"]["lighting"], capability=market["caps"]["lighting"])
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_approve(proposal=proposal, by=coordinator)
    project = Project.objects.get(proposal=proposal)
    roles = {p.organisation.name: p.role for p in project.parties.select_related("organisation")}
    assert roles == {"Sofia": "lead", "Huawei": "partner"}
    assert Notification.objects.filter(user=market["admins"]["sofia"]).exists()
    assert Notification.objects.filter(user=market["admins"]["huawei"]).exists()
    assert {tuple(m.to) for m in mail.outbox} >= {("sofia-admin@example.org",), ("huawei-admin@example.org",)}
    with pytest.raises(DomainError) as error:
        services.proposal_approve(proposal=proposal, by=coordinator)
    assert error.value.kind is ErrorKind.CONFLICT
    assert Project.objects.count() == 1


def test_rejection_needs_a_reason_and_bulk_rejection_skips_decided_ones(market):
    coordinator = CoordinatorFactory()
    services.matching_run_sync()
    first, *rest = list(Proposal.objects.all())
    with pytest.raises(DomainError):
        services.proposal_reject(proposal=first, by=coordinator, reason=" ")
    services.proposal_approve(proposal=first, by=coordinator)
    count = services.proposals_reject_bulk(proposal_ids=[p.pk for p in Proposal.objects.all()], by=coordinator, reason="Not now")
    assert count == len(rest)
    assert Proposal.objects.get(pk=first.pk).status == "approved"


def test_parties_mark_interest_on_their_side_only(market, outsider):
    services.matching_run_sync()
    proposal = Proposal.objects.get(need=market["needs"]["lighting"], capability=market["caps"]["lighting"])
    services.proposal_respond(proposal=proposal, by=market["admins"]["huawei"], response="interested")
    proposal.refresh_from_db()
    assert (proposal.need_response, proposal.capability_response) == ("", "interested")
    with pytest.raises(DomainError) as error:
        services.proposal_respond(proposal=proposal, by=outsider, response="interested")
    assert error.value.kind is ErrorKind.FORBIDDEN


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_approving_at_once_make_one_project(market, client_for):
    services.matching_run_sync()
    proposal = Proposal.objects.get(need=market["needs"]["lighting"], capability=market["caps"]["lighting"])
    clients = [client_for(CoordinatorFactory(email=f"c{i}@example.org")) for i in range(2)]
    url = reverse("api:proposal-approve", args=[proposal.pk])
    barrier, statuses = threading.Barrier(2), []

    def approve(client):
        barrier.wait()
        try:
            statuses.append(client.post(url).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 409]
    assert Project.objects.filter(proposal=proposal).count() == 1


def test_the_queue_approves_in_place_with_htmx_and_says_why_when_it_cannot(market, client_for):
    coordinator = CoordinatorFactory()
    services.matching_run_sync()
    proposal = Proposal.objects.get(need=market["needs"]["lighting"], capability=market["caps"]["lighting"])
    client = client_for(coordinator)
    page = client.get(reverse("matchmaking:review_queue")).content.decode()
    assert f'id="proposal-{proposal.pk}"' in page and "hx-post" in page
    row = client.post(reverse("matchmaking:proposal_approve", args=[proposal.pk]), HTTP_HX_REQUEST="true")
    assert row.status_code == 200
    body = row.content.decode()
    assert body.startswith("<tr") and Project.objects.get(proposal=proposal).get_absolute_url() in body
    again = client.post(reverse("matchmaking:proposal_approve", args=[proposal.pk]), HTTP_HX_REQUEST="true")
    assert "no longer open" in again.content.decode()


def test_a_plain_approval_opens_the_new_project_page(market, client_for):
    services.matching_run_sync()
    proposal = Proposal.objects.get(need=market["needs"]["lighting"], capability=market["caps"]["lighting"])
    response = client_for(CoordinatorFactory()).post(reverse("matchmaking:proposal_approve", args=[proposal.pk]), follow=True)
    assert response.redirect_chain[-1][0] == Project.objects.get().get_absolute_url()
    assert "Sofia" in response.content.decode()


@pytest.mark.parametrize("rows", [1, 10, 40])
def test_the_review_queue_issues_a_constant_number_of_queries(rows, market, client_for, django_assert_num_queries):
    from partners.models import Capability, Need

    coordinator = CoordinatorFactory()
    client = client_for(coordinator)
    needs, caps = list(Need.objects.all()), list(Capability.objects.all())
    Proposal.objects.bulk_create([
        Proposal(need=needs[i % len(needs)], capability=caps[i // len(needs) % len(caps)], score=0.5 + i / 1000,
                 computed_at="2026-01-01T00:00Z")
        for i in range(min(rows, len(needs) * len(caps)))
    ], ignore_conflicts=True)
    client.get(reverse("matchmaking:review_queue"))  # warm the session
    # session, user, coordinator group, unread notifications, count, page (with both listings
    # and organisations), filter topics
    with django_assert_num_queries(7):
        assert client.get(reverse("matchmaking:review_queue")).status_code == 200
