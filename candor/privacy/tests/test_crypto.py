"""Encryption at rest with a key per person (R7.1): what the database and the disk hold is
ciphertext; erasing the key makes every copy unreadable (crypto-shredding)."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import os
from typing import Any

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, models, transaction

from candor.api.tests.factories import make_candidate, make_client, make_document, make_vacancy
from candor.audit.models import AuditEvent
from candor.audit.services import audit_verify
from candor.core import clock
from candor.core.actor import Actor
from candor.guidance.models import GuidanceSession, Trajectory
from candor.people.models import Person
from candor.privacy import crypto
from candor.privacy.erasure import person_erase
from candor.privacy.fields import EncryptedMixin
from candor.privacy.keys import keys_rotate, keys_status
from candor.privacy.models import PersonKey
from candor.privacy.registry import declarations
from candor.privacy.storage import MAGIC, EncryptedFileSystemStorage
from candor.recruitment.models import Application, ProcedureStep
from candor.rights.access import access_export
from candor.rights.portability import portability_export
from candor.search.backends import backend
from candor.search.services import CandidateSearch

pytestmark = [pytest.mark.django_db, pytest.mark.req("R7.1")]


def raw(model: type[models.Model], column: str, pk: int) -> Any:
    """The column as the database holds it (what a backup or a stolen disk shows)."""
    table = connection.ops.quote_name(model._meta.db_table)
    name = connection.ops.quote_name(column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {name} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def dossier(actor: Actor) -> dict[str, Any]:
    person = make_candidate(actor, birth_date=dt.date(1987, 3, 14), notes="Wil geen nachtwerk.")
    prov = person.provenance
    vacancy = make_vacancy(actor, make_client(actor))
    application = Application.objects.create(
        person=person, vacancy=vacancy, provenance=prov, stage="interview", applied_on=clock.today()
    )
    step = ProcedureStep.objects.create(
        application=application,
        provenance=prov,
        kind="aptitude_test",
        scheduled_at=clock.now(),
        score=decimal.Decimal("71.50"),
        report="Sterk in ruimtelijk inzicht.",
    )
    trajectory = Trajectory.objects.create(
        person=person,
        provenance=prov,
        kind="outplacement",
        started_on=clock.today(),
        goal="Nieuwe job",
    )
    session = GuidanceSession.objects.create(
        trajectory=trajectory, provenance=prov, held_at=clock.now(), notes="Besprak burn-out."
    )
    return {"person": person, "step": step, "trajectory": trajectory, "session": session}


def test_sensitive_values_are_ciphertext_in_the_database_and_plain_in_the_application(actor):
    d = dossier(actor)
    person, step, session = d["person"], d["step"], d["session"]
    stored = {
        "birth": raw(Person, "birth_date", person.pk),
        "notes": raw(Person, "notes", person.pk),
        "score": raw(ProcedureStep, "score", step.pk),
        "report": raw(ProcedureStep, "report", step.pk),
        "session": raw(GuidanceSession, "notes", session.pk),
        "goal": raw(Trajectory, "goal", d["trajectory"].pk),
    }
    for value in stored.values():
        assert crypto.is_token(value), value
    assert "1987-03-14" not in stored["birth"]
    assert "nachtwerk" not in stored["notes"]
    assert "burn-out" not in stored["session"]
    assert "71.50" not in stored["score"]
    # the pseudonym in each token is the person's (the audit trail's reference), no name
    assert {crypto.token_pseudonym(v) for v in stored.values()} == {person.pseudonym}

    fresh = Person.objects.get(pk=person.pk)
    assert fresh.birth_date == dt.date(1987, 3, 14)
    assert fresh.notes == "Wil geen nachtwerk."
    assert ProcedureStep.objects.get(pk=step.pk).score == decimal.Decimal("71.50")
    assert GuidanceSession.objects.get(pk=session.pk).notes == "Besprak burn-out."
    assert Person.objects.filter(pk=person.pk).values_list("birth_date", flat=True).get() == (
        dt.date(1987, 3, 14)
    )


def test_each_person_has_a_key_of_their_own(actor):
    one = make_candidate(actor, notes="Eerste")
    two = make_candidate(actor, notes="Tweede")
    assert PersonKey.objects.filter(pseudonym__in=[one.pseudonym, two.pseudonym]).count() == 2
    keys = PersonKey.objects.filter(pseudonym__in=[one.pseudonym, two.pseudonym])
    assert len({bytes(k.wrapped) for k in keys}) == 2
    assert all(k.master_key_id == crypto.master_keys().current for k in keys)


def test_a_value_copied_to_another_person_or_column_does_not_decrypt(actor):
    one = make_candidate(actor, notes="Geheim van een")
    two = make_candidate(actor, notes="Ander")
    token = raw(Person, "notes", one.pk)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE people_person SET birth_date = %s WHERE id = %s", [token, two.pk])
    assert Person.objects.get(pk=two.pk).birth_date is None  # wrong column: refused, not shown
    assert crypto.unseal(token, context="people_person.notes") == "Geheim van een"
    forged = token.replace(one.pseudonym.hex, two.pseudonym.hex)
    assert crypto.unseal(forged, context="people_person.notes") is None


def test_the_database_refuses_to_compare_encrypted_columns_instead_of_answering_wrong(actor):
    with pytest.raises(FieldError, match="birth_date is encrypted"):
        list(Person.objects.filter(birth_date__year=1987))
    with pytest.raises(FieldError, match="encrypted"):
        list(Person.objects.filter(birth_date=dt.date(1987, 3, 14)))
    assert not Person.objects.filter(birth_date__isnull=False, notes="").exists()


def test_queryset_update_and_bulk_update_encrypt_with_each_rows_own_key(actor):
    one, two = make_candidate(actor), make_candidate(actor)
    Person.objects.filter(pk__in=[one.pk, two.pk]).update(notes="Bijgewerkt", gender="x")
    one.birth_date, two.birth_date = dt.date(1990, 1, 2), dt.date(1991, 2, 3)
    Person.objects.bulk_update([one, two], ["birth_date"])
    for p in (one, two):
        assert crypto.token_pseudonym(raw(Person, "notes", p.pk)) == p.pseudonym
        assert crypto.token_pseudonym(raw(Person, "birth_date", p.pk)) == p.pseudonym
    assert one.birth_date == dt.date(1990, 1, 2)  # the object keeps its plain value
    assert Person.objects.get(pk=two.pk).birth_date == dt.date(1991, 2, 3)
    assert Person.objects.get(pk=one.pk).notes == "Bijgewerkt"


def test_a_key_created_in_a_rolled_back_transaction_is_never_used_again(actor):
    person = make_candidate(actor)
    PersonKey.objects.filter(pseudonym=person.pseudonym).delete()
    crypto.forget([person.pseudonym])
    try:
        with transaction.atomic():
            person.notes = "Eerst"
            person.save(update_fields=["notes"])
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    assert not PersonKey.objects.filter(pseudonym=person.pseudonym).exists()
    person.notes = "Daarna"
    person.save(update_fields=["notes"])
    assert PersonKey.objects.filter(pseudonym=person.pseudonym).exists()
    assert Person.objects.get(pk=person.pk).notes == "Daarna"


def test_erasure_destroys_the_key_so_a_copy_of_the_values_cannot_be_read(actor):
    d = dossier(actor)
    person = d["person"]
    copied = raw(Person, "birth_date", person.pk)  # e.g. in a backup taken before
    copied_report = raw(ProcedureStep, "report", d["step"].pk)
    person_erase(actor=actor, person=person, reason="request")
    assert not PersonKey.objects.filter(pseudonym=person.pseudonym).exists()
    crypto.forget_all()  # another process: nothing cached
    assert crypto.unseal(copied, context="people_person.birth_date") is None
    assert crypto.unseal(copied_report, context="recruitment_procedurestep.report") is None
    # a token whose key is gone reads as empty, never as an error
    with connection.cursor() as cursor:
        cursor.execute("UPDATE people_person SET notes = %s WHERE id = %s", [copied, person.pk])
    assert Person.objects.get(pk=person.pk).notes == ""
    assert audit_verify().ok


def test_documents_are_encrypted_on_disk_and_unreadable_once_the_key_is_gone(actor, settings):
    person = make_candidate(actor)
    content = b"%PDF-1.4 curriculum vitae van een kandidaat"
    doc = make_document(person, content)
    on_disk = (default_storage.path(doc.file.name), doc.file.name)
    with open(on_disk[0], "rb") as f:
        stored = f.read()
    assert stored.startswith(MAGIC)
    assert b"curriculum" not in stored
    assert isinstance(default_storage, EncryptedFileSystemStorage)
    with default_storage.open(doc.file.name) as f:
        assert f.read() == content
    assert default_storage.size(doc.file.name) == len(content)
    crypto.keys_destroy([person.pseudonym])
    with pytest.raises(FileNotFoundError, match="no longer exists"):
        default_storage.open(doc.file.name)


def test_files_outside_a_persons_folder_are_stored_as_given():
    name = default_storage.save("exports/list.csv", ContentFile(b"a;b\n"))
    with open(default_storage.path(name), "rb") as f:
        assert f.read() == b"a;b\n"


def test_rotation_rewraps_every_key_under_the_new_master_key_without_touching_data(
    actor, monkeypatch
):
    old = base64.b64encode(os.urandom(32)).decode()
    new = base64.b64encode(os.urandom(32)).decode()
    monkeypatch.setenv("CANDOR_MASTER_KEYS", f"old:{old}")
    people = [make_candidate(actor, notes=f"Notitie {i}") for i in range(3)]
    before = {p.pk: raw(Person, "notes", p.pk) for p in people}
    assert keys_status().by_master == {"old": 3}

    monkeypatch.setenv("CANDOR_MASTER_KEYS", f"new:{new},old:{old}")
    crypto.forget_all()
    assert keys_status().to_rotate == 3
    assert keys_rotate(actor=actor, batch_size=2) == 3
    assert keys_status().by_master == {"new": 3}
    assert keys_rotate(actor=actor) == 0  # resumable: nothing left to do
    assert {p.pk: raw(Person, "notes", p.pk) for p in people} == before  # data untouched

    monkeypatch.setenv("CANDOR_MASTER_KEYS", f"new:{new}")  # the old master key is gone
    crypto.forget_all()
    assert [Person.objects.get(pk=p.pk).notes for p in people] == [
        "Notitie 0",
        "Notitie 1",
        "Notitie 2",
    ]
    events = AuditEvent.objects.filter(action="rotate_keys")
    assert [e.detail["count"] for e in events] == [2, 1]
    assert audit_verify().ok


def test_a_key_wrapped_by_an_unknown_master_key_is_reported_by_name(actor, monkeypatch):
    monkeypatch.setenv("CANDOR_MASTER_KEYS", f"a:{base64.b64encode(os.urandom(32)).decode()}")
    person = make_candidate(actor, notes="x")
    monkeypatch.setenv("CANDOR_MASTER_KEYS", f"b:{base64.b64encode(os.urandom(32)).decode()}")
    crypto.forget_all()
    with pytest.raises(ImproperlyConfigured, match="master key 'a'"):
        Person.objects.get(pk=person.pk)


def test_production_without_a_master_key_is_refused_with_a_clear_message(settings, monkeypatch):
    monkeypatch.delenv("CANDOR_MASTER_KEY", raising=False)
    monkeypatch.delenv("CANDOR_MASTER_KEYS", raising=False)
    settings.PRODUCTION = False
    assert crypto.master_key_problems() == []
    assert crypto.master_keys().current == crypto.DEV_KEY_ID
    settings.PRODUCTION = True
    assert "CANDOR_MASTER_KEY" in crypto.master_key_problems()[0]
    with pytest.raises(ImproperlyConfigured, match="must be set in production"):
        crypto.master_keys()
    monkeypatch.setenv("CANDOR_MASTER_KEY", "dG9vIHNob3J0")
    assert "32 bytes" in crypto.master_key_problems()[0]
    monkeypatch.setenv("CANDOR_MASTER_KEY", base64.b64encode(os.urandom(32)).decode())
    assert crypto.master_key_problems() == []
    monkeypatch.setenv("CANDOR_ENCRYPTION", "off")
    assert "benchmarks only" in crypto.master_key_problems()[0]


# Registered sensitive but not (yet) encrypted, each with the reason.
NOT_ENCRYPTED = {
    # the text of a mailing pitch is written to be sent to clients (anonymised); encrypting the
    # copy kept here would not reach the copies sent. Its model's app is not migrated by this
    # change: listed here so that the gap stays visible.
    "disclosure.mailingcandidate.pitch",
}


def test_every_sensitive_field_is_encrypted_and_every_encrypted_field_is_sensitive():
    sensitive, encrypted = set(), set()
    for d in declarations():
        for name, pd in d.fields.items():
            f = d.model._meta.get_field(name)
            label = f"{d.label}.{name}"
            if pd.sensitive:
                sensitive.add(label)
                assert d.subject is not None, f"{label}: sensitive needs a person to key it"
            if isinstance(f, EncryptedMixin) or (
                isinstance(f, models.FileField)
                and isinstance(f.storage, EncryptedFileSystemStorage)
            ):
                encrypted.add(label)
    assert sensitive - NOT_ENCRYPTED == encrypted
    assert {
        "people.person.birth_date",
        "people.person.notes",
        "people.document.file",
        "recruitment.procedurestep.score",
        "recruitment.procedurestep.report",
        "guidance.guidancesession.notes",
        "guidance.trajectory.goal",
    } <= sensitive


def test_search_does_not_index_the_free_notes(actor):
    person = make_candidate(actor, notes="Zeldzaamwoord in de vrije notities")
    terms, _ = CandidateSearch(text="Zeldzaamwoord").terms()
    assert backend().ranked(terms, cap=10) == []
    terms, _ = CandidateSearch(text=person.last_name).terms()
    assert person.pk in backend().ranked(terms, cap=10)


def test_exports_show_plain_values_and_nothing_once_the_person_is_erased(actor):
    d = dossier(actor)
    person = d["person"]
    export = str(access_export(person.pk))
    assert "Wil geen nachtwerk." in export
    assert "Sterk in ruimtelijk inzicht." in export
    assert "enc:v1:" not in export
    assert "enc:v1:" not in str(portability_export(person.pk))
    person_erase(actor=actor, person=person, reason="request")
    crypto.forget_all()
    after = str(access_export(person.pk))
    for secret in ("nachtwerk", "ruimtelijk", "burn-out", "1987-03-14", "enc:v1:"):
        assert secret not in after
