"""The upload validator judges a file by its content (R7.1: bad input refused, clearly)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from candor.core.uploads import validate_document
from candor.testing.documents import EXE, PDF, docx, nested_archive, odt, zip_bomb

pytestmark = pytest.mark.req("R7.1")


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("cv.pdf", PDF, "application/pdf"),
        (
            "cv.docx",
            docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("cv.odt", odt(), "application/vnd.oasis.opendocument.text"),
        ("cv.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "application/msword"),
        ("cv.rtf", b"{\\rtf1\\ansi Curriculum}", "application/rtf"),
        ("cv.txt", "Curriculum vitae — Jeanne Dupont".encode(), "text/plain"),
    ],
)
def test_a_real_document_is_accepted_with_the_type_its_content_shows(name, content, expected):
    assert validate_document(_upload(name, content)).content_type == expected


def test_a_program_renamed_pdf_is_refused():
    with pytest.raises(ValidationError) as refused:
        validate_document(_upload("cv.pdf", EXE))

    assert refused.value.code == "program"
    assert "program" in refused.value.messages[0]


def test_a_zip_bomb_is_refused_without_unpacking_it():
    bomb = zip_bomb(80)
    assert len(bomb) < 1024 * 1024  # small on the wire

    with pytest.raises(ValidationError) as refused:
        validate_document(_upload("cv.docx", bomb))

    assert refused.value.code == "zip_bomb"


def test_an_archive_inside_a_document_is_refused():
    with pytest.raises(ValidationError) as refused:
        validate_document(_upload("cv.docx", nested_archive()))

    assert refused.value.code == "zip_bomb"


def test_a_file_over_the_limit_is_refused(settings):
    settings.CANDOR_UPLOAD_MAX_BYTES = 1000

    with pytest.raises(ValidationError) as refused:
        validate_document(_upload("cv.pdf", PDF + b"%" * 2000))

    assert refused.value.code == "too_large"


def test_unknown_binary_and_empty_files_are_refused():
    for content in (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, b""):
        with pytest.raises(ValidationError):
            validate_document(_upload("cv.pdf", content))
