"""The whole way in, in a real browser: a newcomer signs up, confirms their
email, registers an organisation; a coordinator verifies it; then anyone sees
it in the public directory, in English and in Simplified Chinese.

The live server runs in a thread of this process, so the confirmation email
lands in django.core.mail.outbox here, and the data it writes must be
committed (hence `transactional_db`).
"""
from __future__ import annotations

import re
import time

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD

NEWCOMER_EMAIL = "newcomer@example.org"
NEWCOMER_PASSWORD = "Brno-trams-run-on-time-2025"
ORGANISATION = {
    "name": "Brno Smart Mobility Lab",
    "kind": "think_tank",
    "country": "CZ",
    "city": "Brno",
    "description": "Open data and tram-priority signalling for Central European cities.",
}
CONFIRM_LINK = re.compile(r"https?://[^\s\"'<>]+/accounts/confirm-email/[^/\s\"'<>]+/")


def _confirmation_link(to: str, timeout: float = 10.0) -> str:
    """The confirmation link of the last email sent to `to` (waits: it is sent after the commit)."""
    deadline = time.monotonic() + timeout
    while True:
        for message in reversed(mail.outbox):
            if to in message.to:
                match = CONFIRM_LINK.search(message.body)
                assert match, f"No /accounts/confirm-email/<key>/ link in the email to {to}:\n{message.body}"
                return match.group(0)
        if time.monotonic() > deadline:
            sent = [(m.to, m.subject) for m in mail.outbox]
            pytest.fail(f"No email reached {to} within {timeout:.0f} s; outbox: {sent}")
        time.sleep(0.1)


def _form_with(page: Page, field_name: str):
    """The form holding the input named `field_name` (the header has forms of its own)."""
    return page.locator("form", has=page.locator(f"[name='{field_name}']"))


def _sign_in(page: Page, base: str, email: str, password: str) -> None:
    response = page.goto(f"{base}/accounts/login/")
    assert response and response.ok, f"GET /accounts/login/ answered {response and response.status}"
    form = _form_with(page, "password")
    form.locator("input[name='login']").fill(email)
    form.locator("input[name='password']").fill(password)
    form.locator("button[type='submit']").click()
    expect(page.locator(".account-nav .user-email")).to_have_text(email)


def _sign_out(page: Page) -> None:
    page.locator(".account-nav form").get_by_role("button", name="Sign out").click()
    expect(page.locator(".account-nav").get_by_role("link", name="Sign in")).to_be_visible()
    expect(page.locator(".account-nav .user-email")).to_have_count(0)


@pytest.mark.e2e
def test_newcomer_registers_organisation_coordinator_verifies_it_public_sees_it(
    transactional_db, live_server, page: Page, new_page, server_errors, coordinator
):
    base = live_server.url

    # 1. Sign up with email and password.
    response = page.goto(f"{base}/accounts/signup/")
    assert response and response.ok, f"GET /accounts/signup/ answered {response and response.status}"
    signup = _form_with(page, "password1")
    signup.locator("input[name='email']").fill(NEWCOMER_EMAIL)
    signup.locator("input[name='password1']").fill(NEWCOMER_PASSWORD)
    signup.locator("input[name='password2']").fill(NEWCOMER_PASSWORD)
    signup.locator("button[type='submit']").click()
    # Mandatory verification: not signed in yet, told to check the mailbox.
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    expect(page.locator(".account-nav .user-email")).to_have_count(0)

    # 2. Open the link from the confirmation email and confirm.
    link = _confirmation_link(NEWCOMER_EMAIL)
    assert link.startswith(base), f"The confirmation link {link} does not point at this site ({base})"
    response = page.goto(link)
    assert response and response.ok, f"GET {link} answered {response and response.status}"
    confirm = page.locator("main form[method='post']").filter(has=page.get_by_role("button", name="Confirm"))
    expect(confirm).to_have_count(1)
    confirm.get_by_role("button", name="Confirm").click()
    # Confirmed in the session that signed up: signed in straight away.
    expect(page.locator(".account-nav .user-email")).to_have_text(NEWCOMER_EMAIL)

    # 3. Register an organisation; it waits for verification.
    response = page.goto(f"{base}/organisations/new/")
    assert response and response.ok, f"GET /organisations/new/ answered {response and response.status}"
    form = _form_with(page, "description_language")
    form.locator("input[name='name']").fill(ORGANISATION["name"])
    form.locator("select[name='kind']").select_option(ORGANISATION["kind"])
    form.locator("select[name='country']").select_option(ORGANISATION["country"])
    form.locator("input[name='city']").fill(ORGANISATION["city"])
    form.locator("textarea[name='description']").fill(ORGANISATION["description"])
    form.locator("button[type='submit']").click()
    expect(page).to_have_url(re.compile(r"/organisations/(?!new/)[\w-]+/$"))
    expect(page.locator("h1")).to_have_text(ORGANISATION["name"])
    expect(page.locator(".profile .status-pending")).to_be_visible()
    slug = re.search(r"/organisations/([\w-]+)/$", page.url).group(1)

    # Not public yet.
    anonymous = new_page()
    anonymous.goto(f"{base}/organisations/")
    expect(anonymous.locator("ul.cards .card-title", has_text=ORGANISATION["name"])).to_have_count(0)

    # 4. Sign out.
    _sign_out(page)

    # 5. A coordinator signs in and verifies it from the queue.
    _sign_in(page, base, coordinator.email, PASSWORD)
    response = page.goto(f"{base}/coordination/organisations/")
    assert response and response.ok, f"GET /coordination/organisations/ answered {response and response.status}"
    row = page.locator(f"table.queue tr#org-{slug}")
    expect(row).to_contain_text(ORGANISATION["name"])
    expect(row).to_contain_text(NEWCOMER_EMAIL)
    row.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(r"/coordination/organisations/$"))
    expect(page.locator(".messages")).to_contain_text(ORGANISATION["name"])
    expect(page.locator(f"table.queue tr#org-{slug}")).to_have_count(0)
    _sign_out(page)

    # 6. Anyone sees it in the directory, in English ...
    response = anonymous.goto(f"{base}/organisations/")
    assert response and response.ok, f"GET /organisations/ answered {response and response.status}"
    expect(anonymous.locator("html")).to_have_attribute("lang", "en")
    english_heading = anonymous.locator("main h1")
    expect(english_heading).to_have_text("Organisations")
    card = anonymous.locator("ul.cards li.card", has=anonymous.locator(".card-title", has_text=ORGANISATION["name"]))
    expect(card).to_have_count(1)
    expect(card).to_contain_text(ORGANISATION["city"])

    # ... and in Simplified Chinese.
    response = anonymous.goto(f"{base}/zh-hans/organisations/")
    assert response and response.ok, f"GET /zh-hans/organisations/ answered {response and response.status}"
    expect(anonymous.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(anonymous.locator("ul.cards .card-title", has_text=ORGANISATION["name"])).to_have_count(1)

    assert not server_errors.errors, f"The server answered with errors: {server_errors.errors}"

    # Last, as it depends on the Chinese catalogue (locale/zh_Hans) being translated and compiled.
    chinese_heading = anonymous.locator("main h1").inner_text().strip()
    assert chinese_heading and chinese_heading != "Organisations", (
        f"The heading of /zh-hans/organisations/ is {chinese_heading!r}, not translated into Chinese: "
        "translate msgid \"Organisations\" in locale/zh_Hans/LC_MESSAGES/django.po and run compilemessages."
    )
