"""Import and export of organisations, needs and capabilities as
`smartcity-listings/1` documents (the format is described in docs/interchange.md,
its shape in docs/smartcity-listings-1.schema.json).

An import is all or nothing. It runs in two phases:

1. Checking, outside any transaction (the slow part: the schema, every
   semantic rule, the tagger on every text). Every problem is collected and
   reported at once in one `ImportInvalid`; nothing is written.
2. Writing, in one transaction: the records found by `ref` are locked and
   compared field by field, only what differs is saved, the rest is bulk
   created. Importing the same file twice therefore changes nothing.

Both phases look the existing records up the same way (`_resolve_organisations`),
so a record changed by someone else between them is caught by the same rules
or, at worst, by the database's constraints, which become a conflict error.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.exceptions import DomainError, ErrorKind, conflict
from core.queue import enqueue_on_commit
from partners import permissions
from partners.countries import BY_CODE
from partners.languages import CONTENT_LANGUAGE_CODES
from partners.models import Capability, ImportJob, Need, Organisation, Topic
from partners.services import LISTING_DEFAULT_LIFETIME_DAYS

FORMAT = "smartcity-listings/1"
SCHEMA_FILE = Path(settings.BASE_DIR) / "docs" / "smartcity-listings-1.schema.json"
# Uploads and API bodies larger than this are refused before they are parsed.
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
SECTIONS = ("organisations", "needs", "capabilities")
LISTING_SECTIONS = {"needs": Need, "capabilities": Capability}
BATCH_SIZE = 500
# At most this many progress reports per import: each one is a query for the caller.
PROGRESS_STEPS = 50

Progress = Callable[[int, int], None]

_LANGUAGE_BY_LOWER = {code.lower(): code for code in CONTENT_LANGUAGE_CODES}
# Tags that mean one content language of the platform unambiguously.
_LANGUAGE_ALIASES = {"zh": "zh-hans", "zh-cn": "zh-hans", "zh-sg": "zh-hans", "zh-hans-cn": "zh-hans"}
_DATE_FIELDS = {"expires_on", "wanted_start"}
_TYPE_NAMES = {
    "string": gettext_lazy("a string"), "integer": gettext_lazy("a whole number"), "number": gettext_lazy("a number"),
    "object": gettext_lazy("an object"), "array": gettext_lazy("an array"), "boolean": gettext_lazy("true or false"),
    "null": gettext_lazy("null"),
}


class ImportInvalid(DomainError):
    """The file breaks the format or the platform's rules; `errors` lists every problem,
    each naming its record (`needs[3] (ref need-7): …`)."""

    def __init__(self, errors: list[str]):
        heading = ngettext(
            "%(count)d problem in the file; nothing was imported:",
            "%(count)d problems in the file; nothing was imported:",
            len(errors),
        ) % {"count": len(errors)}
        super().__init__("\n".join([heading, *errors]), kind=ErrorKind.INVALID)
        self.errors = errors


# --- The schema ---------------------------------------------------------------


@lru_cache(maxsize=1)
def listings_schema() -> dict:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _schema_validator():
    from jsonschema import Draft202012Validator

    schema = listings_schema()
    Draft202012Validator.check_schema(schema)
    # No format checker: dates and URLs are checked below, with the platform's own messages.
    return Draft202012Validator(schema)


# --- Messages -----------------------------------------------------------------


def _q(value: Any) -> str:
    """A value as the file spells it, quoted, on one line."""
    return json.dumps(value, ensure_ascii=False)


def _label(section: str | None, index: int | None, record: Any) -> str:
    if section is None:
        return _("document")
    ref = record.get("ref") if isinstance(record, dict) else None
    if isinstance(ref, str) and ref:
        return f"{section}[{index}] (ref {ref})"
    return f"{section}[{index}]"


def _field_name(parts: Iterable) -> str:
    name = ""
    for part in parts:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name


class _Problems:
    """Errors in the order of the file: the document first, then each section's records."""

    def __init__(self, document: dict):
        self.document = document
        self._items: list[tuple[int, int, int, str]] = []
        self._seen: set[str] = set()

    def add(self, section: str | None, index: int | None, message: str) -> None:
        record = self.document[section][index] if section is not None else None
        text = f"{_label(section, index, record)}: {message}"
        if text in self._seen:  # the schema reports some problems once per keyword
            return
        self._seen.add(text)
        rank = SECTIONS.index(section) + 1 if section is not None else 0
        self._items.append((rank, index if index is not None else -1, len(self._items), text))

    def __bool__(self) -> bool:
        return bool(self._items)

    def messages(self) -> list[str]:
        return [text for *_order, text in sorted(self._items)]


