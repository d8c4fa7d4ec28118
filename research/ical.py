"""iCalendar (RFC 5545) for seminars, written with the `icalendar` package.

Times are written in the seminar's own zone (DTSTART;TZID=Europe/Warsaw:…) with the
VTIMEZONE it needs, so a calendar shows the seminar at the right local time anywhere.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, timezone as dt_timezone
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event as ICalEvent, vCalAddress, vText

from research.models import Event

PRODID = "-//China-CEE Smart City Cooperation//Seminars//EN"


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def event_uid(event: Event) -> str:
    # Stable across edits, so that a calendar updates the entry instead of adding another.
    return f"seminar-{event.pk}@{_host()}"


def _vevent(event: Event, *, base_url: str, stamp: datetime) -> ICalEvent:
    entry = ICalEvent()
    entry.add("uid", event_uid(event))
    entry.add("dtstamp", stamp)
    entry.add("dtstart", event.local_starts_at)
    entry.add("dtend", event.local_ends_at)
    entry.add("summary", event.title)
    entry.add("description", event.description)
    url = base_url.rstrip("/") + event.get_absolute_url()
    entry.add("url", url)
    location = ", ".join(part for part in (event.place, event.online_url) if part)
    if location:
        entry.add("location", location)
    entry.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    entry.add("last-modified", event.updated_at.astimezone(dt_timezone.utc))
    entry.add("created", event.created_at.astimezone(dt_timezone.utc))
    # ORGANIZER is a URI: the organiser's profile here (RFC 5545 does not require mailto:).
    organiser = vCalAddress(base_url.rstrip("/") + event.organisation.get_absolute_url())
    organiser.params["CN"] = vText(event.organisation.name)
    entry.add("organizer", organiser)
    categories = [topic.label("en") for topic in event.topics.all()]
    if categories:
        entry.add("categories", categories)
    # The language of the seminar, on the texts it applies to (RFC 5545 LANGUAGE parameter).
    for name in ("summary", "description"):
        entry[name].params["LANGUAGE"] = event.language
    return entry


def calendar_for(events: Iterable[Event], *, base_url: str, name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    stamp = timezone.now().astimezone(dt_timezone.utc).replace(microsecond=0)
    events = list(events)
    for event in events:
        calendar.add_component(_vevent(event, base_url=base_url, stamp=stamp))
    if events:
        # VTIMEZONEs covering just the seminars' span (the default, 1970–2038, bloats the file and stops short).
        first = min(e.starts_at for e in events).date() - timedelta(days=366)
        last = max(e.ends_at for e in events).date() + timedelta(days=366)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()
