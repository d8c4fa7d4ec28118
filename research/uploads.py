"""Checking an uploaded PDF by what it contains, never by its name or the browser's word."""
from __future__ import annotations

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from core.exceptions import invalid

PDF_MAGIC = b"%PDF-"
# Default limit; a deployment may set RESEARCH_PDF_MAX_BYTES.
PDF_MAX_BYTES = 20 * 1024 * 1024

# What a file that is not a PDF often is, to say so in the refusal.
_KNOWN_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a Linux program"),
    (b"\xcf\xfa\xed\xfe", "a macOS program"),
    (b"#!", "a script"),
    (b"PK\x03\x04", "a ZIP archive or an Office document"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"<", "an HTML or XML file"),
)


def pdf_max_bytes() -> int:
    return int(getattr(settings, "RESEARCH_PDF_MAX_BYTES", PDF_MAX_BYTES))


def _looks_like(head: bytes) -> str | None:
    for signature, what in _KNOWN_SIGNATURES:
        if head.startswith(signature):
            return what
    return None


def _describe(what: str) -> str:
    # Spelled out so that each description is translated as a whole phrase.
    return {
        "a Windows program": _("a Windows program"),
        "a Linux program": _("a Linux program"),
        "a macOS program": _("a macOS program"),
        "a script": _("a script"),
        "a ZIP archive or an Office document": _("a ZIP archive or an Office document"),
        "an old Office document": _("an old Office document"),
        "a PNG image": _("a PNG image"),
        "a JPEG image": _("a JPEG image"),
        "an HTML or XML file": _("an HTML or XML file"),
    }[what]


def pdf_check(upload, *, field: str = "pdf") -> int:
    """Refuse anything over the size limit or not starting with %PDF-; return the size in bytes.

    Reads only the first bytes, and puts the file back where it was.
    """
    name = getattr(upload, "name", "") or _("the file")
    size = getattr(upload, "size", None)
    limit = pdf_max_bytes()
    if size is not None and size > limit:
        raise invalid(
            _("“%(name)s” is %(size)s; a PDF may be at most %(limit)s.")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)},
            field=field,
        )
    if size == 0:
        raise invalid(_("“%(name)s” is empty.") % {"name": name}, field=field)
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC) + 3)
    upload.seek(position)
    if not head.startswith(PDF_MAGIC):
        what = _looks_like(head)
        if what:
            message = _("“%(name)s” is not a PDF: its content is that of %(what)s. Upload a PDF document.") % {
                "name": name, "what": _describe(what),
            }
        else:
            message = _("“%(name)s” is not a PDF: its content does not start as a PDF document does. Upload a PDF document.") % {
                "name": name,
            }
        raise invalid(message, field=field)
    return size if size is not None else 0
