"""Backups and restores keep erasures erased (R7.1): the erasure journal is re-applied before a
restored system serves anything, and an erased person's encrypted data in an old backup is
ciphertext whose key the restored system destroys again."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from candor.api.tests.factories import make_candidate, make_document
from candor.audit.models import AuditEvent
from candor.audit.services import audit_verify
from candor.people.models import Document, Person
from candor.privacy import crypto
from candor.privacy.backup import backup_create, backup_restore, read_manifest
from candor.privacy.erasure import person_erase
from candor.privacy.journal import journal_entries, restore_mark, restore_pending
from candor.privacy.models import PersonKey
from candor.rights.access import access_export
from candor.search.backends import backend
from candor.search.services import CandidateSearch

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.req("R7.1")]


@pytest.fixture
def data_dir(settings: Any, tmp_path: Path) -> Iterator[Path]:
    settings.DATA_DIR = tmp_path / "data"
    settings.ERASURE_JOURNAL = str(tmp_path / "data" / "erasure-journal.jsonl")
    yield tmp_path
    # These tests commit; the flush that follows empties the models' tables, not the search
    # index (no model), whose entries would then collide with the next tests' reused ids.
    backend().clear()
    crypto.forget_all()


def _found(name: str) -> list[int]:
    terms, _ = CandidateSearch(text=name).terms()
    return backend().ranked(terms, cap=10)


def test_a_person_erased_after_the_backup_stays_erased_after_the_restore(actor, data_dir):
    kept = make_candidate(actor, birth_date=dt.date(1979, 5, 6), notes="Blijft")
    gone = make_candidate(actor, birth_date=dt.date(1990, 7, 8), notes="Wil vergeten worden")
    make_document(gone, b"cv van wie vergeten wil worden")
    archive, manifest = backup_create(actor=actor, output=data_dir / "backups")
    assert manifest["vendor"] == connection.vendor
    assert manifest["person_keys"] >= 2

    person_erase(actor=actor, person=gone, reason="request")
    assert [e.pseudonym for e in journal_entries()] == [gone.pseudonym]
    assert not PersonKey.objects.filter(pseudonym=gone.pseudonym).exists()

    backup_restore(actor=actor, path=archive, force=True)

    assert restore_pending() is None
    assert Person.objects.get(pk=gone.pk).erased_at is not None  # erased again by the journal
    restored = Person.objects.get(pk=gone.pk)
    assert restored.birth_date is None
    assert restored.notes == ""
    assert not PersonKey.objects.filter(pseudonym=gone.pseudonym).exists()
    assert not Document.objects.filter(person_id=gone.pk).exists()
    assert Person.objects.get(pk=kept.pk).notes == "Blijft"  # the others are as backed up
    assert Person.objects.get(pk=kept.pk).birth_date == dt.date(1979, 5, 6)
    # neither search nor the access export brings the erased person back
    assert _found(gone.first_name + " " + gone.last_name) == []
    export = json.dumps(access_export(gone.pk), default=str)
    assert "vergeten" not in export
    assert "1990-07-08" not in export
    restore = AuditEvent.objects.get(action="restore")
    assert restore.detail["erased_again"] == 1
    assert audit_verify().ok


def test_the_raw_backup_holds_only_ciphertext_of_sensitive_values_and_documents(actor, data_dir):
    person = make_candidate(actor, birth_date=dt.date(1984, 2, 29), notes="Geheime notitie")
    doc = make_document(person, b"vertrouwelijk cv")
    archive, manifest = backup_create(actor=actor, output=data_dir / "b.tar")
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        media = tar.extractfile(f"media/{doc.file.name}")
        assert media is not None
        stored = media.read()
        assert b"vertrouwelijk" not in stored
        if manifest["vendor"] == "sqlite":
            tar.extract("database.sqlite3", data_dir, filter="data")
    assert "manifest.json" in names
    if manifest["vendor"] == "sqlite":
        db = sqlite3.connect(data_dir / "database.sqlite3")
        birth, notes = db.execute(
            "SELECT birth_date, notes FROM people_person WHERE id = ?", [person.pk]
        ).fetchone()
        # The key row is in the old backup too, wrapped by the master key: what protects the
        # values there is the master key, kept outside the database and its backups.
        (wrapped,) = db.execute(
            "SELECT wrapped FROM privacy_personkey WHERE pseudonym = ?", [person.pseudonym.hex]
        ).fetchone()
        db.close()
        assert crypto.is_token(birth)
        assert crypto.is_token(notes)
        assert "1984-02-29" not in birth
        assert "Geheime" not in notes
        assert len(wrapped) == 60
        assert b"Geheime" not in wrapped
    # once the person is erased, the same ciphertext has no key in the live system
    token = _raw_notes(person.pk)
    person_erase(actor=actor, person=person, reason="request")
    crypto.forget_all()
    assert crypto.unseal(token, context="people_person.notes") is None


def _raw_notes(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT notes FROM people_person WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


def test_a_round_trip_gives_the_data_as_at_the_backup_and_the_audit_chain_verifies(actor, data_dir):
    person = make_candidate(actor, notes="Zoals bij de back-up")
    archive, _manifest = backup_create(actor=actor, output=data_dir / "rt.tar")
    person.notes = "Later gewijzigd"
    person.save(update_fields=["notes"])
    later = make_candidate(actor)

    call_command("restore", str(archive), "--yes", stdout=_Sink(), stderr=_Sink())

    assert Person.objects.get(pk=person.pk).notes == "Zoals bij de back-up"
    assert not Person.objects.filter(pk=later.pk).exists()
    assert audit_verify().ok
    sink = _Sink()
    call_command("audit", "verify", stdout=sink, stderr=_Sink())


def test_restore_refuses_a_database_in_use_without_yes(actor, data_dir):
    make_candidate(actor)
    archive, _ = backup_create(actor=actor, output=data_dir / "x.tar")
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive), stdout=_Sink(), stderr=_Sink())
    with pytest.raises(CommandError, match="not a Candor backup"):
        call_command("restore", str(data_dir / "missing.tar"), "--yes", stdout=_Sink())
    assert read_manifest(archive)["format"] == "candor-backup/1"


def test_nothing_is_served_while_the_journal_has_not_been_reapplied(actor, data_dir, client):
    gone = make_candidate(actor)
    archive, _ = backup_create(actor=actor, output=data_dir / "y.tar")
    person_erase(actor=actor, person=gone, reason="request")
    restore_mark({"backup": str(archive), "created_at": "then"})
    with pytest.raises(ImproperlyConfigured, match="restore is under way"):
        client.get("/")
    with pytest.raises(Exception, match=r"privacy\.E101"):
        call_command("check", stdout=_Sink(), stderr=_Sink())
    call_command("restore", "--reapply-journal", stdout=_Sink())
    assert restore_pending() is None
    call_command("check", stdout=_Sink(), stderr=_Sink())


class _Sink:
    def __init__(self) -> None:
        self.text = ""

    def write(self, s: str) -> None:
        self.text += s

    def flush(self) -> None:
        pass