def _schema_message(error) -> list[str]:
    """One readable sentence (or a few) per jsonschema error, naming the field."""
    path = list(error.absolute_path)
    in_record = len(path) >= 2 and path[0] in SECTIONS and isinstance(path[1], int)
    name = _field_name(path[2:] if in_record else path)
    subject = name or (_("the record") if in_record else _("the document"))
    keyword, expected, value = error.validator, error.validator_value, error.instance
    if keyword == "required":
        return [_("%(field)s is required") % {"field": _q(p)} for p in expected if p not in value]
    if keyword == "additionalProperties":
        known = error.schema.get("properties", {})
        return [_("unknown field %(field)s") % {"field": _q(k)} for k in value if k not in known]
    if keyword == "type":
        kinds = expected if isinstance(expected, list) else [expected]
        return [_("%(field)s must be %(type)s") % {"field": subject, "type": ", ".join(str(_TYPE_NAMES[k]) for k in kinds)}]
    if keyword == "enum":
        return [_("%(field)s %(value)s is not one of %(choices)s")
                % {"field": subject, "value": _q(value), "choices": ", ".join(expected)}]
    if keyword == "const":
        return [_("%(field)s must be %(expected)s, not %(value)s")
                % {"field": subject, "expected": _q(expected), "value": _q(value)}]
    if keyword == "minLength":
        return [_("%(field)s must not be empty") % {"field": subject}]
    if keyword == "maxLength":
        return [_("%(field)s is longer than %(max)d characters") % {"field": subject, "max": expected}]
    if keyword in ("minimum", "maximum"):
        low, high = error.schema.get("minimum"), error.schema.get("maximum")
        return [_("%(field)s %(value)s is not between %(min)s and %(max)s")
                % {"field": subject, "value": _q(value), "min": low, "max": high}]
    if keyword == "pattern" and path and path[-1] in _DATE_FIELDS:
        return [_("%(field)s %(value)s is not a date (YYYY-MM-DD)") % {"field": subject, "value": _q(value)}]
    if keyword == "pattern":
        return [_("%(field)s %(value)s may only hold letters, digits and . _ : / - (starting with a letter or a digit)")
                % {"field": subject, "value": _q(value)}]
    if keyword == "uniqueItems":
        return [_("%(field)s lists a value twice") % {"field": subject}]
    return [f"{subject}: {error.message}"]


# --- Checking -----------------------------------------------------------------


def normalise_language(tag: str) -> str | None:
    """The platform's code for a language tag written in any case ("sr-latn" → "sr-Latn"), or None."""
    key = tag.strip().replace("_", "-").lower()
    return _LANGUAGE_BY_LOWER.get(key) or _LANGUAGE_ALIASES.get(key)


@dataclass
class _OrganisationRow:
    index: int
    ref: str
    fields: dict[str, Any]

    @property
    def key(self) -> tuple[str, str]:
        return self.fields["name"].lower(), self.fields["country"]


@dataclass
class _ListingRow:
    section: str
    index: int
    ref: str
    organisation_ref: str
    fields: dict[str, Any]
    expires_on: date | None  # None: keep the stored date (a new listing gets the default lifetime)
    topics: list[str]
    suggested_topics: list[str]


@dataclass
class _Plan:
    organisations: list[_OrganisationRow] = field(default_factory=list)
    listings: dict[str, list[_ListingRow]] = field(default_factory=lambda: {s: [] for s in LISTING_SECTIONS})


@dataclass
class _Existing:
    """What the database holds that the file refers to (read without locks while checking,
    re-read under locks for writing)."""

    by_ref: dict[str, Organisation]
    by_key: dict[tuple[str, str], Organisation]

    @classmethod
    def load(cls, *, refs: set[str], keys: set[tuple[str, str]], lock: bool = False) -> _Existing:
        names = {name for name, _country in keys}
        qs = Organisation.objects.annotate(lower_name=Lower("name")).filter(Q(ref__in=refs) | Q(lower_name__in=names))
        if lock:
            qs = qs.select_for_update(of=("self",))
        by_ref, by_key = {}, {}
        for organisation in qs:
            if organisation.ref in refs:
                by_ref[organisation.ref] = organisation
            by_key[(organisation.lower_name, organisation.country)] = organisation
        return cls(by_ref=by_ref, by_key=by_key)


