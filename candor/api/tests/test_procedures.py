"""Vacancies, applications, stage moves and procedure steps through /api/v1 (R1.2)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from candor.api.tests.factories import (
    make_application,
    make_candidate,
    make_client,
    make_vacancy,
    missing_id,
)
from candor.audit.models import AuditEvent
from candor.core import clock
from candor.people.models import Person, Provenance
from candor.recruitment.models import PIPELINE, Application, ProcedureStep, Stage, Vacancy
from candor.relations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_org(consultant_actor):
    return make_client(consultant_actor, name="Logistiek Mertens")


@pytest.fixture
def vacancy(consultant_actor, client_org):
    return make_vacancy(consultant_actor, client_org, title="Magazijnier")


@pytest.fixture
def candidate(consultant_actor):
    return make_candidate(consultant_actor)


@pytest.fixture
def application(consultant_actor, candidate, vacancy):
    return make_application(consultant_actor, candidate, vacancy)


@pytest.mark.req("R1.2")
def test_create_vacancy(api, consultant, client_org):
    response = api.post(
        "/api/v1/vacancies",
        {
            "client_id": client_org.pk,
            "reference": "ANT-2024-001",
            "title": "Heftruckchauffeur",
            "city": "Antwerpen",
            "postcode": "2030",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["client_id"], body["reference"], body["status"]) == (
        client_org.pk,
        "ANT-2024-001",
        "open",
    )
    assert body["opened_on"] == clock.today().isoformat()
    vacancy = Vacancy.objects.get(pk=body["id"])
    assert vacancy.consultant_id == consultant.pk
    assert vacancy.city == "Antwerpen"
    listed = api.get("/api/v1/vacancies", {"status": "open"}).json()
    assert [v["id"] for v in listed] == [vacancy.pk]
    assert api.get("/api/v1/vacancies", {"status": "closed"}).json() == []


@pytest.mark.req("R1.2")
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"client_id": "MISSING"}, "client_id"),
        ({"status": "half-open"}, "status"),
        ({"reference": "R" * 21}, "reference"),
        ({"title": ""}, "title"),
        ({"opened_on": "morgen"}, "opened_on"),
    ],
)
def test_invalid_vacancy_is_422_on_its_field(api, client_org, change, field):
    payload = {"client_id": client_org.pk, "reference": "GNT-7", "title": "Lasser", **change}
    if payload["client_id"] == "MISSING":
        payload["client_id"] = missing_id(Organisation)

    response = api.post("/api/v1/vacancies", payload)

    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert not Vacancy.objects.exists()


@pytest.mark.req("R1.2")
def test_vacancy_reference_is_unique(api, client_org, vacancy):
    response = api.post(
        "/api/v1/vacancies",
        {"client_id": client_org.pk, "reference": vacancy.reference, "title": "Kok"},
    )

    assert response.status_code == 422
    assert "reference" in response.json()["errors"]
    assert Vacancy.objects.count() == 1


@pytest.mark.req("R1.2", "R2.1")
def test_create_application_starts_at_new_with_its_source(api, consultant, candidate, vacancy):
    response = api.post(
        "/api/v1/applications",
        {
            "person_id": candidate.pk,
            "vacancy_id": vacancy.pk,
            "motivation": "Ik woon vlakbij.",
            "source": "medium:Jobat",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["person_id"], body["vacancy_id"], body["stage"]) == (
        candidate.pk,
        vacancy.pk,
        "new",
    )
    assert body["applied_on"] == clock.today().isoformat()
    application = Application.objects.select_related("provenance").get(pk=body["id"])
    assert application.motivation == "Ik woon vlakbij."
    assert (
        application.provenance.kind,
        application.provenance.name,
        application.provenance.channel,
    ) == ("medium", "Jobat", "api")
    assert application.consultant_id == consultant.pk
    listed = api.get("/api/v1/applications", {"vacancy_id": vacancy.pk}).json()
    assert [a["id"] for a in listed] == [application.pk]


@pytest.mark.req("R1.2")
def test_application_for_unknown_person_and_vacancy_names_both(api):
    response = api.post(
        "/api/v1/applications", {"person_id": missing_id(Person), "vacancy_id": missing_id(Vacancy)}
    )

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"person_id", "vacancy_id"}


@pytest.mark.req("R1.2")
def test_only_candidates_apply_and_only_once(api, candidate, vacancy, application):
    again = api.post("/api/v1/applications", {"person_id": candidate.pk, "vacancy_id": vacancy.pk})
    assert again.status_code == 422
    assert "vacancy" in again.json()["errors"]

    contact = Person.objects.create(
        provenance=Provenance.objects.create(
            kind="agency", channel="form", obtained_at=clock.now()
        ),
        first_name="Sofie",
        last_name="Lemmens",
        is_client_contact=True,
    )
    response = api.post("/api/v1/applications", {"person_id": contact.pk, "vacancy_id": vacancy.pk})
    assert response.status_code == 422
    assert "person" in response.json()["errors"]
    assert Application.objects.count() == 1


@pytest.mark.req("R1.2")
def test_move_to_the_next_stage(api, consultant, application):
    response = api.post(f"/api/v1/applications/{application.pk}/move", {"stage": "screening"})

    assert response.status_code == 200, response.content
    assert response.json()["stage"] == "screening"
    application.refresh_from_db()
    assert application.stage == Stage.SCREENING
    event = AuditEvent.objects.get(action="update", object_type="recruitment.application")
    assert event.detail == {"fields": ["stage"], "from": "new", "to": "screening"}
    assert event.subject == str(application.person.pseudonym)


@pytest.mark.req("R1.2")
def test_skipping_a_stage_is_422_explaining_the_next_one(api, application):
    response = api.post(
        f"/api/v1/applications/{application.pk}/move",
        {"stage": "interview"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 422
    body = response.json()
    assert list(body["errors"]) == ["stage"]
    assert "Screening" in body["detail"]  # names the stage that comes next
    application.refresh_from_db()
    assert application.stage == Stage.NEW


@pytest.mark.req("R1.2")
def test_an_unknown_stage_is_422(api, application):
    response = api.post(f"/api/v1/applications/{application.pk}/move", {"stage": "promoted"})

    assert response.status_code == 422
    assert "promoted" in response.json()["errors"]["stage"][0]


@pytest.mark.req("R1.2")
def test_after_hired_the_procedure_does_not_move(api, application):
    for stage in PIPELINE[1:]:
        moved = api.post(f"/api/v1/applications/{application.pk}/move", {"stage": stage.value})
        assert moved.status_code == 200, (stage, moved.content)
    application.refresh_from_db()
    assert application.stage == Stage.HIRED

    for stage in ("rejected", "withdrawn", "offer"):
        response = api.post(f"/api/v1/applications/{application.pk}/move", {"stage": stage})
        assert response.status_code == 422, stage
        assert list(response.json()["errors"]) == ["stage"]
    application.refresh_from_db()
    assert application.stage == Stage.HIRED


@pytest.mark.req("R1.2")
def test_rejected_from_any_stage_then_ended(api, application):
    assert (
        api.post(f"/api/v1/applications/{application.pk}/move", {"stage": "rejected"}).status_code
        == 200
    )

    response = api.post(f"/api/v1/applications/{application.pk}/move", {"stage": "screening"})

    assert response.status_code == 422
    application.refresh_from_db()
    assert application.stage == Stage.REJECTED


@pytest.mark.req("R1.2")
def test_record_an_interview_with_score_and_report(api, consultant, application):
    when = dt.datetime(2024, 3, 12, 10, 30, tzinfo=dt.UTC)
    response = api.post(
        f"/api/v1/applications/{application.pk}/steps",
        {
            "kind": "interview",
            "scheduled_at": when.isoformat(),
            "outcome": "positive",
            "score": "7.5",
            "report": "Sterk in plannen; Frans nog oefenen.",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["outcome"]) == ("interview", "positive")
    step = ProcedureStep.objects.select_related("provenance").get(pk=body["id"])
    assert step.application_id == application.pk
    assert step.scheduled_at == when
    assert step.score == Decimal("7.50")
    assert step.report == "Sterk in plannen; Frans nog oefenen."
    assert step.conducted_by_id == consultant.pk
    assert step.provenance.kind == "agency"
    event = AuditEvent.objects.get(object_type="recruitment.procedurestep")
    assert event.subject == str(application.person.pseudonym)
    assert "Sterk" not in str(event.detail)


@pytest.mark.req("R1.2")
def test_record_a_selection_test(api, application):
    response = api.post(
        f"/api/v1/applications/{application.pk}/steps",
        {
            "kind": "selection_test",
            "scheduled_at": "2024-03-14T09:00:00+01:00",
            "test_name": "Numeriek redeneren",
        },
    )

    assert response.status_code == 201
    step = ProcedureStep.objects.get(pk=response.json()["id"])
    assert (step.test_name, step.outcome, step.score) == ("Numeriek redeneren", "pending", None)


@pytest.mark.req("R1.2")
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "coffee"}, "kind"),
        ({"outcome": "great"}, "outcome"),
        ({"score": "12345.678"}, "score"),
        ({"score": "acht"}, "score"),
        ({"scheduled_at": "volgende week"}, "scheduled_at"),
        ({"assessor": "Dr. X"}, "assessor"),
    ],
)
def test_invalid_step_is_422_on_its_field(api, application, change, field):
    payload = {"kind": "interview", "scheduled_at": "2024-03-12T10:30:00+01:00", **change}

    response = api.post(f"/api/v1/applications/{application.pk}/steps", payload)

    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert not ProcedureStep.objects.exists()


@pytest.mark.req("R1.2")
@pytest.mark.parametrize("action", ["move", "steps"])
def test_unknown_application_is_404_with_a_detail(api, action):
    payload = (
        {"stage": "screening"}
        if action == "move"
        else {"kind": "interview", "scheduled_at": "2024-03-12T10:30:00+01:00"}
    )

    response = api.post(f"/api/v1/applications/{missing_id(Application)}/{action}", payload)

    assert response.status_code == 404
    assert response.json()["detail"]
