"""Uploaded documents (CVs) are checked by what they contain, not by what they are called.

Add a format here by giving it a sniffing rule in ``sniff`` and a row in ``FORMATS``; an
archive-based format (DOCX, ODT) also goes through the zip-bomb limits in ``_check_zip``.

Two guards work before the content is looked at:

- ``upload_too_large(request)``: a request whose declared Content-Length is past the limit is
  refused before its body is read, so a 100 MB upload never reaches memory or disk;
- ``LimitedUploadHandler``: for a body that lies about its length (or is chunked) it stops
  storing a file the moment it passes the limit; the rest of the body is streamed past, so the
  other fields of the form arrive and the visitor loses nothing but the file.

The limit is ``CANDOR_UPLOAD_MAX_BYTES`` (10 MB by default).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# Room for the other fields of a form beside its file, in a declared Content-Length.
FORM_OVERHEAD = 256 * 1024
# An archive-based document may unpack to at most this, and at most this many times its size.
MAX_UNPACKED = 50 * 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 2000
_NESTED = (b"PK\x03\x04", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!", b"BZh")
_NESTED_NAMES = (".zip", ".docx", ".odt", ".jar", ".gz", ".7z", ".rar", ".bz2", ".xz", ".tar")


@dataclass(frozen=True)
class Format:
    key: str
    content_type: str
    label: str


FORMATS = {
    f.key: f
    for f in (
        Format("pdf", "application/pdf", "PDF"),
        Format(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "Word (DOCX)",
        ),
        Format("odt", "application/vnd.oasis.opendocument.text", "OpenDocument (ODT)"),
        Format("doc", "application/msword", "Word 97-2003 (DOC)"),
        Format("rtf", "application/rtf", "RTF"),
        Format("txt", "text/plain", "text"),
    )
}
ACCEPT = ".pdf,.docx,.odt,.doc,.rtf,.txt"


def max_bytes() -> int:
    return int(getattr(settings, "CANDOR_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def too_large_message() -> str:
    megabytes = max_bytes() // (1024 * 1024)
    return _("The file is too large: at most %(mb)s MB.") % {"mb": megabytes}


def upload_too_large(request: HttpRequest) -> bool:
    """Whether the request announces a body past the upload limit (checked before reading)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return declared > max_bytes() + FORM_OVERHEAD


class LimitedUploadHandler(FileUploadHandler):
    """First in the chain: skips a file the moment it passes the limit and says so in
    ``request.upload_refused`` (the remaining bytes are read and dropped, never kept)."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.received = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > max_bytes():
            if self.request is not None:
                self.request.upload_refused = self.field_name  # type: ignore[attr-defined]
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


# The first bytes of each kind of file, most specific first.
MAGIC = (
    (b"%PDF-", "pdf"),
    (b"MZ", "program"),  # Windows executables
    (b"\x7fELF", "program"),
    (b"#!", "program"),  # scripts
    (b"\xcf\xfa\xed\xfe", "program"),  # macOS executables
    (b"\xca\xfe\xba\xbe", "program"),
    (b"PK\x03\x04", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "doc"),  # OLE compound file (Word 97-2003)
    (b"{\\rtf", "rtf"),
)


def sniff(head: bytes) -> str:
    """The format the first bytes announce: a key of ``FORMATS``, ``zip``, ``program`` or ``""``."""
    return next((kind for magic, kind in MAGIC if head.startswith(magic)), "")


def _bomb() -> ValidationError:
    return ValidationError(
        _(
            "The file unpacks to far more than a document does (or holds other archives); "
            "it was refused. Save it again as PDF or DOCX."
        ),
        code="zip_bomb",
    )


def _damaged() -> ValidationError:
    return ValidationError(_("The file is damaged and cannot be read."), code="damaged")


def _check_limits(members: list[zipfile.ZipInfo], size: int) -> None:
    """Refuse by the archive's directory alone, before anything is unpacked."""
    unpacked = sum(member.file_size for member in members)
    if len(members) > MAX_MEMBERS or unpacked > MAX_UNPACKED:
        raise _bomb()
    if unpacked > MAX_RATIO * max(size, 1024 * 1024):
        raise _bomb()
    for member in members:
        if member.filename.lower().endswith(_NESTED_NAMES):
            raise _bomb()
        if member.compress_size and member.file_size / member.compress_size > MAX_RATIO * 10:
            raise _bomb()


def _check_zip(data: io.BytesIO, size: int) -> str:
    """DOCX or ODT, within the unpacking limits; raises ValidationError otherwise."""
    try:
        archive = zipfile.ZipFile(data)
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _damaged() from None
    _check_limits(members, size)
    names = {member.filename for member in members}
    try:
        for member in members:  # an archive hidden under another name
            if member.file_size >= 4 and not member.is_dir():
                with archive.open(member) as stream:
                    if stream.read(4).startswith(_NESTED):
                        raise _bomb()
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return "docx"
        odt = FORMATS["odt"].content_type.encode()
        if {"mimetype", "content.xml"} <= names and archive.read("mimetype").strip() == odt:
            return "odt"
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):
        raise _damaged() from None
    raise ValidationError(_unsupported(), code="unsupported")


def _unsupported() -> str:
    return _("This kind of file is not accepted. Send a PDF, DOCX, ODT, DOC, RTF or text file.")


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def validate_document(upload: UploadedFile) -> Format:
    """The document's format, from its content (R7.1: bad input is refused, clearly). Raises
    ``ValidationError`` with a message in the active language for a program, an archive bomb,
    an unknown format, an empty file or one past the size limit."""
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > max_bytes():
        raise ValidationError(too_large_message(), code="too_large")
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    kind = sniff(data[:8])
    if kind == "program":
        raise ValidationError(
            _("This file is a program, not a document; it was refused."), code="program"
        )
    if kind == "zip":
        kind = _check_zip(io.BytesIO(data), size)
    elif not kind and (upload.name or "").lower().endswith(".txt") and _is_text(data):
        kind = "txt"
    if kind not in FORMATS:
        raise ValidationError(_unsupported(), code="unsupported")
    return FORMATS[kind]
