"""Shared test fixtures: the personas and helpers every app's tests use.

Personas (Healthchecks style): ``consultant`` (Antwerp office), ``colleague`` (another office),
``dpo``, ``administrator``, ``inhouse_user`` (a client's staff), ``client_contact`` (a client's
contact with a portal log-in; tests link it to a contact person), ``site_user``.
Only synthetic people and reserved domains (example.com, .invalid, .test).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from candor.accounts.models import Office, Role, User
from candor.accounts.services import api_token_create
from candor.core.actor import Actor

PASSWORD = "correct-horse-battery-staple-42"  # noqa: S105 - synthetic test personas


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The registry and requirement markers must name real requirement IDs.
    for item in items:
        for mark in item.iter_markers("req"):
            for rid in mark.args:
                if not (isinstance(rid, str) and rid.startswith("R")):
                    raise pytest.UsageError(f"{item.nodeid}: bad requirement id {rid!r}")


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    def make(username: str, role: str, **extra: Any) -> User:
        extra.setdefault("language", "en")  # tests read English; language tests choose theirs
        return User.objects.create_user(
            username=username,
            password=PASSWORD,
            role=role,
            email=f"{username}@candor.example.com",
            **extra,
        )

    return make


@pytest.fixture
def offices(db: Any) -> tuple[Office, Office]:
    return Office.objects.create(name="Antwerpen", city="Antwerpen"), Office.objects.create(
        name="Liège", city="Liège"
    )


@pytest.fixture
def consultant(make_user: Callable[..., User], offices: tuple[Office, Office]) -> User:
    return make_user(
        "an.peeters", Role.CONSULTANT, first_name="An", last_name="Peeters", office=offices[0]
    )


@pytest.fixture
def colleague(make_user: Callable[..., User], offices: tuple[Office, Office]) -> User:
    return make_user(
        "luc.dubois", Role.CONSULTANT, first_name="Luc", last_name="Dubois", office=offices[1]
    )


@pytest.fixture
def dpo(make_user: Callable[..., User]) -> User:
    return make_user("dpo", Role.DPO, first_name="Els", last_name="Maes")


@pytest.fixture
def administrator(make_user: Callable[..., User]) -> User:
    return make_user("admin", Role.ADMINISTRATOR, first_name="Tom", last_name="Claes")


@pytest.fixture
def inhouse_user(make_user: Callable[..., User]) -> User:
    return make_user("client.user", Role.INHOUSE_CLIENT)


@pytest.fixture
def client_contact(make_user: Callable[..., User]) -> User:
    return make_user("klant.contact", Role.CLIENT, first_name="Hilde", last_name="Janssens")


@pytest.fixture
def site_user(make_user: Callable[..., User]) -> User:
    return make_user("visitor", Role.SITE)


@pytest.fixture
def actor(consultant: User) -> Actor:
    return Actor.for_user(consultant)


@pytest.fixture
def api_client() -> Callable[[User], Client]:
    """A test client that sends ``Authorization: Bearer`` for the given user."""

    def make(user: User) -> Client:
        raw, _token = api_token_create(actor=Actor.system("test"), user=user, label="test")
        return Client(headers={"Authorization": f"Bearer {raw}"})

    return make


@pytest.fixture(autouse=True)
def _test_client_log_in_passes_second_factor(monkeypatch: pytest.MonkeyPatch) -> None:
    """``Client.force_login`` and ``Client.login`` stand for a completed log-in: password and,
    for staff who need one, the second factor. Tests of the log-in itself post to the pages
    (candor/accounts/tests); the browser helper ``log_in`` types real codes."""
    from candor.accounts.middleware import LAST_SEEN_SESSION_KEY
    from candor.accounts.second_factor import PASSED, VERIFIED_SESSION_KEY
    from candor.core import clock

    def passed(client: Client) -> None:
        session = client.session
        session[VERIFIED_SESSION_KEY] = PASSED
        session[LAST_SEEN_SESSION_KEY] = int(clock.now().timestamp())
        session.save()

    original_force_login = Client.force_login
    original_login = Client.login

    def force_login(self: Client, user: Any, backend: str | None = None) -> None:
        original_force_login(self, user, backend)
        passed(self)

    def login(self: Client, **credentials: Any) -> bool:
        ok = original_login(self, **credentials)
        if ok:
            passed(self)
        return ok

    monkeypatch.setattr(Client, "force_login", force_login)
    monkeypatch.setattr(Client, "login", login)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Tests read English unless they choose: code running outside a request (services,
    commands) would otherwise speak the agency's default language, Dutch."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _own_media(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Stored files of each test go to a folder of its own, never the data folder of the demo:
    exports and documents written by one test are not seen by another."""
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))
    # and so does the erasure journal, which lives outside the database
    settings.ERASURE_JOURNAL = str(tmp_path_factory.mktemp("journal") / "erasure-journal.jsonl")


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache: ids are reused between tests, cached names not."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _audit_guard_lifted_for_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """Transactional tests (live server, browser) end with a flush of every table, which the
    append-only guard rightly refuses. For them only, lift the guard after the test and before
    the flush. Tests of the guard install it themselves."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
        or (marker is not None and marker.kwargs.get("transaction", False))
    )
    if not transactional:
        yield
        return
    request.getfixturevalue("_django_db_helper")  # our teardown then runs before its flush
    yield
    from django.db import connection

    from candor.audit import guard

    guard.remove(connection)
