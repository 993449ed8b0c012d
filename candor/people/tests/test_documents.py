"""CV files go through Django's storage API under a name that does not reveal the person."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from candor.people.models import Document, DocumentKind, Person
from candor.people.services import ProvenanceSpec


@pytest.mark.django_db
@pytest.mark.req("R1.1", "R2.1")
def test_a_cv_is_stored_through_the_storage_api_without_the_persons_name(
    settings: object, tmp_path: object
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    source = ProvenanceSpec.parse("self", channel="portal")
    person = Person.objects.create(
        provenance=source.row(),
        first_name="Wouter",
        last_name="Verhaegen",
        name_key="wouter verhaegen",
        is_candidate=True,
    )
    body = b"%PDF-1.4 synthetic cv"
    doc = Document(
        person=person,
        provenance=person.provenance,
        kind=DocumentKind.CV,
        original_name="CV Wouter Verhaegen.pdf",
        content_type="application/pdf",
        size=len(body),
        sha256=hashlib.sha256(body).hexdigest(),
    )
    doc.file.save("CV Wouter Verhaegen.pdf", ContentFile(body), save=True)

    stored = Document.objects.get(pk=doc.pk)
    assert default_storage.exists(stored.file.name)
    assert "verhaegen" not in stored.file.name.lower()
    assert str(person.pseudonym) in stored.file.name
    with stored.file.open("rb") as fh:
        assert fh.read() == body
