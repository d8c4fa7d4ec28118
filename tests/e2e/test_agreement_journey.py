"""From an approved match to an agreement in force, in a real browser: the two
parties' administrators accept the project, one drafts a memorandum and submits
it, both approve, both record their signature with a signed copy, and a
coordinator puts it in force. The project's timeline then lists every step.

The starting point (an approved match) is built with the factories and
matchmaking.services.proposal_approve; everything after it is driven through the
pages, as each of the three people, each in their own browser context.
"""
from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from matchmaking.models import Proposal
from matchmaking.services import proposal_approve
from partners.models import Membership
from projects.models import Agreement, AuditEvent, Project
from tests.factories import PASSWORD, CapabilityFactory, MembershipFactory, NeedFactory, OrganisationFactory, UserFactory

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
MOU_TITLE = "Memorandum of understanding on smart street lighting"
MOU_TEXT = "Sofia and Hangzhou Lighting pilot 200 remote-managed LED lamps in Lozenets during 2027."


def _sign_in(page: Page, base: str, email: str) -> None:
    response = page.goto(f"{base}/accounts/login/")
    assert response and response.ok, f"GET /accounts/login/ answered {response and response.status}"
    form = page.locator("form", has=page.locator("[name='password']"))
    form.locator("input[name='login']").fill(email)
    form.locator("input[name='password']").fill(PASSWORD)
    form.locator("button[type='submit']").click()
    expect(page.locator(".account-nav .user-email")).to_have_text(email)


