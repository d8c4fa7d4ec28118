"""Seminar times: a wall-clock time in the seminar's own IANA zone becomes an aware instant."""
from __future__ import annotations

from datetime import datetime, timezone as dt_timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.utils.translation import gettext as _

from core.exceptions import invalid

# The zones of the mechanism's countries first in the picker; every other IANA zone after them.
COMMON_ZONES = (
    "Asia/Shanghai", "Europe/Warsaw", "Europe/Prague", "Europe/Bratislava", "Europe/Budapest", "Europe/Bucharest",
    "Europe/Sofia", "Europe/Belgrade", "Europe/Zagreb", "Europe/Sarajevo", "Europe/Ljubljana", "Europe/Athens",
    "Europe/Tirane", "Europe/Skopje", "Europe/Podgorica", "Europe/Tallinn", "Europe/Riga", "Europe/Vilnius", "UTC",
)


@lru_cache(maxsize=1)
def zone_choices() -> list[tuple[str, str]]:
    others = sorted(available_timezones() - set(COMMON_ZONES))
    return [(name, name.replace("_", " ")) for name in (*COMMON_ZONES, *others)]


def zone_get(name: str, *, field: str = "timezone") -> ZoneInfo:
    try:
        if not name or name.startswith(("/", ".")):
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise invalid(_("“%(zone)s” is not a time zone name such as Europe/Warsaw or Asia/Shanghai.") % {"zone": name}, field=field)


def validate_zone_name(name: str) -> None:
    """Model-field validator, so that the admin cannot store a zone the pages could not read."""
    from django.core.exceptions import ValidationError

    try:
        zone_get(name)
    except Exception as error:  # the DomainError of zone_get, as a form error
        raise ValidationError(str(error)) from None


def pin_to_zone(value: datetime, zone: ZoneInfo, *, field: str) -> datetime:
    """A naive value is a wall-clock time in `zone`; an aware one is kept as the instant it names."""
    if value.tzinfo is not None:
        return value
    aware = value.replace(tzinfo=zone)
    # A time skipped when the clocks go forward does not survive the round trip through UTC.
    if aware.astimezone(dt_timezone.utc).astimezone(zone).replace(tzinfo=None) != value:
        raise invalid(
            _("%(time)s does not exist in %(zone)s: the clocks change then. Choose another time.")
            % {"time": value.strftime("%Y-%m-%d %H:%M"), "zone": zone.key},
            field=field,
        )
    return aware


def utc_offset_label(value: datetime) -> str:
    """“UTC+02:00” for an aware value."""
    offset = value.utcoffset()
    if offset is None:
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
