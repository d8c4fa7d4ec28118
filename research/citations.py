"""Citation exports of a publication: BibTeX and RIS, UTF-8 (biber and reference managers read it)."""
from __future__ import annotations

import re

from django.conf import settings
from django.utils.text import slugify

from partners.countries import BY_CODE
from research.models import Publication

# BibTeX entry type and, for a report-like entry, the `type` field naming the kind of report.
_BIBTEX_TYPES = {
    Publication.Type.REPORT: ("techreport", "Report"),
    Publication.Type.POLICY_BRIEF: ("techreport", "Policy brief"),
    Publication.Type.EVALUATION: ("techreport", "Evaluation report"),
    Publication.Type.STANDARD_PROPOSAL: ("techreport", "Standard proposal"),
    Publication.Type.DATASET: ("misc", "Data set"),
}
# RIS reference types (RIS spec): RPRT report, STAND standard, DATA data set.
_RIS_TYPES = {
    Publication.Type.REPORT: "RPRT",
    Publication.Type.POLICY_BRIEF: "RPRT",
    Publication.Type.EVALUATION: "RPRT",
    Publication.Type.STANDARD_PROPOSAL: "STAND",
    Publication.Type.DATASET: "DATA",
}
_BIBTEX_SPECIAL = re.compile(r"([\\{}&%$#_^~])")
_BIBTEX_REPLACEMENTS = {"\\": r"\textbackslash{}", "^": r"\^{}", "~": r"\~{}"}


def _bibtex_escape(value: str) -> str:
    value = " ".join(str(value).split())
    return _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX_REPLACEMENTS.get(m[1], "\\" + m[1]), value)


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def citation_key(publication: Publication) -> str:
    """surnameYEARfirstword, ASCII only; falls back to the organisation and the id."""
    first_author = publication.authors[0].split()[-1] if publication.authors else publication.organisation.name
    words = [slugify(w) for w in publication.title.split()]
    first_word = next((w for w in words if len(w) > 3), next((w for w in words if w), ""))
    key = f"{slugify(first_author).replace('-', '')}{publication.year or ''}{first_word.replace('-', '')}"
    return key if re.fullmatch(r"[a-z]+\d*\w*", key or "") else f"publication{publication.pk}"


def _bibtex_authors(publication: Publication) -> str:
    if publication.authors:
        return "{" + " and ".join(_bibtex_escape(name) for name in publication.authors) + "}"
    # An organisation as author: inner braces keep BibTeX from splitting it into first and last names.
    return "{{" + _bibtex_escape(publication.organisation.name) + "}}"


def _braced(value: str) -> str:
    return "{" + value + "}"


def bibtex(publication: Publication) -> str:
    entry_type, kind = _BIBTEX_TYPES[publication.type]
    organisation = publication.organisation
    fields: list[tuple[str, str]] = [
        ("author", _bibtex_authors(publication)),
        # Double braces keep the title's capitals as written.
        ("title", "{" + _braced(_bibtex_escape(publication.title)) + "}"),
        ("institution" if entry_type == "techreport" else "publisher", _braced(_bibtex_escape(organisation.name))),
        ("type" if entry_type == "techreport" else "howpublished", _braced(kind)),
        # A citation reads the same whoever exports it: the country in English.
        ("address", _braced(_bibtex_escape(f"{organisation.city}, {BY_CODE[organisation.country].name_en}"))),
    ]
    if publication.published_at:
        # The month as BibTeX's own macro (jan, feb ...), unbraced.
        fields += [("year", _braced(str(publication.published_at.year))),
                   ("month", publication.published_at.strftime("%b").lower())]
    fields.append(("language", _braced(publication.language)))
    # doi and url are verbatim fields for biber: written as they are.
    if publication.doi:
        fields.append(("doi", _braced(publication.doi)))
    fields.append(("url", _braced(publication.external_url or _absolute(publication.get_absolute_url()))))
    keywords = [topic.label("en") for topic in publication.topics.all()]
    if keywords:
        fields.append(("keywords", _braced(_bibtex_escape(", ".join(keywords)))))
    fields.append(("abstract", _braced(_bibtex_escape(publication.abstract))))
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@{entry_type}{{{citation_key(publication)},\n{body}\n}}\n"


def _ris_line(tag: str, value: str) -> str:
    return f"{tag}  - {' '.join(str(value).split())}"


def ris(publication: Publication) -> str:
    lines = [_ris_line("TY", _RIS_TYPES[publication.type])]
    lines += [_ris_line("AU", name) for name in publication.authors]
    if not publication.authors:
        lines.append(_ris_line("A2", publication.organisation.name))
    lines.append(_ris_line("TI", publication.title))
    for translation in publication.translations.all():
        lines.append(_ris_line("TT", translation.title))
    if publication.published_at:
        lines.append(_ris_line("PY", str(publication.published_at.year)))
        lines.append(_ris_line("DA", publication.published_at.strftime("%Y/%m/%d/")))
    lines.append(_ris_line("PB", publication.organisation.name))
    lines.append(_ris_line("CY", publication.organisation.city))
    lines.append(_ris_line("LA", publication.language))
    lines += [_ris_line("KW", topic.label("en")) for topic in publication.topics.all()]
    if publication.doi:
        lines.append(_ris_line("DO", publication.doi))
    lines.append(_ris_line("UR", publication.external_url or _absolute(publication.get_absolute_url())))
    if publication.pdf:
        lines.append(_ris_line("L1", _absolute(publication_pdf_url(publication))))
    lines.append(_ris_line("AB", publication.abstract))
    lines.append("ER  - ")
    # The RIS format's lines end in CR LF.
    return "\r\n".join(lines) + "\r\n"


def publication_pdf_url(publication: Publication) -> str:
    from django.urls import reverse

    return reverse("research:publication_pdf", kwargs={"pk": publication.pk})
