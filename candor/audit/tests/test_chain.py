"""The audit trail is append-only, hash-chained, written with the change, and survives people."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from hypothesis import given
from hypothesis import strategies as st

from candor.audit import guard
from candor.audit.models import AuditEvent
from candor.audit.services import audit_record, audit_verify
from candor.core.actor import Actor

pytestmark = pytest.mark.req("R7.1")

ACTOR = Actor.system("test")


def _events(n: int) -> list[AuditEvent]:
    made = []
    for i in range(n):
        with transaction.atomic():
            made.append(
                audit_record(
                    actor=ACTOR,
                    action="update",
                    object_type="people.person",
                    object_id=i,
                    subject=f"subject-{i}",
                    detail={"fields": ["notes"]},
                )
            )
    return made


def _sql(statement: str, params: list | None = None) -> None:
    guard.remove(connection)  # an attacker with SQL access can do this too
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def _verify_command() -> tuple[int, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), err.getvalue()
    return 0, out.getvalue()


@pytest.mark.django_db
def test_an_intact_chain_verifies_and_the_command_exits_zero() -> None:
    _events(5)
    result = audit_verify()
    assert result.ok
    assert result.checked == 5
    code, text = _verify_command()
    assert code == 0
    assert "5 events verified" in text


@pytest.mark.django_db
def test_events_are_numbered_and_linked_in_order() -> None:
    first, second, third = _events(3)
    assert [first.seq, second.seq, third.seq] == [1, 2, 3]
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash


@pytest.mark.django_db(transaction=True)
def test_an_event_cannot_be_written_outside_the_changes_transaction() -> None:
    with pytest.raises(RuntimeError, match="same transaction"):
        audit_record(actor=ACTOR, action="view", object_type="people.person")


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_no_event_and_no_gap() -> None:
    _events(1)

    def change_that_fails() -> None:
        with transaction.atomic():
            audit_record(actor=ACTOR, action="update", object_type="people.person")
            raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        change_that_fails()
    _events(1)
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == [1, 2]
    assert audit_verify().ok


@pytest.mark.django_db
def test_the_database_refuses_updates_and_deletes_of_events() -> None:
    guard.install(connection)
    event = _events(1)[0]
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        AuditEvent.objects.filter(seq=event.seq).update(action="tampered")
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        AuditEvent.objects.filter(seq=event.seq).delete()
    assert AuditEvent.objects.get(seq=event.seq).action == "update"


@pytest.mark.django_db
def test_an_altered_event_is_named_by_verify() -> None:
    events = _events(4)
    _sql("UPDATE audit_auditevent SET object_id = %s WHERE seq = %s", ["999", events[2].seq])
    result = audit_verify()
    assert not result.ok
    assert result.bad_seq == 3
    assert "altered" in result.reason
    code, text = _verify_command()
    assert code == 1
    assert "#3" in text


@pytest.mark.django_db
def test_a_deleted_event_in_the_middle_is_named_by_verify() -> None:
    _events(4)
    _sql("DELETE FROM audit_auditevent WHERE seq = 2")
    result = audit_verify()
    assert not result.ok
    assert result.bad_seq == 2
    assert "missing" in result.reason


@pytest.mark.django_db
def test_deleting_the_latest_events_is_detected_by_the_head() -> None:
    _events(4)
    _sql("DELETE FROM audit_auditevent WHERE seq >= 3")
    result = audit_verify()
    assert not result.ok
    assert result.bad_seq == 3
    assert "removed" in result.reason


@pytest.mark.django_db
def test_reordered_events_are_detected() -> None:
    _events(4)
    # Swap the numbers of events 2 and 3 (through a free number, for the unique constraint).
    _sql("UPDATE audit_auditevent SET seq = 1000 WHERE seq = 2")
    _sql("UPDATE audit_auditevent SET seq = 2 WHERE seq = 3")
    _sql("UPDATE audit_auditevent SET seq = 3 WHERE seq = 1000")
    result = audit_verify()
    assert not result.ok
    assert result.bad_seq == 2
    assert "out of order" in result.reason


@pytest.mark.django_db
def test_a_rewritten_event_with_a_recomputed_hash_still_breaks_the_next_link() -> None:
    from candor.audit.services import _digest

    events = _events(3)
    victim = AuditEvent.objects.get(seq=2)
    victim.detail = {"fields": ["birth_date"]}
    forged = _digest(victim.prev_hash, victim.seq, victim.at.isoformat(), victim.actor, victim)
    _sql(
        "UPDATE audit_auditevent SET detail = %s, hash = %s WHERE seq = 2",
        ['{"fields": ["birth_date"]}', forged],
    )
    result = audit_verify()
    assert not result.ok
    assert result.bad_seq == events[2].seq
    assert "link" in result.reason


_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)  # no lone surrogates


@given(
    seq=st.integers(min_value=1, max_value=10**12),
    parts=st.tuples(_text, _text, _text, _text, _text, _text),
    detail=st.dictionaries(_text, st.one_of(st.integers(), _text, st.none()), max_size=4),
)
def test_the_hash_is_of_the_canonical_json_of_the_event_whatever_its_text(seq, parts, detail):
    """The chain hashes ``prev + JSON([seq, at, actor, action, type, id, subject, detail])``
    (sorted keys, no spaces, text as is); the writer builds that JSON from its parts, which
    must give the same string for any text: quotes, backslashes, control characters, accents."""
    import hashlib
    import json

    from candor.audit.services import Event, _digest, audit_detail_json

    at, actor, action, object_type, object_id, subject = parts
    event = Event(action, object_type, object_id, subject, detail)
    reference = json.dumps(
        [seq, at, actor, action, object_type, object_id, subject, detail],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    expected = hashlib.sha256(("f" * 64 + reference).encode()).hexdigest()
    assert _digest("f" * 64, seq, at, actor, event) == expected
    assert _digest("f" * 64, seq, at, actor, event, detail=audit_detail_json(detail)) == expected
