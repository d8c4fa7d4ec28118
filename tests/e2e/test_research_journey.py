"""The research library in a real browser: a think-tank member publishes a report with
its PDF; it appears in the library and in the Atom feed; a visitor downloads its BibTeX.

The live server runs in a thread of this process; what it reads must be committed
(hence `transactional_db`).
"""
from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from playwright.sync_api import Page, expect

from partners.models import Membership, Topic
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.research.factories import ThinkTankFactory, pdf_bytes

REPORT = {
    "title": "Dimmable street lighting in Central European cities",
    "abstract": "Twelve cities replaced sodium lamps with dimmable LEDs; we measure what they saved.",
    "authors": "Jana Nováková\nLi Wei",
}
ATOM = "{http://www.w3.org/2005/Atom}"


def _form_with(page: Page, field_name: str):
    """The form holding the field named `field_name` (the header has forms of its own)."""
    return page.locator("form", has=page.locator(f"[name='{field_name}']"))


def _sign_in(page: Page, base: str, email: str) -> None:
    response = page.goto(f"{base}/accounts/login/")
    assert response and response.ok, f"GET /accounts/login/ answered {response and response.status}"
    form = _form_with(page, "password")
    form.locator("input[name='login']").fill(email)
    form.locator("input[name='password']").fill(PASSWORD)
    form.locator("button[type='submit']").click()
    expect(page.locator(".account-nav .user-email")).to_have_text(email)


@pytest.mark.e2e
def test_a_think_tank_member_publishes_a_report_and_a_visitor_cites_it(
    transactional_db, live_server, page: Page, new_page, server_errors, taxonomy
):
    base = live_server.url
    think_tank = ThinkTankFactory(name="Prague Institute for Urban Research", slug="prague-institute-cz")
    researcher = UserFactory(email="researcher@example.org", full_name="Jana Nováková")
    MembershipFactory(user=researcher, organisation=think_tank, role=Membership.Role.MEMBER)
    topic = Topic.objects.get(code="energy.street-lighting")

    # 1. The member signs in and finds the library in the main navigation.
    _sign_in(page, base, researcher.email)
    page.locator(".main-nav").get_by_role("link", name="Research library").click()
    expect(page).to_have_url(re.compile(r"/library/$"))
    page.get_by_role("link", name="Publish a study").click()
    expect(page).to_have_url(re.compile(r"/library/new/$"))

    # 2. A report with its PDF; it is saved as a draft.
    form = _form_with(page, "abstract")
    expect(form.locator("select[name='organisation']")).to_contain_text(think_tank.name)
    form.locator("select[name='type']").select_option("report")
    form.locator("input[name='title']").fill(REPORT["title"])
    form.locator("textarea[name='abstract']").fill(REPORT["abstract"])
    form.locator("select[name='language']").select_option("en")
    form.locator("textarea[name='authors']").fill(REPORT["authors"])
    form.locator("select[name='topics']").select_option(str(topic.pk))
    form.locator("select[name='countries']").select_option(["CZ", "CN"])
    form.locator("input[name='pdf']").set_input_files(
        files=[{"name": "lighting-report.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}]
    )
    form.locator("button[type='submit']").click()
    expect(page).to_have_url(re.compile(r"/library/\d+/$"))
    expect(page.locator("main h1")).to_have_text(REPORT["title"])
    expect(page.locator(".publication-detail .status")).to_contain_text("Draft")
    detail_url = page.url

    # Not in the library while it is a draft.
    visitor = new_page()
    visitor.goto(f"{base}/library/")
    expect(visitor.locator("ul.library .card-title", has_text=REPORT["title"])).to_have_count(0)

    # 3. Publish it.
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messages")).to_contain_text("Published")
    expect(page.locator(".publication-detail .status")).to_contain_text("Published")

    # 4. A visitor finds it in the library ...
    response = visitor.goto(f"{base}/library/")
    assert response and response.ok
    card = visitor.locator("ul.library li.card", has=visitor.locator(".card-title", has_text=REPORT["title"]))
    expect(card).to_have_count(1)
    expect(card).to_contain_text(think_tank.name)
    expect(card).to_contain_text("Jana Nováková, Li Wei")

    # ... and in the Atom feed the page announces, parsed as XML.
    feed_href = visitor.locator("link[rel='alternate'][type='application/atom+xml']").get_attribute("href")
    feed = visitor.request.get(f"{base}{feed_href}")
    assert feed.ok and feed.headers["content-type"].startswith("application/atom+xml")
    entries = ElementTree.fromstring(feed.body()).findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == [REPORT["title"]]
    assert entries[0].find(f"{ATOM}link[@rel='alternate']").get("href") == detail_url
    enclosure = entries[0].find(f"{ATOM}link[@rel='enclosure']")
    assert enclosure is not None and enclosure.get("type") == "application/pdf"

    # 5. The visitor opens it; its PDF is served as a PDF.
    card.locator(".card-title").click()
    expect(visitor).to_have_url(detail_url)
    pdf_href = visitor.get_by_role("link", name=re.compile("Read the PDF")).get_attribute("href")
    pdf = visitor.request.get(f"{base}{pdf_href}")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body() == pdf_bytes()

    # 6. ... and downloads its BibTeX.
    with visitor.expect_download() as download_info:
        visitor.get_by_role("link", name="BibTeX").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".bib")
    bibtex = Path(download.path()).read_text(encoding="utf-8")
    assert bibtex.startswith("@techreport{novakova")
    assert "author = {Jana Nováková and Li Wei}" in bibtex
    assert "title = {{Dimmable street lighting in Central European cities}}" in bibtex
    assert "institution = {Prague Institute for Urban Research}" in bibtex
    assert re.search(r"url = \{https?://[^}]+/library/\d+/\}", bibtex), bibtex

    assert not server_errors.errors, f"The server answered with errors: {server_errors.errors}"