def _resolve_organisations(
    rows: list[_OrganisationRow], existing: _Existing
) -> tuple[dict[str, Organisation | None], list[tuple[int, str]]]:
    """Which stored organisation each row is (None: a new one), and the rows that cannot be
    written: a ref or a name taken by another organisation."""
    matched: dict[str, Organisation | None] = {}
    problems: list[tuple[int, str]] = []
    for row in rows:
        organisation = existing.by_ref.get(row.ref)
        namesake = existing.by_key.get(row.key)
        if organisation is None and namesake is not None:
            if namesake.ref:
                problems.append((row.index, _("%(name)s (%(country)s) is already on the platform with the reference %(ref)s")
                                 % {"name": _q(row.fields["name"]), "country": row.fields["country"], "ref": _q(namesake.ref)}))
                continue
            organisation = namesake  # registered on the site before: it takes the file's ref
        elif namesake is not None and namesake.pk != organisation.pk:
            problems.append((row.index, _("another organisation is already called %(name)s in %(country)s")
                             % {"name": _q(row.fields["name"]), "country": row.fields["country"]}))
            continue
        matched[row.ref] = organisation
    return matched, problems


class _Checker:
    def __init__(self, document: dict, *, progress: Progress | None):
        self.document = document
        self.problems = _Problems(document)
        self.progress = progress
        self.total = sum(len(document.get(s) or []) for s in SECTIONS if isinstance(document.get(s), list))
        self.done = 0
        self.step = max(1, self.total // PROGRESS_STEPS)
        self.today = timezone.localdate()
        self.url = URLValidator(schemes=["http", "https"])
        self.malformed: set[tuple[str, int]] = set()

    def tick(self) -> None:
        self.done += 1
        if self.progress is not None and (self.done % self.step == 0 or self.done == self.total):
            self.progress(self.done, self.total)

    def finish(self) -> None:
        # Malformed records are not ticked one by one; the report still ends at 100%.
        if self.progress is not None and self.done != self.total:
            self.progress(self.total, self.total)

    def fail(self, section: str, index: int, message: str) -> None:
        self.problems.add(section, index, message)

    # The shape, by the schema.
    def check_shape(self) -> None:
        for error in _schema_validator().iter_errors(self.document):
            path = list(error.absolute_path)
            record = len(path) >= 2 and path[0] in SECTIONS and isinstance(path[1], int)
            for message in _schema_message(error):
                self.problems.add(path[0] if record else None, path[1] if record else None, message)
            if record:
                self.malformed.add((path[0], path[1]))

    def records(self, section: str) -> list[tuple[int, dict]]:
        """The section's records whose shape is right (the others are reported already)."""
        items = self.document.get(section)
        if not isinstance(items, list):
            return []
        return [(i, r) for i, r in enumerate(items) if (section, i) not in self.malformed and isinstance(r, dict)]

    def all_refs(self, section: str) -> set[str]:
        items = self.document.get(section)
        if not isinstance(items, list):
            return set()
        return {r["ref"] for r in items if isinstance(r, dict) and isinstance(r.get("ref"), str)}

    def duplicate_refs(self, section: str) -> set[int]:
        first: dict[str, int] = {}
        duplicates = set()
        for index, record in self.records(section):
            if record["ref"] in first:
                self.fail(section, index, _("ref %(ref)s is used by %(section)s[%(index)d] too")
                          % {"ref": _q(record["ref"]), "section": section, "index": first[record["ref"]]})
                duplicates.add(index)
            else:
                first[record["ref"]] = index
        return duplicates

    def country(self, section: str, index: int, value: str, *, blank: bool) -> str:
        code = value.strip().upper()
        if blank and not code:
            return ""
        if code not in BY_CODE:
            self.fail(section, index, _("country %(value)s is not a CEE or Chinese country") % {"value": _q(value)})
        return code

    def language(self, section: str, index: int, name: str, value: str | None) -> str:
        if value is None:
            return "en"
        code = normalise_language(value)
        if code is None:
            self.fail(section, index, _("%(field)s %(value)s is not a content language of the platform (%(known)s)")
                      % {"field": name, "value": _q(value), "known": ", ".join(sorted(CONTENT_LANGUAGE_CODES))})
        return code or "en"

    def date(self, section: str, index: int, name: str, value: str | None) -> date | None:
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(section, index, _("%(field)s %(value)s is not a date (YYYY-MM-DD)") % {"field": name, "value": _q(value)})
            return None

    def website(self, section: str, index: int, value: str) -> str:
        value = value.strip()
        if value:
            try:
                self.url(value)
            except ValidationError:
                self.fail(section, index, _("website %(value)s is not an http(s) address") % {"value": _q(value)})
        return value

    def blank(self, section: str, index: int, name: str, value: str) -> str:
        value = value.strip()
        if not value:
            self.fail(section, index, _("%(field)s must not be blank") % {"field": name})
        return value

    def range(self, section: str, index: int, name: str, value: dict | None) -> tuple[int | None, int | None]:
        value = value or {}
        low, high = value.get("min"), value.get("max")
        low, high = _whole(low), _whole(high)
        if low is not None and high is not None and low > high:
            self.fail(section, index, _("%(field)s: min %(min)d is above max %(max)d") % {"field": name, "min": low, "max": high})
        return low, high


def _check_organisations(checker: _Checker) -> list[_OrganisationRow]:
    """Rows for the organisations that can be written; the others are reported."""
    section = "organisations"
    duplicates = checker.duplicate_refs(section)
    rows: list[_OrganisationRow] = []
    seen_keys: dict[tuple[str, str], int] = {}
    for index, record in checker.records(section):
        row = _OrganisationRow(index=index, ref=record["ref"], fields={
            "name": checker.blank(section, index, "name", record["name"]),
            "kind": record["kind"],
            "country": checker.country(section, index, record["country"], blank=False),
            "city": checker.blank(section, index, "city", record["city"]),
            "website": checker.website(section, index, record.get("website", "")),
            "description": record.get("description", ""),
            "description_language": checker.language(section, index, "description_language", record.get("description_language")),
            "size": record.get("size", ""),
        })
        if row.key in seen_keys:
            checker.fail(section, index, _("%(name)s (%(country)s) is organisations[%(index)d] too")
                         % {"name": _q(row.fields["name"]), "country": row.fields["country"], "index": seen_keys[row.key]})
        seen_keys.setdefault(row.key, index)
        checker.tick()
        if index not in duplicates:
            rows.append(row)
    existing = _Existing.load(refs={r.ref for r in rows}, keys={r.key for r in rows})
    _matched, problems = _resolve_organisations(rows, existing)
    for index, message in problems:
        checker.fail(section, index, message)
    return rows


def _check_listing_organisations(checker: _Checker) -> None:
    """A listing names an organisation of the file, or one already verified on the platform."""
    named = {(s, i): r["organisation"] for s in LISTING_SECTIONS for i, r in checker.records(s)}
    # Every ref of the file counts, so that a malformed organisation is not reported again through its listings.
    known_in_file = checker.all_refs("organisations")
    outside = {ref for ref in named.values() if ref not in known_in_file}
    stored = dict(Organisation.objects.filter(ref__in=outside).values_list("ref", "status"))
    for (section, index), ref in named.items():
        if ref in known_in_file:
            continue
        if ref not in stored:
            checker.fail(section, index, _("organisation %(ref)s is neither in this file nor on the platform") % {"ref": _q(ref)})
        elif stored[ref] != Organisation.Status.VERIFIED:
            checker.fail(section, index, _("organisation %(ref)s is not verified: include it in the file or verify it first")
                         % {"ref": _q(ref)})


def _whole(value: int | float | None) -> int | None:
    # JSON Schema counts 5.0 as an integer; the database wants 5.
    return int(value) if value is not None else None


def _listing_fields(checker: _Checker, section: str, index: int, record: dict) -> dict[str, Any]:
    model = LISTING_SECTIONS[section]
    fields = {
        "title": checker.blank(section, index, "title", record["title"]),
        "description": record["description"],
        "language": checker.language(section, index, "language", record.get("language")),
        "city": record.get("city", "").strip(),
        "country": checker.country(section, index, record.get("country", ""), blank=True),
        "audience": record.get("audience", model.Audience.OTHER_SIDE),
    }
    if not fields["description"].strip():
        checker.fail(section, index, _("description must not be blank"))
    if section == "needs":
        fields["budget_min_eur"], fields["budget_max_eur"] = checker.range(section, index, "budget_eur", record.get("budget_eur"))
        fields["wanted_start"] = checker.date(section, index, "wanted_start", record.get("wanted_start"))
        fields["stage"] = record.get("stage", Need.Stage.PILOT)
        fields["population_served"] = _whole(record.get("population_served"))
    else:
        fields["price_min_eur"], fields["price_max_eur"] = checker.range(section, index, "price_eur", record.get("price_eur"))
        fields["capability_type"] = record.get("capability_type", Capability.Type.SOLUTION)
        fields["maturity"] = _whole(record.get("maturity"))
        fields["references"] = record.get("references", "")
    return fields


def _check_listings(checker: _Checker, section: str, *, topic_codes: set[str], tagger) -> list[_ListingRow]:
    model = LISTING_SECTIONS[section]
    duplicates = checker.duplicate_refs(section)
    records = checker.records(section)
    stored_rows = model.objects.filter(ref__in=[r["ref"] for _i, r in records]).values_list("ref", "status", "expires_on")
    stored = {ref: (status, expires_on) for ref, status, expires_on in stored_rows}
    rows = []
    for index, record in records:
        fields = _listing_fields(checker, section, index, record)
        expires_on = checker.date(section, index, "expires_on", record.get("expires_on"))
        status, stored_expiry = stored.get(record["ref"], (None, None))
        # Only what gets published now must not have expired (as listing_publish has it);
        # a listing already published or closed is the expiry job's business.
        if status in (None, model.Status.DRAFT) and (expires_on or stored_expiry or checker.today) < checker.today:
            passed = (expires_on or stored_expiry).isoformat()
            checker.fail(section, index, _("expires_on %(value)s has passed") % {"value": _q(passed)})
        unknown = [code for code in record.get("topics", []) if code not in topic_codes]
        for code in unknown:
            checker.fail(section, index, _("topic %(code)s is not in the taxonomy") % {"code": _q(code)})
        suggested = [code for code in tagger.tag(fields["title"], fields["description"]) if code in topic_codes]
        topics = sorted(record["topics"]) if "topics" in record else sorted(suggested)
        checker.tick()
        if index not in duplicates:
            rows.append(_ListingRow(section=section, index=index, ref=record["ref"], organisation_ref=record["organisation"],
                                    fields=fields, expires_on=expires_on, topics=topics, suggested_topics=suggested))
    return rows


def _check(document: Any, *, progress: Progress | None) -> _Plan:
    if not isinstance(document, dict):
        raise ImportInvalid([_("document: a %(format)s file holds one JSON object") % {"format": FORMAT}])
    from partners.taxonomy_store import current_tagger

    checker = _Checker(document, progress=progress)
    checker.check_shape()
    plan = _Plan()
    plan.organisations = _check_organisations(checker)
    _check_listing_organisations(checker)
    topic_codes = set(Topic.objects.values_list("code", flat=True))
    tagger = current_tagger()
    for section in LISTING_SECTIONS:
        plan.listings[section] = _check_listings(checker, section, topic_codes=topic_codes, tagger=tagger)
    checker.finish()
    if checker.problems:
        raise ImportInvalid(checker.problems.messages())
    return plan


# --- Writing ------------------------------------------------------------------


def _counts() -> dict[str, int]:
    return {"created": 0, "updated": 0, "unchanged": 0}


def _differences(instance, desired: dict[str, Any]) -> list[str]:
    return [name for name, value in desired.items() if getattr(instance, name) != value]


def _unique_slug(name: str, country: str, taken: set[str]) -> str:
    # As partners.services names organisations, against slugs held in memory (one query per import).
    base = slugify(f"{name}-{country}")[:200] or f"organisation-{country.lower()}"
    slug, counter = base, 2
    while slug in taken:
        slug, counter = f"{base}-{counter}", counter + 1
    taken.add(slug)
    return slug


def _write_organisations(rows: list[_OrganisationRow], *, by, now) -> tuple[dict[str, Organisation], dict[str, int]]:
    existing = _Existing.load(refs={r.ref for r in rows}, keys={r.key for r in rows}, lock=True)
    matched, problems = _resolve_organisations(rows, existing)
    if problems:
        raise conflict(_("Organisations changed on the platform while the file was being checked; import it again."))
    counts, created, changed, fields_changed = _counts(), [], [], set()
    taken = set(Organisation.objects.values_list("slug", flat=True)) if any(v is None for v in matched.values()) else set()
    for row in rows:
        organisation = matched[row.ref]
        if organisation is None:
            created.append(Organisation(
                **row.fields, ref=row.ref, slug=_unique_slug(row.fields["name"], row.fields["country"], taken),
                status=Organisation.Status.VERIFIED, reviewed_by=by, reviewed_at=now, created_by=by,
            ))
            continue
        desired = {**row.fields, "ref": row.ref}
        if organisation.status != Organisation.Status.VERIFIED:
            # An import is a coordinator's act: what it brings in counts as verified.
            desired.update(status=Organisation.Status.VERIFIED, rejection_reason="", reviewed_by=by, reviewed_at=now)
        differences = _differences(organisation, desired)
        if differences:
            for name in differences:
                setattr(organisation, name, desired[name])
            organisation.updated_at = now  # bulk_update does not apply auto_now
            changed.append(organisation)
            fields_changed.update(differences)
        else:
            counts["unchanged"] += 1
    Organisation.objects.bulk_create(created, batch_size=BATCH_SIZE)
    if changed:
        Organisation.objects.bulk_update(changed, [*sorted(fields_changed), "updated_at"], batch_size=BATCH_SIZE)
    counts["created"], counts["updated"] = len(created), len(changed)
    by_ref = {o.ref: o for o in [*created, *(o for o in matched.values() if o is not None)]}
    return by_ref, counts


def _organisations_for_listings(plan: _Plan, by_ref: dict[str, Organisation]) -> dict[str, Organisation]:
    wanted = {row.organisation_ref for rows in plan.listings.values() for row in rows} - set(by_ref)
    outside = {o.ref: o for o in Organisation.objects.filter(ref__in=wanted, status=Organisation.Status.VERIFIED)}
    if wanted - set(outside):
        raise conflict(_("Organisations changed on the platform while the file was being checked; import it again."))
    return {**by_ref, **outside}


def _stored_topics(model, listing_ids: list[int]) -> dict[int, set[int]]:
    through = model.topics.through
    owner = f"{model._meta.model_name}_id"
    topics: dict[int, set[int]] = {pk: set() for pk in listing_ids}
    for listing_id, topic_id in through.objects.filter(**{f"{owner}__in": listing_ids}).values_list(owner, "topic_id"):
        topics[listing_id].add(topic_id)
    return topics


def _desired_listing(row: _ListingRow, listing, *, organisation: Organisation, model, now, today) -> dict[str, Any]:
    desired = {**row.fields, "organisation_id": organisation.pk, "suggested_topics": row.suggested_topics}
    if row.expires_on is not None or listing is None:
        desired["expires_on"] = row.expires_on or today + timedelta(days=LISTING_DEFAULT_LIFETIME_DAYS)
    # Imported listings are published; a closed one stays closed (its organisation or
    # the expiry job closed it; reopening is theirs to decide, on the site).
    if listing is None or listing.status == model.Status.DRAFT:
        desired["status"] = model.Status.PUBLISHED
        desired["published_at"] = (listing.published_at if listing is not None else None) or now
    return desired


def _write_listings(
    section: str, rows: list[_ListingRow], *, organisations: dict[str, Organisation], by, now
) -> tuple[list, dict[str, int]]:
    """Create or update one section's listings; returns those created or changed, and the counts."""
    model = LISTING_SECTIONS[section]
    today = timezone.localdate()
    stored = {listing.ref: listing for listing in model.objects.select_for_update().filter(ref__in=[r.ref for r in rows])}
    stored_topics = _stored_topics(model, [listing.pk for listing in stored.values()])
    codes = {code for row in rows for code in row.topics}
    topic_ids = dict(Topic.objects.filter(code__in=codes).values_list("code", "id"))
    if len(topic_ids) != len(codes):
        raise conflict(_("The taxonomy changed while the file was being checked; import it again."))
    counts, created, changed, fields_changed, retopic = _counts(), [], [], set(), {}
    for row in rows:
        listing = stored.get(row.ref)
        organisation = organisations[row.organisation_ref]
        desired = _desired_listing(row, listing, organisation=organisation, model=model, now=now, today=today)
        wanted_topics = {topic_ids[code] for code in row.topics}
        if listing is None:
            listing = model(**desired, ref=row.ref, created_by=by)
            created.append(listing)
            retopic[row.ref] = wanted_topics
            continue
        differences = _differences(listing, desired)
        if wanted_topics != stored_topics[listing.pk]:
            retopic[row.ref] = wanted_topics
        if not differences and row.ref not in retopic:
            counts["unchanged"] += 1
            continue
        for name in differences:
            setattr(listing, name, desired[name])
        listing.updated_at = now  # bulk_update does not apply auto_now; new topics count as a change too
        fields_changed.update(differences)
        changed.append(listing)
    model.objects.bulk_create(created, batch_size=BATCH_SIZE)
    if changed:
        model.objects.bulk_update(changed, [*sorted(fields_changed), "updated_at"], batch_size=BATCH_SIZE)
    _replace_topics(model, [x for x in [*created, *changed] if x.ref in retopic], retopic)
    counts["created"], counts["updated"] = len(created), len(changed)
    return [*created, *changed], counts


def _replace_topics(model, listings: list, topics: dict[str, set[int]]) -> None:
    through = model.topics.through
    owner = f"{model._meta.model_name}_id"
    through.objects.filter(**{f"{owner}__in": [x.pk for x in listings]}).delete()
    through.objects.bulk_create(
        [through(**{owner: x.pk, "topic_id": topic_id}) for x in listings for topic_id in sorted(topics[x.ref])],
        batch_size=BATCH_SIZE * 4,
    )


def _write(plan: _Plan, *, by) -> dict[str, dict[str, int]]:
    from matchmaking.hooks import listing_changed

    now = timezone.now()
    by_ref, summary_orgs = _write_organisations(plan.organisations, by=by, now=now)
    organisations = _organisations_for_listings(plan, by_ref)
    summary = {"organisations": summary_orgs}
    for section, rows in plan.listings.items():
        touched, summary[section] = _write_listings(section, rows, organisations=organisations, by=by, now=now)
        for listing in touched:
            if listing.is_published:
                listing_changed(listing)  # enqueues matching once this transaction commits
    return summary


def listings_import(*, document: dict, by=None, progress: Progress | None = None) -> dict[str, dict[str, int]]:
    """Import a smartcity-listings/1 document, all or nothing, idempotent by `ref`.

    Raises ImportInvalid (a DomainError listing every problem) before writing anything.
    `progress(done, total)` is called while records are checked, outside the transaction.
    Returns {"organisations"|"needs"|"capabilities": {"created", "updated", "unchanged"}}.
    """
    plan = _check(document, progress=progress)
    try:
        with transaction.atomic():
            return _write(plan, by=by)
    except IntegrityError:
        # Another import or an edit on the site took a ref or a name in the meantime.
        raise conflict(_("Records changed on the platform while the file was being imported; import it again."))


# --- Export -------------------------------------------------------------------


def _fresh_ref(base: str, taken: set[str]) -> str:
    ref, counter = base, 2
    while ref in taken:
        ref, counter = f"{base}-{counter}", counter + 1
    taken.add(ref)
    return ref


def _range(low: int | None, high: int | None) -> dict[str, int] | None:
    bounds = {name: value for name, value in (("min", low), ("max", high)) if value is not None}
    return bounds or None


def _organisation_record(organisation: Organisation, ref: str) -> dict[str, Any]:
    record = {
        "ref": ref, "name": organisation.name, "kind": organisation.kind, "country": organisation.country,
        "city": organisation.city, "description": organisation.description,
        "description_language": organisation.description_language, "website": organisation.website,
        "size": organisation.size,
    }
    return {k: v for k, v in record.items() if v != ""}


def _listing_record(listing, ref: str, organisation_ref: str) -> dict[str, Any]:
    record: dict[str, Any] = {
        "ref": ref, "organisation": organisation_ref, "title": listing.title, "description": listing.description,
        "language": listing.language, "city": listing.city, "country": listing.country, "audience": listing.audience,
        "topics": sorted(topic.code for topic in listing.topics.all()), "expires_on": listing.expires_on.isoformat(),
    }
    if isinstance(listing, Need):
        record.update(
            budget_eur=_range(listing.budget_min_eur, listing.budget_max_eur), stage=listing.stage,
            wanted_start=listing.wanted_start.isoformat() if listing.wanted_start else None,
            population_served=listing.population_served,
        )
    else:
        record.update(
            capability_type=listing.capability_type, maturity=listing.maturity, references=listing.references,
            price_eur=_range(listing.price_min_eur, listing.price_max_eur),
        )
    # Empty values are left out: the importer reads an absent field as its default.
    return {k: v for k, v in record.items() if v not in ("", None)}


def _listings_for_export(model) -> list:
    return list(
        model.objects.filter(status=model.Status.PUBLISHED, organisation__status=Organisation.Status.VERIFIED)
        .prefetch_related("topics").order_by("pk")
    )


def _refs(objects: list, model, prefix: str, key: Callable[[Any], str]) -> dict[int, str]:
    """Stored refs, and for records without one a generated ref that no stored record uses."""
    taken = set(model.objects.exclude(ref__isnull=True).exclude(ref="").values_list("ref", flat=True))
    return {o.pk: o.ref or _fresh_ref(f"{prefix}-{key(o)}", taken) for o in objects}


def listings_export() -> dict[str, Any]:
    """Every verified organisation that has a ref or published listings, and every published
    listing, as a smartcity-listings/1 document; deterministic (sorted by ref)."""
    needs, capabilities = _listings_for_export(Need), _listings_for_export(Capability)
    owners = {x.organisation_id for x in [*needs, *capabilities]}
    organisations = list(
        Organisation.objects.filter(status=Organisation.Status.VERIFIED)
        .filter((Q(ref__isnull=False) & ~Q(ref="")) | Q(pk__in=owners)).order_by("pk")
    )
    # A slug longer than a ref may be falls back to the organisation's id.
    org_refs = _refs(organisations, Organisation, "org", lambda o: o.slug if len(o.slug) <= 90 else str(o.pk))
    need_refs = _refs(needs, Need, "need", lambda x: str(x.pk))
    capability_refs = _refs(capabilities, Capability, "cap", lambda x: str(x.pk))
    by_ref = lambda record: record["ref"]  # noqa: E731
    return {
        "format": FORMAT,
        "organisations": sorted((_organisation_record(o, org_refs[o.pk]) for o in organisations), key=by_ref),
        "needs": sorted((_listing_record(x, need_refs[x.pk], org_refs[x.organisation_id]) for x in needs), key=by_ref),
        "capabilities": sorted(
            (_listing_record(x, capability_refs[x.pk], org_refs[x.organisation_id]) for x in capabilities), key=by_ref
        ),
    }


# --- Import jobs (the upload page and its Celery task) --------------------------


@transaction.atomic
def import_job_create(*, document: dict, filename: str, by) -> ImportJob:
    """Queue an uploaded document; the task starts once the job is committed."""
    from partners.tasks import import_listings_job

    if not permissions.is_coordinator(by):
        raise DomainError(_("Only coordinators may import listings."), kind=ErrorKind.FORBIDDEN)
    job = ImportJob.objects.create(created_by=by, filename=filename[:255], document=document, total=_record_count(document))
    enqueue_on_commit(import_listings_job, job.pk)
    return job


def _record_count(document: Any) -> int:
    if not isinstance(document, dict):
        return 0
    return sum(len(document[s]) for s in SECTIONS if isinstance(document.get(s), list))


def import_job_run(*, job_id: int) -> None:
    """Run a queued job once: the conditional update claims it, so a second delivery
    of the task (acks_late) or a job already run does nothing."""
    jobs = ImportJob.objects.filter(pk=job_id)
    if not jobs.filter(status=ImportJob.Status.QUEUED).update(status=ImportJob.Status.RUNNING, updated_at=timezone.now()):
        return
    job = jobs.select_related("created_by").get()

    def progress(done: int, total: int) -> None:
        jobs.update(processed=done, total=total, updated_at=timezone.now())

    try:
        summary = listings_import(document=job.document, by=job.created_by, progress=progress)
    except DomainError as error:
        now = timezone.now()
        jobs.update(status=ImportJob.Status.FAILED, error=error.message, finished_at=now, updated_at=now)
        return
    except Exception:
        # Not the file's fault: say so on the page rather than leave the job running forever.
        jobs.update(
            status=ImportJob.Status.FAILED, finished_at=timezone.now(), updated_at=timezone.now(),
            error=_("The import stopped on an unexpected error; nothing was imported. The administrators have been told."),
        )
        raise
    now = timezone.now()
    jobs.update(status=ImportJob.Status.DONE, summary=summary, processed=job.total, finished_at=now, updated_at=now)


def import_job_get_for_user(*, user, pk: int) -> ImportJob:
    job = ImportJob.objects.select_related("created_by").filter(pk=pk).first()
    if job is None or not permissions.is_coordinator(user):
        raise Http404(_("No such import."))
    return job


def import_job_list_for_user(*, user):
    if not permissions.is_coordinator(user):
        return ImportJob.objects.none()
    return ImportJob.objects.select_related("created_by").defer("document").order_by("-created_at")
