"""Candidates and persons through /api/v1 (R1.1, R2.1): create, duplicates, validation, reads,
corrections, filters and pagination."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from candor.api.tests.factories import (
    FAKE,
    make_candidate,
    make_candidates,
    missing_id,
    unique_email,
)
from candor.audit.models import AuditEvent
from candor.core import clock
from candor.people.models import ContactKind, Person, Provenance

pytestmark = pytest.mark.django_db


def _payload(**overrides: object) -> dict:
    data: dict = {
        "first_name": FAKE.first_name(),
        "last_name": FAKE.last_name(),
        "birth_date": "1988-04-17",
        "emails": [unique_email("api")],
        "mobiles": ["0470 12 34 56"],
        "desired_function": "Verpleegkundige",
        "languages": {"nl": "native", "fr": "B2"},
        "skills": ["triage", "wondzorg"],
        "source": "medium:LinkedIn",
    }
    data.update(overrides)
    return data


@pytest.mark.req("R1.1", "R2.1")
def test_create_candidate_answers_201_with_its_api_provenance(api, consultant):
    payload = _payload()

    response = api.post("/api/v1/candidates", payload)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["source"]["kind"] == "medium"
    assert body["source"]["name"] == "LinkedIn"
    assert body["source"]["channel"] == "api"
    assert body["roles"] == ["candidate"]
    assert {(c["kind"], c["value"]) for c in body["contacts"]} == {
        ("email", payload["emails"][0]),
        ("mobile", "+32470123456"),
    }
    assert all(c["source"]["channel"] == "api" for c in body["contacts"])

    person = Person.objects.select_related("provenance", "candidate").get(pk=body["id"])
    assert (person.first_name, person.last_name) == (payload["first_name"], payload["last_name"])
    assert person.birth_date == dt.date(1988, 4, 17)
    assert person.is_candidate
    assert person.candidate.desired_function == "Verpleegkundige"
    assert person.provenance.channel == "api"
    assert person.provenance.recorded_by_id == consultant.pk
    assert dict(person.languages.values_list("language", "level")) == {"nl": "native", "fr": "B2"}
    assert sorted(person.skills.values_list("name", flat=True)) == ["triage", "wondzorg"]
    assert person.contact_points.filter(kind=ContactKind.EMAIL).get().is_primary
    event = AuditEvent.objects.get(
        action="create", object_type="people.person", object_id=str(person.pk)
    )
    assert event.actor == f"staff:{consultant.pk}"
    assert event.subject == str(person.pseudonym)


@pytest.mark.req("R1.1")
def test_duplicate_email_is_409_naming_the_existing_person(api):
    first = api.post("/api/v1/candidates", _payload(emails=["dubbel@example.com"]))
    assert first.status_code == 201
    existing_id = first.json()["id"]

    # Same person, e-mail typed differently: still found, reported, not merged.
    again = _payload(
        first_name=first.json()["first_name"],
        last_name=first.json()["last_name"],
        emails=["  Dubbel@Example.COM "],
        mobiles=[],
        notes="tweede poging",
    )
    response = api.post("/api/v1/candidates", again)

    assert response.status_code == 409, response.content
    assert f"#{existing_id}" in response.json()["detail"]
    assert Person.objects.count() == 1
    assert Person.objects.get().notes == ""


@pytest.mark.req("R1.1")
def test_e_mail_of_someone_with_another_name_is_409_too(api):
    first = api.post("/api/v1/candidates", _payload(emails=["gedeeld@example.com"]))
    response = api.post(
        "/api/v1/candidates",
        _payload(first_name="Ander", last_name="Persoon", emails=["gedeeld@example.com"]),
    )

    assert response.status_code == 409
    assert f"#{first.json()['id']}" in response.json()["detail"]
    assert Person.objects.count() == 1


def _future_birth_date() -> str:
    return (clock.today() + dt.timedelta(days=30)).isoformat()


@pytest.mark.req("R1.1")
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"emails": ["jan.peeters@@example"]}, "email"),
        ({"phones": ["12345"]}, "phone"),
        ({"mobiles": ["+32 4"]}, "mobile"),
        ({"birth_date": "FUTURE"}, "birth_date"),
        ({"last_name": ""}, "last_name"),
        ({"last_name": "   "}, "last_name"),
        ({"nationality": "Belg"}, "nationality"),
        ({"languages": {"nl": "vloeiend"}}, "languages"),
        ({"gender": "vrouw"}, "gender"),
    ],
)
def test_invalid_candidate_field_is_422_keyed_by_that_field(api, overrides, field):
    if overrides.get("birth_date") == "FUTURE":
        overrides = {"birth_date": _future_birth_date()}

    response = api.post("/api/v1/candidates", _payload(**overrides))

    assert response.status_code == 422, response.content
    body = response.json()
    assert list(body["errors"]) == [field]
    assert body["errors"][field]
    assert all(isinstance(m, str) and m for m in body["errors"][field])
    assert body["detail"].startswith(f"{field}: ")
    assert Person.objects.count() == 0
    assert Provenance.objects.count() == 0  # nothing half-written


@pytest.mark.req("R1.1")
def test_every_problem_is_reported_at_once_in_readable_words(api):
    response = api.post(
        "/api/v1/candidates",
        _payload(last_name="", emails=["nope"], phones=["12"], birth_date=_future_birth_date()),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 422
    body = response.json()
    assert set(body["errors"]) == {"last_name", "email", "phone", "birth_date"}
    assert "future" in " ".join(body["errors"]["birth_date"])
    assert "“nope”" in body["errors"]["email"][0]
    for name in body["errors"]:
        assert f"{name}: " in body["detail"]


@pytest.mark.req("R1.1")
def test_missing_surname_key_is_422(api):
    payload = _payload()
    del payload["last_name"]

    response = api.post("/api/v1/candidates", payload)

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["last_name"]
    assert "last_name" in response.json()["detail"]


@pytest.mark.req("R1.1")
def test_a_candidate_needs_something_that_tells_them_apart(api):
    response = api.post("/api/v1/candidates", _payload(emails=[], mobiles=[], birth_date=None))

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["identity"]


@pytest.mark.req("R1.1")
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"favourite_colour": "blauw"}, "favourite_colour"),
        ({"address": {"street": "Meir", "planet": "Aarde"}}, "address.planet"),
        ({"first_name": 12}, "first_name"),
        ({"emails": "jan@example.com"}, "emails"),
        ({"birth_date": "17/04/1988"}, "birth_date"),
        ({"skills": [{"name": "Excel"}]}, "skills.0"),
    ],
)
def test_unknown_fields_and_wrong_types_are_422(api, payload, field):
    response = api.post("/api/v1/candidates", _payload(**payload))

    assert response.status_code == 422, response.content
    body = response.json()
    assert field in body["errors"], body
    assert field in body["detail"]
    assert Person.objects.count() == 0


@pytest.mark.req("R1.1")
def test_unknown_source_is_422_on_the_source_field(api):
    response = api.post("/api/v1/candidates", _payload(source="medium:"))

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["source"]
    assert Person.objects.count() == 0


def test_a_body_that_is_not_json_is_refused_with_a_detail(api):
    response = api.client.post(
        "/api/v1/candidates", "{first_name: Jan", content_type="application/json"
    )

    assert response.status_code in {400, 422}
    assert response.json()["detail"]
    assert Person.objects.count() == 0


@pytest.mark.req("R1.1", "R2.1")
def test_get_candidate_returns_the_dossier_and_audits_the_view(api, consultant, consultant_actor):
    person = make_candidate(consultant_actor, source="partner:VDAB", desired_function="Lasser")
    before = AuditEvent.objects.filter(action="view").count()

    response = api.get(f"/api/v1/candidates/{person.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == person.pk
    assert body["desired_function"] == "Lasser"
    assert (body["source"]["kind"], body["source"]["name"]) == ("partner", "VDAB")
    views = AuditEvent.objects.filter(action="view")
    assert views.count() == before + 1
    event = views.order_by("-seq").first()
    assert event.subject == str(person.pseudonym)
    assert event.object_id == str(person.pk)
    assert event.actor == f"staff:{consultant.pk}"
    assert event.detail == {"where": "api"}
    # The trail names people only by pseudonym.
    assert person.last_name not in json.dumps([event.subject, event.detail])


@pytest.mark.req("R1.1")
def test_get_person_is_audited_as_a_view(api, consultant_actor):
    person = make_candidate(consultant_actor)

    response = api.get(f"/api/v1/persons/{person.pk}")

    assert response.status_code == 200
    assert response.json()["last_name"] == person.last_name
    assert AuditEvent.objects.filter(action="view", subject=str(person.pseudonym)).count() == 1


@pytest.mark.req("R1.1")
def test_a_person_who_is_not_a_candidate_is_not_served_as_one(api, consultant):
    contact = Person.objects.create(
        provenance=Provenance.objects.create(
            kind="agency", channel="form", obtained_at=clock.now()
        ),
        first_name=FAKE.first_name(),
        last_name=FAKE.last_name(),
        is_client_contact=True,
    )

    assert api.get(f"/api/v1/candidates/{contact.pk}").status_code == 404
    assert api.get(f"/api/v1/persons/{contact.pk}").status_code == 200
    assert contact.pk not in [c["id"] for c in api.get("/api/v1/candidates").json()]


@pytest.mark.req("R1.1")
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/candidates/{missing}"),
        ("get", "/api/v1/persons/{missing}"),
        ("patch", "/api/v1/persons/{missing}"),
    ],
)
def test_missing_person_is_404_with_a_detail(api, method, path):
    missing = missing_id(Person)
    response = getattr(api, method)(path.format(missing=missing))

    assert response.status_code == 404
    assert str(missing) in response.json()["detail"]


@pytest.mark.req("R1.1")
def test_patch_changes_only_the_fields_sent_and_audits_their_names(
    api, consultant, consultant_actor
):
    person = make_candidate(
        consultant_actor, birth_date=dt.date(1979, 2, 3), notes="oud", contact_times="na 17u"
    )
    original = {f: getattr(person, f) for f in ("first_name", "last_name", "birth_date")}

    response = api.patch(
        f"/api/v1/persons/{person.pk}",
        {"notes": "Werkt liefst in ploegen.", "civil_status": "married"},
    )

    assert response.status_code == 200, response.content
    assert response.json()["notes"] == "Werkt liefst in ploegen."
    person.refresh_from_db()
    assert person.notes == "Werkt liefst in ploegen."
    assert person.civil_status == "married"
    assert person.contact_times == "na 17u"
    assert {f: getattr(person, f) for f in original} == original
    event = AuditEvent.objects.filter(action="update", object_type="people.person").get()
    assert event.subject == str(person.pseudonym)
    assert event.actor == f"staff:{consultant.pk}"
    assert event.detail == {"fields": ["civil_status", "notes"]}
    recorded = json.dumps(event.detail)
    for value in ("Werkt liefst", "oud", "married"):
        assert value not in recorded


@pytest.mark.req("R1.1")
def test_patch_with_nothing_new_writes_no_audit_event(api, consultant_actor):
    person = make_candidate(consultant_actor, notes="zelfde")

    response = api.patch(f"/api/v1/persons/{person.pk}", {"notes": "zelfde"})

    assert response.status_code == 200
    assert not AuditEvent.objects.filter(action="update").exists()


@pytest.mark.req("R1.1")
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"birth_date": "FUTURE"}, "birth_date"),
        ({"last_name": ""}, "last_name"),
        ({"gender": "vrouw"}, "gender"),
        ({"email": "nieuw@example.com"}, "email"),
        ({"birth_date": "gisteren"}, "birth_date"),
    ],
)
def test_patch_refuses_invalid_values_field_by_field(api, consultant_actor, changes, field):
    person = make_candidate(consultant_actor, birth_date=dt.date(1990, 1, 1))
    if changes.get("birth_date") == "FUTURE":
        changes = {"birth_date": _future_birth_date()}

    response = api.patch(f"/api/v1/persons/{person.pk}", changes)

    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert response.json()["detail"]
    person.refresh_from_db()
    assert person.birth_date == dt.date(1990, 1, 1)
    assert person.gender == ""
    assert not AuditEvent.objects.filter(action="update").exists()


@pytest.mark.req("R1.1", "R2.1")
def test_list_filters_by_source(api, consultant_actor):
    linkedin = make_candidates(consultant_actor, 2, source="medium:LinkedIn")
    make_candidates(consultant_actor, 1, source="medium:Jobat")
    make_candidates(consultant_actor, 1, source="self")

    response = api.get("/api/v1/candidates", {"source": "medium:LinkedIn"})

    assert response.status_code == 200
    rows = response.json()
    assert sorted(r["id"] for r in rows) == sorted(p.pk for p in linkedin)
    assert {(r["source"]["kind"], r["source"]["name"]) for r in rows} == {("medium", "LinkedIn")}
    assert len(api.get("/api/v1/candidates", {"source": "medium"}).json()) == 3
    assert len(api.get("/api/v1/candidates", {"source": "self"}).json()) == 1
    assert len(api.get("/api/v1/candidates").json()) == 4


@pytest.mark.req("R1.1")
def test_pagination_is_capped_at_200_and_offsets_do_not_overlap(api, consultant_actor):
    people = make_candidates(consultant_actor, 205)
    newest_first = [p.pk for p in reversed(people)]

    capped = api.get("/api/v1/candidates", {"limit": 1000})
    assert capped.status_code == 200
    assert [r["id"] for r in capped.json()] == newest_first[:200]

    tail = api.get("/api/v1/candidates", {"limit": 50, "offset": 200}).json()
    assert [r["id"] for r in tail] == newest_first[200:]

    default = api.get("/api/v1/candidates").json()
    assert len(default) == 50

    assert len(api.get("/api/v1/candidates", {"limit": 0}).json()) == 1
    assert api.get("/api/v1/candidates", {"limit": 2, "offset": -5}).json() == capped.json()[:2]


def test_a_non_numeric_limit_is_422_with_a_detail(api):
    response = api.get("/api/v1/candidates", {"limit": "veel"})

    assert response.status_code == 422
    assert "limit" in response.json()["errors"]