def _open(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response and response.ok, f"GET {url} answered {response and response.status}"


def _step(page: Page, name: str):
    """The form of one workflow step on the page (the page shows only those the user may take)."""
    return page.locator(f"form.step-form[data-step='{name}']")


def _approved_match(coordinator) -> tuple[Project, dict]:
    sofia = OrganisationFactory(name="Sofia Municipality", slug="sofia", country="BG", city="Sofia")
    hangzhou = OrganisationFactory(name="Hangzhou Lighting", slug="hangzhou-lighting", country="CN", city="Hangzhou",
                                   kind="company")
    people = {}
    for key, organisation, name in (("lead", sofia, "Maria Ivanova"), ("partner", hangzhou, "Li Wei")):
        people[key] = UserFactory(email=f"{key}@example.org", full_name=name)
        MembershipFactory(user=people[key], organisation=organisation, role=Membership.Role.ADMIN)
    proposal = Proposal.objects.create(
        need=NeedFactory(organisation=sofia, title="Smart street lighting for Lozenets"),
        capability=CapabilityFactory(organisation=hangzhou, title="Remote-managed LED lighting"),
        score=0.82, computed_at=timezone.now(),
    )
    proposal_approve(proposal=proposal, by=coordinator)
    return Project.objects.get(proposal=proposal), people


@pytest.mark.e2e
def test_an_approved_match_becomes_an_agreement_in_force(transactional_db, live_server, page: Page, new_page,
                                                         server_errors, coordinator, tmp_path):
    base = live_server.url
    project, people = _approved_match(coordinator)
    project_url = f"{base}{project.get_absolute_url()}"
    lead_party = project.parties.get(role="lead")
    partner_party = project.parties.get(role="partner")
    signed_copy = tmp_path / "signed-memorandum.pdf"
    signed_copy.write_bytes(PDF)

    lead, partner, coordination = page, new_page(), new_page()
    _sign_in(lead, base, people["lead"].email)
    _sign_in(partner, base, people["partner"].email)
    _sign_in(coordination, base, coordinator.email)

    # 1. Each party's administrator accepts the invitation; the last acceptance activates the project.
    _open(lead, f"{base}/projects/")
    lead.get_by_role("link", name=project.title).click()
    expect(lead).to_have_url(project_url)
    expect(lead.locator("#project-stage")).to_have_text("Proposed")
    expect(lead.locator(f"tr#party-{partner_party.pk} form.step-form")).to_have_count(0)  # not theirs to answer
    lead.locator(f"tr#party-{lead_party.pk}").get_by_role("button", name="Accept").click()
    expect(lead.locator(f"tr#party-{lead_party.pk} .party-status")).to_have_text("Accepted")

    _open(partner, project_url)
    partner.locator(f"tr#party-{partner_party.pk}").get_by_role("button", name="Accept").click()
    expect(partner.locator("#project-stage")).to_have_text("Active")

    # 2. The lead drafts a memorandum and submits it for review.
    _open(lead, project_url)
    lead.get_by_role("link", name="Draft an agreement").click()
    form = lead.locator("#agreement-form")
    form.locator("select[name='type']").select_option("mou")
    form.locator("input[name='title']").fill(MOU_TITLE)
    form.locator("textarea[name='text']").fill(MOU_TEXT)
    form.get_by_role("button", name="Save the draft").click()
    expect(lead.locator("h1")).to_contain_text(MOU_TITLE)
    expect(lead.locator("#agreement-state")).to_have_text("Draft")
    agreement_url = lead.url
    expect(_step(lead, "approve")).to_have_count(0)  # nothing to approve in a draft
    _step(lead, "submit").get_by_role("button", name="Submit for review").click()
    expect(lead.locator("#agreement-state")).to_have_text("In review")

    # 3. Both parties approve; the second approval makes it agreed.
    _open(partner, agreement_url)
    _step(partner, "approve").get_by_role("button", name="Approve").click()
    expect(partner.locator("#agreement-state")).to_have_text("In review")
    expect(_step(partner, "approve")).to_have_count(0)  # approved once, for this version

    _open(lead, agreement_url)
    _step(lead, "approve").get_by_role("button", name="Approve").click()
    expect(lead.locator("#agreement-state")).to_have_text("Agreed")

    # 4. Each party records its signature with the signed copy; the second makes it signed.
    for browser, person in ((lead, people["lead"]), (partner, people["partner"])):
        _open(browser, agreement_url)
        sign = _step(browser, "sign")
        sign.locator("input[name='signatory']").fill(f"{person.full_name}, director")
        sign.locator("input[name='signed_on']").fill(date.today().isoformat())
        sign.locator("input[name='signed_copy']").set_input_files(str(signed_copy))
        sign.get_by_role("button", name="Record our signature").click()
        expect(browser.locator(".messages")).to_contain_text("Signature recorded")
    expect(partner.locator("#agreement-state")).to_have_text("Signed")
    expect(_step(partner, "put_in_force")).to_have_count(0)  # the coordinators' step

    # 5. A coordinator puts it in force.
    _open(coordination, agreement_url)
    _step(coordination, "put_in_force").get_by_role("button", name="Put in force").click()
    expect(coordination.locator("#agreement-state")).to_have_text("In force")

    # 6. The project's timeline lists every step, in order, for every viewer alike.
    expected = [
        "project.created", "party.accept", "party.accept", "project.activate", "agreement.created",
        "agreement.submit", "agreement.approve", "agreement.approve", "agreement.sign", "agreement.sign",
        "agreement.put_in_force",
    ]
    for browser in (coordination, lead):
        _open(browser, project_url)
        steps = browser.locator("#timeline li.event")
        expect(steps).to_have_count(len(expected))
        assert [steps.nth(i).get_attribute("data-action") for i in range(len(expected))] == expected
    timeline = coordination.locator("#timeline")
    for words in ("Project created", "Invitation accepted", "Project active: every party has accepted",
                  "Agreement drafted", "Submitted for review", "Approved version 1",
                  "every party has now done so", "Signed by Maria Ivanova, director", "Signed by Li Wei, director",
                  "Put in force", "for Sofia Municipality", "for Hangzhou Lighting"):
        expect(timeline).to_contain_text(words)
    expect(coordination.locator("#agreement-" + agreement_url.rstrip("/").rsplit("/", 1)[-1])).to_contain_text("In force")

    # 7. The other party heard of each step: the partner's notification list has them, unread.
    _open(partner, f"{base}/notifications/")
    expect(partner.locator(".notifications li.unread").first).to_contain_text(project.title)
    expect(partner.locator(".notifications")).to_contain_text("Put in force")
    expect(partner.locator(".account-nav .unread-count")).to_be_visible()

    agreement = Agreement.objects.get(title=MOU_TITLE)
    assert agreement.state == "in_force" and agreement.signatures.count() == 2 and agreement.approvals.count() == 2
    assert list(AuditEvent.objects.filter(project=project).values_list("action", flat=True)) == expected
    assert not server_errors.errors, f"The server answered with errors: {server_errors.errors}"
