"""Agreement documents: what an upload really is (by its bytes, never its name),
and where the files live (outside the public /media/ tree: they are served
only through views that check who asks)."""
from __future__ import annotations

import hashlib
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

from core.exceptions import invalid

# Settings-free on purpose: the same limit everywhere, documented in docs/projects.md.
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
}


@dataclass(frozen=True)
class CheckedDocument:
    kind: str  # pdf, docx or odt
    size: int
    sha256: str

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]


def _zip_kind(upload) -> str | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names and "[Content_Types].xml" in names:
                return "docx"
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                # The entry is a few dozen bytes; anything larger is not an ODF mimetype.
                if info.file_size <= 100 and archive.read("mimetype").strip() == ODT_MIMETYPE:
                    return "odt"
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, NotImplementedError):
        return None
    return None


def document_check(upload, *, field: str = "document") -> CheckedDocument:
    """PDF, DOCX or ODT, recognised by content; refused otherwise, or above the size limit."""
    size = getattr(upload, "size", None)
    if size is None or size <= 0:
        raise invalid(_("The file is empty."), field=field)
    if size > MAX_DOCUMENT_BYTES:
        raise invalid(
            _("The file is larger than %(limit)d MB.") % {"limit": MAX_DOCUMENT_BYTES // (1024 * 1024)}, field=field
        )
    upload.seek(0)
    head = upload.read(8)
    kind = None
    if head.startswith(b"%PDF-"):
        kind = "pdf"
    elif head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(upload)
    if kind is None:
        raise invalid(_("Only PDF, DOCX and ODT documents are accepted, and this file is none of them."), field=field)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        digest.update(chunk)
    upload.seek(0)
    return CheckedDocument(kind=kind, size=size, sha256=digest.hexdigest())


def stored_name(checked: CheckedDocument) -> str:
    """A name that cannot be guessed, with the extension of what the file really is."""
    return f"{uuid.uuid4().hex}.{checked.kind}"


def display_name(original: str, checked: CheckedDocument) -> str:
    """The uploader's file name, with the true extension if the name claimed another."""
    stem = Path(original or "document").name[:180]
    if not stem.lower().endswith("." + checked.kind):
        stem = f"{Path(stem).stem or 'document'}.{checked.kind}"
    return stem


@deconstructible
class PrivateStorage(FileSystemStorage):
    """Beside MEDIA_ROOT, not in it: /media/ is served to anyone, these files are not.
    The location follows the settings at each use (tests move MEDIA_ROOT)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    @property
    def base_location(self):
        return str(Path(settings.MEDIA_ROOT).parent / "private-media")

    @property
    def location(self):
        return str(Path(self.base_location).resolve())

    @property
    def base_url(self):
        return None


private_storage = PrivateStorage()


def agreement_upload_to(instance, filename: str) -> str:
    return f"agreements/{filename}"
