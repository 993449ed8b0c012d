"""THE PRIVACY PROOF of the page-view statistics (R1.5): after visits from several addresses,
browsers and signed-in sessions, no row of any table holds an address (whole or its network
part), a browser string, a session key, a user id or an e-mail address of those visitors — not
while the day is being counted, and not after the rollover, when not even a digest is left. And
the statistics tables have no column that could join a count to a person or a session."""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
from collections import Counter
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.db import connection, models
from django.test import Client

from candor.accounts.models import Role
from candor.privacy.registry import declaration_for
from candor.privacy.worker import run_due
from candor.stats.models import DailySalt, Sighting
from candor.stats.tests.conftest import CHROME, EDGE, FIREFOX, SAFARI, Beacon

pytestmark = [pytest.mark.django_db(transaction=False), pytest.mark.req("R1.5")]

DAY = dt.datetime(2026, 4, 14, 9, 30, tzinfo=dt.UTC)
ADDRESSES = ["192.0.2.44", "198.51.100.201", "2001:db8:85a3::8a2e:370:7334", "2001:db8:1f::5"]
AGENTS = [
    FIREFOX,
    CHROME,
    SAFARI,
    EDGE,
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
]
STATS_TABLES = {m._meta.db_table for m in apps.get_app_config("stats").get_models()}


def _address_needles(text: str) -> set[str]:
    """An address as text, compressed and exploded, its network part as text, and its bytes."""
    address = ipaddress.ip_address(text)
    if address.version == 4:
        network = text.rsplit(".", 1)[0] + "."  # the /24 as text: "192.0.2."
    else:
        network = ":".join(address.exploded.split(":")[:3])  # the /48: "2001:0db8:85a3"
        network_short = str(ipaddress.ip_network(f"{text}/48", strict=False).network_address)
        return {text, address.exploded, network, network_short.rstrip(":"), address.packed.hex()}
    return {text, network, address.packed.hex()}


def _unsalted_hashes(values: list[str]) -> set[str]:
    """What a careless implementation would store: plain hashes of an address or browser."""
    found = set()
    for value in values:
        for algorithm in ("md5", "sha1", "sha256"):
            digest = hashlib.new(algorithm, value.encode()).hexdigest()
            found |= {digest, digest[:32], digest[:16]}
    return found


def _text(value: Any) -> str:
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        return raw.hex() + " " + raw.decode("latin-1")
    return str(value)


def _rows() -> dict[str, Counter[tuple[str, ...]]]:
    """Every row of every table of every installed model, as raw text (no ORM conversion)."""
    tables = {m._meta.db_table for m in apps.get_models(include_auto_created=True)}
    found = {}
    with connection.cursor() as cursor:
        for table in sorted(tables):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - table names from the models
            found[table] = Counter(tuple(_text(v) for v in row) for row in cursor.fetchall())
    return found


def _hits(rows: dict[str, Counter[tuple[str, ...]]], needles: set[str]) -> list[str]:
    return [
        f"{table}: {needle!r} in {row}"
        for table, counted in rows.items()
        for row in counted
        for needle in needles
        if any(needle.lower() in cell.lower() for cell in row)
    ]


def _new(
    before: dict[str, Counter[Any]], after: dict[str, Counter[Any]]
) -> dict[str, Counter[Any]]:
    return {table: after[table] - before.get(table, Counter()) for table in after}


@pytest.fixture
def visitors(make_user: Any) -> list[tuple[Client, str, str, str]]:
    """Signed-in visitors (ids and e-mails chosen to be unmistakable) and their session keys."""
    signed_in = []
    for n, role in enumerate((Role.SITE, Role.CONSULTANT, Role.SITE)):
        user = make_user(f"bezoeker{n}", role, id=987_650 + n)
        client = Client()
        client.force_login(user)
        key = client.session.session_key
        assert key
        signed_in.append((client, str(user.pk), user.email, key))
    return signed_in


def test_no_row_anywhere_holds_anything_of_the_visitors(beacon: Beacon, visitors):
    addresses = set().union(*(_address_needles(a) for a in ADDRESSES))
    agents = set(AGENTS) | {"rv:128.0", "SM-S918B", "iPhone OS 17_5"}  # telling fragments too
    people = {needle for _, uid, email, key in visitors for needle in (uid, email, key)}
    careless = _unsalted_hashes(ADDRESSES + AGENTS + [a + u for a in ADDRESSES for u in AGENTS])
    anonymous = [Client(), Client()]
    with time_machine.travel(DAY, tick=False):
        before = _rows()
        for i, (address, agent) in enumerate((a, u) for a in ADDRESSES for u in AGENTS):
            client = (visitors + anonymous)[i % 5]
            client = client[0] if isinstance(client, tuple) else client
            page = "/public/" if i % 2 else "/public/?visitor=bezoeker1@candor.example.com"
            referrer = ["", "https://jobs.example.com/list?u=987650", "http://testserver/"][i % 3]
            assert (
                beacon(
                    page,
                    address=address,
                    agent=agent,
                    client=client,
                    referrer=referrer,
                    screen=["small", "wide", "medium"][i % 3],
                ).status_code
                == 204
            )
        during = _rows()
        # the day is still counting: its digests and its salt are there
        assert Sighting.objects.exists()
        assert DailySalt.objects.exists()

    assert _hits(during, addresses | agents | careless) == []
    stats_during = {t: r for t, r in during.items() if t in STATS_TABLES}
    assert _hits(stats_during, people) == []
    assert _hits(_new(before, during), people) == []
    changed = {t for t, rows in _new(before, during).items() if rows}
    assert changed <= STATS_TABLES, "a page view wrote outside the statistics tables"

    with time_machine.travel(DAY + dt.timedelta(days=1), tick=False):
        [ran] = run_due(jobs={"stats_rollover": "candor.stats.services:daily_job"})
    assert ran.status == "done"
    after = _rows()

    assert _hits(after, addresses | agents | careless) == []
    assert _hits({t: r for t, r in after.items() if t in STATS_TABLES}, people) == []
    assert _hits(_new(before, after), people) == []
    # After the rollover there is no digest and no salt left: nothing to recompute anyone from.
    assert not Sighting.objects.exists()
    assert not DailySalt.objects.exists()


def test_the_statistics_tables_have_no_column_that_could_join_a_person_or_a_session():
    for model in apps.get_app_config("stats").get_models():
        declaration = declaration_for(model)
        assert declaration is not None, model
        assert declaration.fields == {}, f"{model.__name__} declares personal fields"
        assert declaration.subject is None
        fields = model._meta.get_fields(include_hidden=True)
        assert set(declaration.not_personal) == {f.name for f in fields}
        for field in fields:
            assert not field.is_relation, f"{model.__name__}.{field.name} points at another row"
            assert not isinstance(field, (models.DateTimeField, models.TimeField)), (
                f"{model.__name__}.{field.name} is finer than a day"
            )
            assert not any(
                word in field.name for word in ("user", "session", "ip", "agent", "email", "person")
            ), f"{model.__name__}.{field.name}"
