"""In a real browser: a city publishes a need; the matching job proposes a
Chinese capability with its explanation; a coordinator approves it in place
(htmx) and opens the new project page.

Celery runs eagerly here and the live server commits for real, so the
after-commit matching job has run by the time the page reloads.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from partners.models import Membership, Topic
from tests.e2e.test_registration_journey import _form_with, _sign_in
from tests.factories import PASSWORD, CapabilityFactory, CoordinatorFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scene(taxonomy):
    sofia = OrganisationFactory(name="Sofia Municipality", slug="sofia-bg", country="BG", city="Sofia", kind="city")
    huawei = OrganisationFactory(name="Huawei", slug="huawei-cn", country="CN", city="Shenzhen", kind="company")
    city_admin = UserFactory(email="sofia@example.org")
    MembershipFactory(user=city_admin, organisation=sofia, role=Membership.Role.ADMIN)
    city_admin.acting_organisation = sofia
    city_admin.save()
    capability = CapabilityFactory(
        organisation=huawei, title="智慧路灯解决方案", language="zh-hans",
        description="单灯控制器、远程调光与LED智慧路灯管理平台。", maturity=9,
    )
    capability.topics.set([Topic.objects.get(code="energy.street-lighting")])
    return {"city_admin": city_admin, "coordinator": CoordinatorFactory(email="coord@example.org"), "capability": capability}


def test_a_published_need_gets_an_explained_proposal_which_a_coordinator_approves_into_a_project(
    page: Page, live_server, scene, new_page, server_errors
):
    base = live_server.url
    _sign_in(page, base, scene["city_admin"].email, PASSWORD)
    page.goto(f"{base}/needs/new/")
    form = _form_with(page, "title")
    form.locator("[name='title']").fill("Умно улично осветление в Лозенец")
    form.locator("[name='description']").fill("LED улично осветление с дистанционно управление и димиране за 3 000 стълба.")
    form.locator("[name='language']").select_option("bg")
    form.locator("button[type='submit']").click()
    expect(page.locator("#listing-topics")).to_contain_text("Smart street lighting")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messages")).to_contain_text("Published")

    coordinator = new_page()
    _sign_in(coordinator, base, scene["coordinator"].email, PASSWORD)
    coordinator.goto(f"{base}/coordination/proposals/")
    row = coordinator.locator("tr.proposal-row", has_text="智慧路灯解决方案")
    expect(row).to_contain_text("Smart street lighting")  # the explanation
    url_before = coordinator.url
    row.get_by_role("button", name="Approve").click()
    link = coordinator.locator("tr.proposal-row", has_text="智慧路灯解决方案").get_by_role("link", name="Open the project")
    expect(link).to_be_visible()
    assert coordinator.url == url_before  # approved in place, no page load
    link.click()
    expect(coordinator.locator("h1")).to_have_text("Умно улично осветление в Лозенец")
    expect(coordinator.locator("article.project")).to_contain_text("Sofia Municipality")
    expect(coordinator.locator("article.project")).to_contain_text("Huawei")
    assert server_errors.errors == []
