"""``/api/v1/requests`` and ``candor request`` (R6.1–R6.3): the same services, round trips from
opening to the decision, and 4xx answers that say what is wrong."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command

from candor.api.tests.conftest import JsonClient
from candor.privacy.gate import may
from candor.rights.models import Status, SubjectRequest
from candor.rights.tests.helpers import at, person_with_email

pytestmark = [pytest.mark.django_db, pytest.mark.req("R6.1", "R6.2", "R6.3")]

REASON = "Your request covers many years of files in three offices."


def _english(client: Any) -> JsonClient:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the API answers in the client's language
    return JsonClient(client)


@pytest.fixture
def dpo_api(dpo: Any, api_client: Any) -> JsonClient:
    return _english(api_client(dpo))


@pytest.fixture
def consultant_api(consultant: Any, api_client: Any) -> JsonClient:
    return _english(api_client(consultant))


# -- API -----------------------------------------------------------------------------------------


def test_a_mailbox_opens_a_request_and_the_dpo_verifies_extends_and_decides(
    actor, consultant_api, dpo_api
):
    person, email = person_with_email(actor)

    with time_machine.travel(at(2026, 1, 31), tick=False):
        opened = consultant_api.post(
            "/api/v1/requests",
            {"kind": "objection", "channel": "email", "requester_email": email,
             "purpose": "mediation", "language": "en"},
        )  # fmt: skip
        assert opened.status_code == 201, opened.json()
        body = opened.json()
        reference = body["reference"]
        assert body["person_id"] == person.pk
        assert body["due_on"] == "2026-02-28"
        assert body["match"]["state"] == "one"

        verified = dpo_api.post(f"/api/v1/requests/{reference}/verify", {"method": "known_channel"})
        assert verified.status_code == 200
        extended = dpo_api.post(
            f"/api/v1/requests/{reference}/extend", {"months": 2, "reason": REASON}
        )
        assert extended.json()["extension"]["extended_to"] == "2026-04-30"
        logged = dpo_api.post(
            f"/api/v1/requests/{reference}/messages",
            {"direction": "in", "channel": "email", "subject": "Re", "body": "Thanks."},
        )
        assert logged.status_code == 201
        decided = dpo_api.post(f"/api/v1/requests/{reference}/decide", {"outcome": "fulfilled"})

    assert decided.status_code == 200, decided.json()
    assert decided.json()["status"] == "decided"
    assert not may(person, "mediation")
    got = dpo_api.get(f"/api/v1/requests/{reference.lower()}").json()
    assert [step["action"] for step in got["timeline"]] == [
        "open", "verify", "extend", "message", "decide",
    ]  # fmt: skip
    assert [m["kind"] for m in got["messages"]] == [
        "receipt", "extension", "note", "decision",
    ]  # fmt: skip
    listed = dpo_api.get("/api/v1/requests", {"queue": "all"}).json()
    assert [r["reference"] for r in listed] == [reference]


def test_api_errors_say_what_is_wrong(actor, consultant_api, dpo_api):
    _person, email = person_with_email(actor)
    first = consultant_api.post(
        "/api/v1/requests", {"kind": "access", "channel": "email", "requester_email": email}
    ).json()

    duplicate = consultant_api.post(
        "/api/v1/requests", {"kind": "access", "channel": "email", "requester_email": email}
    )
    assert duplicate.status_code == 409
    assert first["reference"] in duplicate.json()["detail"]
    assert duplicate.json()["errors"] == {"open_request": [first["reference"]]}

    bad = consultant_api.post("/api/v1/requests", {"kind": "nope", "channel": "fax"})
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"kind", "channel"}

    illegal = dpo_api.post(
        f"/api/v1/requests/{first['reference']}/extend", {"months": 1, "reason": REASON}
    )
    assert illegal.status_code == 409
    assert "cannot be extended now" in illegal.json()["detail"]

    missing = dpo_api.get("/api/v1/requests/REQ-1999-0001")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "there is no request REQ-1999-0001"

    unknown_queue = dpo_api.get("/api/v1/requests", {"queue": "later"})
    assert unknown_queue.status_code == 422

    nobody = dpo_api.post(f"/api/v1/requests/{first['reference']}/person", {"person_id": 10**9})
    assert nobody.status_code == 422
    assert "there is no person" in nobody.json()["detail"]


def test_a_consultant_may_open_but_not_decide(actor, consultant_api):
    _person, email = person_with_email(actor)
    reference = consultant_api.post(
        "/api/v1/requests", {"kind": "access", "channel": "phone", "requester_email": email}
    ).json()["reference"]

    refused = consultant_api.post(f"/api/v1/requests/{reference}/decide", {"outcome": "refused"})

    assert refused.status_code == 403
    assert SubjectRequest.objects.get().status == Status.RECEIVED


# -- CLI -----------------------------------------------------------------------------------------


def _run(*args: str) -> str:
    out = StringIO()
    call_command("request", *args, stdout=out)
    return out.getvalue()


def test_the_command_opens_verifies_extends_decides_and_exports(actor, dpo, tmp_path):
    person, email = person_with_email(actor)

    with time_machine.travel(at(2026, 1, 31), tick=False):
        said = _run(
            "open", "--kind", "restriction", "--channel", "letter", "--email", email,
            "--ground", "accuracy", "--actor", "dpo",
        )  # fmt: skip
        assert said.startswith("REQ-2026-0001 received 2026-01-31, due 2026-02-28")
        _run("verify", "REQ-2026-0001", "--method", "id_document", "--actor", "dpo")
        assert "extended to 2026-04-30" in _run(
            "extend", "REQ-2026-0001", "--months", "2", "--reason", REASON, "--actor", "dpo"
        )
        assert "decided: fulfilled" in _run(
            "decide", "REQ-2026-0001", "--outcome", "fulfilled", "--actor", "dpo"
        )

    assert not may(person, "mediation")
    listing = _run("list", "--queue", "all")
    assert "REQ-2026-0001" in listing
    assert "decided" in listing
    shown = _run("show", "REQ-2026-0001")
    assert "extend" in shown
    assert "decide" in shown
    target = tmp_path / "req.json"
    _run("export", "REQ-2026-0001", "--output", str(target))
    exported = json.loads(target.read_text())
    assert exported["reference"] == "REQ-2026-0001"
    assert exported["identity"]["verified_by"] == dpo.pk
    assert [s["action"] for s in exported["timeline"]] == ["open", "verify", "extend", "decide"]
    assert exported["messages"][-1]["kind"] == "decision"
    assert json.loads(_run("export", "REQ-2026-0001"))["status"] == "decided"


def test_the_command_says_what_is_wrong(actor):
    _person, email = person_with_email(actor)
    _run("open", "--kind", "access", "--channel", "email", "--email", email)

    with pytest.raises(CommandError, match=r"REQ-.*a request of the same kind"):
        _run("open", "--kind", "access", "--channel", "email", "--email", email)
    with pytest.raises(CommandError, match="there is no request REQ-2000-0001"):
        _run("show", "REQ-2000-0001")
    with pytest.raises(CommandError, match="cannot be extended now"):
        _run("extend", SubjectRequest.objects.get().reference, "--months", "1", "--reason", REASON)
    with pytest.raises(CommandError, match="no active staff account"):
        _run("list", "--actor", "nobody")


def test_the_command_lets_the_dpo_choose_among_matches(actor):
    import datetime as dt

    from candor.api.tests.factories import make_candidate

    born = dt.date(1990, 1, 1)
    one = make_candidate(actor, first_name="Ann", last_name="Smet", birth_date=born)
    two = make_candidate(actor, first_name="Ann", last_name="Smet", birth_date=born)

    said = _run(
        "open", "--kind", "access", "--channel", "letter", "--address", "Markt 1, Gent",
        "--first-name", "Ann", "--last-name", "Smet", "--birth-date", "1990-01-01",
    )  # fmt: skip
    assert f"matching people: {one.pk}, {two.pk}" in said
    reference = SubjectRequest.objects.get().reference
    assert f"concerns person {one.pk}" in _run("person", reference, "--person", str(one.pk))
