"""Factories of the research app (the shared ones are in tests/factories.py)."""
from datetime import timedelta

import factory
from django.utils import timezone as dj_timezone

from partners.models import Organisation
from tests.factories import OrganisationFactory


def pdf_bytes(text: str = "Smart street lighting in Prague") -> bytes:
    """A small but well-formed one-page PDF (header, objects, cross-reference table, trailer)."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# What a Windows program renamed to report.pdf starts with.
WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run in DOS mode."


class ThinkTankFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Institute for Urban Research {n}")
    slug = factory.Sequence(lambda n: f"institute-{n}")
    kind = Organisation.Kind.THINK_TANK
    country = "CZ"
    city = "Prague"


class PublicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "research.Publication"

    organisation = factory.SubFactory(ThinkTankFactory)
    type = "report"
    title = factory.Sequence(lambda n: f"Smart street lighting in Central Europe {n}")
    abstract = "How twelve cities replaced their street lights with dimmable LED lamps, and what it saved."
    language = "en"
    authors = factory.LazyFunction(lambda: ["Jana Nováková", "Li Wei"])
    status = "published"
    published_at = factory.LazyFunction(dj_timezone.now)
    external_url = "https://example.org/reports/lighting"


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "research.Event"

    organisation = factory.SubFactory(ThinkTankFactory)
    title = factory.Sequence(lambda n: f"Seminar on urban data {n}")
    description = "Researchers from China and Central Europe compare open-data portals."
    language = "en"
    starts_at = factory.LazyFunction(lambda: (dj_timezone.now() + timedelta(days=14)).replace(microsecond=0))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    timezone = "Europe/Prague"
    place = "Prague, Old Town Hall"
    status = "published"
    published_at = factory.LazyFunction(dj_timezone.now)
