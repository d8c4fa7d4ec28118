"""The Atom feed and the iCalendar files, parsed back (ElementTree, icalendar), never compared as strings."""
from datetime import datetime, timedelta
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from partners.models import Topic
from tests.research.factories import EventFactory, PublicationFactory, pdf_bytes

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _atom(client, query: str = "") -> ElementTree.Element:
    response = client.get(reverse("research:publication_feed") + query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ElementTree.fromstring(response.content)


def _entries(feed: ElementTree.Element) -> list[ElementTree.Element]:
    return feed.findall(f"{ATOM}entry")


def test_the_feed_lists_published_publications_newest_first(think_tank, client):
    older = PublicationFactory(organisation=think_tank, published_at=timezone.now() - timedelta(days=3))
    newer = PublicationFactory(organisation=think_tank, title="Tram priority at junctions")
    PublicationFactory(organisation=think_tank, status="draft", published_at=None, title="Secret draft")
    feed = _atom(client)
    assert feed.tag == f"{ATOM}feed"
    titles = [entry.findtext(f"{ATOM}title") for entry in _entries(feed)]
    assert titles == [newer.title, older.title]
    entry = _entries(feed)[0]
    link = entry.find(f"{ATOM}link[@rel='alternate']")
    assert link.get("href").endswith(newer.get_absolute_url())
    assert entry.findtext(f"{ATOM}summary") == f"<p>{newer.abstract}</p>"
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Jana Nováková, Li Wei"
    assert entry.find(f"{ATOM}updated") is not None and entry.find(f"{ATOM}published") is not None


def test_each_entry_carries_the_language_of_its_publication(think_tank, client):
    PublicationFactory(organisation=think_tank, title="智慧路灯试点报告", abstract="关于路灯的研究。", language="zh-hans")
    PublicationFactory(organisation=think_tank, title="Inteligentne oświetlenie", abstract="Raport.", language="pl")
    languages = {entry.findtext(f"{ATOM}title"): entry.get(XML_LANG) for entry in _entries(_atom(client))}
    assert languages == {"智慧路灯试点报告": "zh-hans", "Inteligentne oświetlenie": "pl"}


def test_a_pdf_is_an_enclosure_and_topics_are_categories(think_tank, client, taxonomy):
    publication = PublicationFactory(organisation=think_tank, type="policy_brief")
    publication.pdf.save("x.pdf", ContentFile(pdf_bytes()), save=False)
    publication.pdf_size = len(pdf_bytes())
    publication.save()
    publication.topics.set([Topic.objects.get(code="energy.street-lighting")])
    entry = _entries(_atom(client))[0]
    enclosure = entry.find(f"{ATOM}link[@rel='enclosure']")
    assert enclosure.get("type") == "application/pdf"
    assert enclosure.get("href").endswith(reverse("research:publication_pdf", args=[publication.pk]))
    assert enclosure.get("length") == str(len(pdf_bytes()))
    categories = {c.get("term") for c in entry.findall(f"{ATOM}category")}
    assert categories == {"Policy brief", Topic.objects.get(code="energy.street-lighting").label("en")}


def test_the_feed_takes_the_library_filters(think_tank, client, taxonomy):
    lighting = PublicationFactory(organisation=think_tank, title="Lighting")
    lighting.topics.set([Topic.objects.get(code="energy.street-lighting")])
    PublicationFactory(organisation=think_tank, title="Trams", type="dataset")
    assert [e.findtext(f"{ATOM}title") for e in _entries(_atom(client, "?topic=energy"))] == ["Lighting"]
    assert [e.findtext(f"{ATOM}title") for e in _entries(_atom(client, "?type=dataset"))] == ["Trams"]
    # A filter a feed reader cannot fix is ignored, not an error.
    assert len(_entries(_atom(client, "?type=novel"))) == 2


def test_the_library_page_points_feed_readers_at_the_feed(client):
    page = client.get(reverse("research:library")).content.decode()
    assert 'type="application/atom+xml"' in page and reverse("research:publication_feed") in page


# --- iCalendar ------------------------------------------------------------------


def _calendar(client, url: str) -> icalendar.Calendar:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def test_a_seminar_file_holds_one_event_at_its_local_time_with_its_zone(think_tank, client, taxonomy):
    warsaw = ZoneInfo("Europe/Warsaw")
    start = datetime(2099, 3, 26, 10, 0, tzinfo=warsaw)  # before the clocks change: UTC+01:00
    event = EventFactory(organisation=think_tank, title="Open data for trams", timezone="Europe/Warsaw",
                         starts_at=start, ends_at=start + timedelta(hours=2), online_url="https://meet.example.org/x")
    event.topics.set([Topic.objects.get(code="mobility.public-transport")])
    calendar = _calendar(client, reverse("research:event_ics", args=[event.pk]))
    assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Open data for trams"
    assert vevent["SUMMARY"].params["LANGUAGE"] == "en"
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert str(vevent["UID"]) == f"seminar-{event.pk}@127.0.0.1"
    dtstart = vevent.decoded("DTSTART")
    assert dtstart == start and dtstart.utcoffset() == timedelta(hours=1)
    assert vevent["DTSTART"].params["TZID"] == "Europe/Warsaw"
    assert vevent.decoded("DTEND") - dtstart == timedelta(hours=2)
    assert "meet.example.org" in str(vevent["LOCATION"]) and "Prague" in str(vevent["LOCATION"])
    assert str(vevent["URL"]).endswith(event.get_absolute_url())
    assert vevent["ORGANIZER"].params["CN"] == think_tank.name
    assert [str(c) for c in vevent["CATEGORIES"].cats] == [Topic.objects.get(code="mobility.public-transport").label("en")]
    # The zone is defined in the file, so calendars without the IANA database place it right.
    (vtimezone,) = calendar.walk("VTIMEZONE")
    assert str(vtimezone["TZID"]) == "Europe/Warsaw"


def test_a_summer_seminar_in_shanghai_keeps_its_offset(think_tank, client):
    shanghai = ZoneInfo("Asia/Shanghai")
    start = datetime(2099, 7, 1, 14, 30, tzinfo=shanghai)
    event = EventFactory(organisation=think_tank, timezone="Asia/Shanghai", starts_at=start, ends_at=start + timedelta(hours=3))
    (vevent,) = _calendar(client, reverse("research:event_ics", args=[event.pk])).walk("VEVENT")
    assert vevent.decoded("DTSTART").astimezone(ZoneInfo("UTC")) == datetime(2099, 7, 1, 6, 30, tzinfo=ZoneInfo("UTC"))


def test_a_cancelled_seminar_says_so_in_its_file(think_tank, client):
    event = EventFactory(organisation=think_tank, status="cancelled")
    (vevent,) = _calendar(client, reverse("research:event_ics", args=[event.pk])).walk("VEVENT")
    assert str(vevent["STATUS"]) == "CANCELLED"


def test_the_feed_of_upcoming_seminars_leaves_out_past_draft_and_cancelled_ones(think_tank, client):
    soon = EventFactory(organisation=think_tank, title="Soon")
    later = EventFactory(organisation=think_tank, title="Later", starts_at=timezone.now() + timedelta(days=40),
                         ends_at=timezone.now() + timedelta(days=40, hours=1), timezone="Asia/Shanghai")
    EventFactory(organisation=think_tank, title="Past", starts_at=timezone.now() - timedelta(days=3),
                 ends_at=timezone.now() - timedelta(days=3) + timedelta(hours=2))
    EventFactory(organisation=think_tank, title="Draft", status="draft", published_at=None)
    EventFactory(organisation=think_tank, title="Cancelled", status="cancelled")
    calendar = _calendar(client, reverse("research:events_ics"))
    events = calendar.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Soon", "Later"]
    assert {str(e["UID"]) for e in events} == {f"seminar-{soon.pk}@127.0.0.1", f"seminar-{later.pk}@127.0.0.1"}
    assert {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")} == {"Europe/Prague", "Asia/Shanghai"}


def test_an_abstract_is_escaped_into_the_html_summary(think_tank, client):
    PublicationFactory(organisation=think_tank, abstract="Costs < benefits & <script>alert(1)</script>")
    (entry,) = _entries(_atom(client))
    assert entry.find(f"{ATOM}summary").get("type") == "html"
    assert entry.findtext(f"{ATOM}summary") == "<p>Costs &lt; benefits &amp; &lt;script&gt;alert(1)&lt;/script&gt;</p>"


def test_the_timezone_definitions_cover_the_seminars_dates(think_tank, client):
    start = datetime(2099, 10, 30, 18, 0, tzinfo=ZoneInfo("Europe/Prague"))
    event = EventFactory(organisation=think_tank, starts_at=start, ends_at=start + timedelta(hours=1))
    calendar = _calendar(client, reverse("research:event_ics", args=[event.pk]))
    (vtimezone,) = calendar.walk("VTIMEZONE")
    # The definition is enough to place the seminar: its zone file rebuilt from the VTIMEZONE agrees.
    rebuilt = vtimezone.to_tz()
    assert start.replace(tzinfo=rebuilt).utcoffset() == start.utcoffset() == timedelta(hours=1)
