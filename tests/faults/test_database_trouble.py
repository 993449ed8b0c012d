"""The database refuses a change in the middle of a request (R7.1): made read-only, or full.

The visitor gets a clear page (503, in their language; JSON with a ``detail`` under ``/api/``)
saying nothing was saved, and indeed nothing was: the person is as before and the audit trail has
no event for a change that did not happen.

SQLite: ``PRAGMA query_only`` makes the connection read-only (SQLITE_READONLY, as a read-only
file or mount gives); ``PRAGMA max_page_count`` after filling the free pages makes the next
write that needs space fail with SQLITE_FULL, as a full disk does. PostgreSQL: the test's
transaction is switched to read-only (``SET TRANSACTION READ ONLY``, what
``default_transaction_read_only = on`` gives every new transaction); a full disk has no safe
equivalent there and is tested on SQLite only.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import InternalError, OperationalError, connection, transaction
from django.test import Client
from django.urls import reverse

from candor.accounts.models import User
from candor.api.tests.factories import make_candidate
from candor.audit.models import AuditEvent
from candor.core.actor import Actor
from candor.people.models import Person
from candor.site.middleware import DatabaseTroubleMiddleware, _kind
from candor.site.tests.test_stale_edit import _opened

pytestmark = [pytest.mark.django_db, pytest.mark.req("R7.1")]


def _pragma(sql: str, params: tuple[int, ...] = ()) -> None:
    # On the driver's connection: after a refused write Django rightly refuses queries in the
    # broken atomic block until it is rolled back, but the pragma must be reset before that.
    connection.connection.execute(sql, params)


@contextmanager
def read_only_database() -> Iterator[None]:
    """Read-only for the ``with`` block. The block runs in a savepoint, as a request runs in its
    own transaction in production (the test's transaction around it would otherwise be left
    broken by a write refused outside any service's ``atomic``)."""
    with transaction.atomic():
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            _pragma("PRAGMA query_only = ON")
            try:
                yield
            finally:
                _pragma("PRAGMA query_only = OFF")
        else:  # rolling back to the savepoint makes the transaction writable again
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION READ ONLY")
            yield
        transaction.set_rollback(True)  # nothing of the block stays, whatever it did


@contextmanager
def full_database() -> Iterator[None]:
    """Every page taken and no new one allowed. SQLite may roll back the whole transaction on
    SQLITE_FULL, so tests using this commit as production does (``transaction=True``)."""
    if connection.vendor != "sqlite":
        pytest.skip("a full disk is simulated with SQLite's max_page_count only")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE filler (blob BLOB)")
        cursor.execute("PRAGMA page_count")
        (pages,) = cursor.fetchone()
        cursor.execute(f"PRAGMA max_page_count = {pages}")
    size = 4000
    while size:  # take every free page, then every free byte a small row can use
        try:
            _pragma("INSERT INTO filler VALUES (zeroblob(?))", (size,))
        except sqlite3.OperationalError:
            size //= 2
    try:
        yield
    finally:
        _pragma("PRAGMA max_page_count = 1073741823")
        _pragma("DROP TABLE filler")


@pytest.fixture
def person(consultant: User) -> Person:
    return make_candidate(
        Actor.for_user(consultant), first_name="Hanne", last_name="Claeys", notes="Rijbewijs B"
    )


def _snapshot(person: Person) -> tuple[Any, ...]:
    stored = Person.objects.get(pk=person.pk)
    return (stored.last_name, stored.notes, stored.updated_at, AuditEvent.objects.count())


def _edit(client: Client, person: Person, **changes: str) -> Any:
    url = reverse("site:person_edit", args=[person.pk])
    return client.post(url, {**_opened(client, url), **changes})


@pytest.mark.parametrize(("language", "html_lang"), [("nl", 'lang="nl"'), ("fr", 'lang="fr"')])
def test_an_edit_on_a_read_only_database_gets_a_clear_page_and_changes_nothing(
    client: Client, consultant: User, person: Person, language: str, html_lang: str
) -> None:
    consultant.language = language
    consultant.save(update_fields=["language"])
    client.force_login(consultant)
    url = reverse("site:person_edit", args=[person.pk])
    typed = {**_opened(client, url), "last_name": "Claes", "notes": "Rijbewijs B en C"}
    before = _snapshot(person)

    with read_only_database():
        response = client.post(url, typed)

    assert response.status_code == 503
    assert response["Retry-After"]
    page = response.content.decode()
    assert html_lang in page  # in the visitor's language
    assert 'role="alert"' in page
    assert _snapshot(person) == before


def test_the_read_only_page_says_what_happened_and_that_nothing_was_saved(
    client: Client, consultant: User, person: Person
) -> None:
    client.force_login(consultant)
    url = reverse("site:person_edit", args=[person.pk])
    typed = {**_opened(client, url), "last_name": "Claes"}

    with read_only_database():
        response = client.post(url, typed)

    page = response.content.decode()
    assert "The database is read-only at the moment" in page
    assert "Nothing was saved" in page
    assert "Traceback" not in page


def test_an_api_write_on_a_read_only_database_answers_503_with_a_detail(
    api_client: Any, consultant: User, person: Person
) -> None:
    client = api_client(consultant)
    before = _snapshot(person)

    with read_only_database():
        response = client.patch(
            f"/api/v1/persons/{person.pk}",
            {"last_name": "Claes"},
            content_type="application/json",
            headers={"accept-language": "en"},
        )

    assert response.status_code == 503
    assert "read-only" in response.json()["detail"]
    assert "Nothing was saved" in response.json()["detail"]
    assert _snapshot(person) == before


def test_reading_still_works_on_a_read_only_database(
    client: Client, dpo: User, person: Person
) -> None:
    # Pages that only read keep working (a dossier, whose opening is written to the audit
    # trail, gets the clear 503 instead: it is never shown without its audit event).
    client.force_login(dpo)

    with read_only_database():
        listing = client.get(reverse("site:candidates"))

    assert listing.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_an_edit_on_a_full_database_gets_a_clear_page_and_loses_nothing(
    client: Client, consultant: User, person: Person
) -> None:
    client.force_login(consultant)
    url = reverse("site:person_edit", args=[person.pk])
    typed = {**_opened(client, url), "last_name": "Claes", "notes": "Rijbewijs B en C. " * 2000}
    before = _snapshot(person)

    with full_database():
        response = client.post(url, typed)

    assert response.status_code == 503
    assert "run out of storage space" in response.content.decode()
    assert _snapshot(person) == before
    # And once there is room again, the same edit goes through.
    assert client.post(url, typed).status_code == 302
    assert Person.objects.get(pk=person.pk).last_name == "Claes"


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (OperationalError("attempt to write a readonly database"), "read_only"),
        (InternalError("cannot execute UPDATE in a read-only transaction"), "read_only"),
        (OperationalError("database or disk is full"), "full"),
        (OperationalError('could not extend file "base/1/2": No space left on device'), "full"),
        (OperationalError("database is locked"), "busy"),
        (OperationalError("canceling statement due to lock timeout"), "busy"),
        (OperationalError("connection to server at 127.0.0.1 failed"), "unavailable"),
        (InternalError("current transaction is aborted"), None),  # a bug: Django's own 500
    ],
)
def test_each_database_failure_is_named_for_what_it_is(error: Exception, kind: str | None) -> None:
    assert _kind(error) == kind


def test_other_errors_are_left_to_djangos_own_handling(rf: Any) -> None:
    middleware = DatabaseTroubleMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]

    assert middleware.process_exception(rf.post("/"), ValueError("a bug")) is None
    assert middleware.process_exception(rf.post("/"), InternalError("a bug")) is None
