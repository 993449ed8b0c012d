"""Token authentication (R7.1) and the published OpenAPI description of /api/v1."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from candor.accounts.models import ApiToken
from candor.accounts.services import api_token_create
from candor.core import clock
from candor.core.actor import Actor

pytestmark = pytest.mark.django_db


def _token(user) -> str:
    raw, _ = api_token_create(actor=Actor.system("test"), user=user, label="test")
    return raw


def _assert_401(response) -> None:
    assert response.status_code == 401, response.content
    assert response["Content-Type"].startswith("application/json")
    assert "token" in response.json()["detail"]


@pytest.mark.req("R7.1")
def test_a_valid_token_is_accepted_and_its_use_noted(consultant):
    raw = _token(consultant)

    response = Client().get("/api/v1/candidates", headers={"Authorization": f"Bearer {raw}"})

    assert response.status_code == 200
    assert ApiToken.objects.get(user=consultant).last_used_at is not None


@pytest.mark.req("R7.1")
@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer ",
        "Bearer cnd_this-token-was-never-issued",
        "Token {raw}",
        "Basic {raw}",
        "{raw}",
        "Bearer {raw}x",
    ],
)
def test_missing_or_wrong_token_is_401_with_a_detail(consultant, header):
    raw = _token(consultant)
    headers = {} if header is None else {"Authorization": header.format(raw=raw)}

    _assert_401(Client().get("/api/v1/candidates", headers=headers))
    _assert_401(
        Client().post("/api/v1/candidates", {}, content_type="application/json", headers=headers)
    )


@pytest.mark.req("R7.1")
def test_a_revoked_token_is_401(consultant):
    raw = _token(consultant)
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    assert client.get("/api/v1/candidates").status_code == 200

    ApiToken.objects.filter(user=consultant).update(revoked_at=clock.now())

    _assert_401(client.get("/api/v1/candidates"))


@pytest.mark.req("R7.1")
def test_the_token_of_a_deactivated_user_is_401(consultant):
    raw = _token(consultant)
    consultant.is_active = False
    consultant.save(update_fields=["is_active"])

    _assert_401(Client().get("/api/v1/candidates", headers={"Authorization": f"Bearer {raw}"}))


@pytest.mark.req("R7.1")
def test_a_browser_session_is_not_an_api_credential(consultant):
    client = Client()
    client.force_login(consultant)

    _assert_401(client.get("/api/v1/candidates"))


@pytest.mark.req("R7.1")
def test_a_role_without_the_permission_gets_403_naming_the_role(dpo, json_client):
    response = json_client(dpo).post("/api/v1/candidates", {"first_name": "X"})

    assert response.status_code == 403
    assert "dpo" in response.json()["detail"]


EXPECTED_PATHS = {
    "/api/v1/candidates": {"get", "post"},
    "/api/v1/candidates/{person_id}": {"get"},
    "/api/v1/persons/{person_id}": {"get", "patch"},
    "/api/v1/clients": {"get", "post"},
    "/api/v1/vacancies": {"get", "post"},
    "/api/v1/applications": {"get", "post"},
    "/api/v1/applications/{application_id}/move": {"post"},
    "/api/v1/applications/{application_id}/steps": {"post"},
}


def test_openapi_is_valid_json_listing_every_resource(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Candor API"
    for path, methods in EXPECTED_PATHS.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), path
    # Every operation requires the bearer token.
    schemes = schema["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http"}
    assert {s["scheme"] for s in schemes.values()} == {"bearer"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("security"), (method, path)


def test_openapi_documents_problem_answers(client):
    schema = client.get("/api/v1/openapi.json").json()

    create = schema["paths"]["/api/v1/candidates"]["post"]
    assert {"201", "409", "422"} <= set(create["responses"])
    body_ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    candidate_in = schema["components"]["schemas"][body_ref.rsplit("/", 1)[-1]]
    assert {"first_name", "last_name"} <= set(candidate_in["required"])
    assert candidate_in.get("additionalProperties") is False
