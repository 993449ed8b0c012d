"""Object-level authorization in the API (R7.1): a token reaches only what its user's role may,
checked on every request, for every operation that takes an id.

API tokens are for staff integrations. Client contacts, in-house client users and site
accounts hold no valid token, so no id in any operation reaches anything for them. Staff roles
work agency-wide by design (docs/architecture.md "Roles"): a consultant of another office reads
the same candidate; the role table decides which operations, and it is read at each request,
never kept in the token.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from candor.accounts.models import Role, User
from candor.api.tests.factories import (
    make_application,
    make_candidate,
    make_client,
    make_vacancy,
    missing_id,
)
from candor.core.actor import Actor
from candor.people.models import Person

pytestmark = [pytest.mark.django_db, pytest.mark.req("R7.1")]

_PATH_PARAM = re.compile(r"\{(\w+)\}")


def _operations_with_ids() -> list[tuple[str, str]]:
    schema = Client().get("/api/v1/openapi.json").json()
    return sorted(
        (path, method)
        for path, methods in schema["paths"].items()
        for method in methods
        if _PATH_PARAM.search(path)
    )


@pytest.fixture
def objects(consultant: User) -> dict[str, Any]:
    actor = Actor.for_user(consultant)
    person = make_candidate(actor, first_name="Wout", last_name="Verhaegenq")
    application = make_application(actor, person, make_vacancy(actor, make_client(actor)))
    return {"person_id": person.pk, "application_id": application.pk, "reference": "AV-0001"}


def _call(client: Client, path: str, method: str, values: dict[str, Any]) -> Any:
    url = _PATH_PARAM.sub(lambda m: str(values[m.group(1)]), path)
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, {}, content_type="application/json")


def test_the_walk_sees_the_operations_with_ids() -> None:
    assert ("/api/v1/candidates/{person_id}", "get") in _operations_with_ids()


@pytest.mark.parametrize("role", [Role.CLIENT, Role.INHOUSE_CLIENT, Role.SITE])
def test_a_token_of_a_non_staff_account_reaches_no_object(
    role: str, objects: dict[str, Any], make_user: Any, api_client: Any
) -> None:
    client = api_client(make_user(f"niet.personeel.{role}", role))
    problems = []
    for path, method in _operations_with_ids():
        response = _call(client, path, method, objects)
        if response.status_code != 401 or "Verhaegenq" in response.content.decode():
            problems.append(f"{method.upper()} {path}: {response.status_code}")

    assert problems == []


def test_a_consultant_of_another_office_reads_the_same_candidate_by_design(
    colleague: User, objects: dict[str, Any], api_client: Any
) -> None:
    response = api_client(colleague).get(f"/api/v1/candidates/{objects['person_id']}")

    assert response.status_code == 200
    assert response.json()["last_name"] == "Verhaegenq"


def test_a_tokens_reach_follows_its_users_role_at_each_request(
    consultant: User, objects: dict[str, Any], api_client: Any
) -> None:
    client = api_client(consultant)
    url = f"/api/v1/candidates/{objects['person_id']}"
    assert client.get(url).status_code == 200

    consultant.role = Role.ADMINISTRATOR  # administrators configure; they read no dossier
    consultant.save(update_fields=["role"])
    refused = client.get(url)
    consultant.is_active = False
    consultant.save(update_fields=["is_active"])
    gone = client.get(url)

    assert refused.status_code == 403
    assert "Verhaegenq" not in refused.content.decode()
    assert gone.status_code == 401
    assert "Verhaegenq" not in gone.content.decode()


def test_an_id_of_nothing_answers_404_with_a_detail_for_every_operation(
    consultant: User, dpo: User, objects: dict[str, Any], api_client: Any
) -> None:
    missing = {
        "person_id": missing_id(Person),
        "application_id": objects["application_id"] + 1000,
        "reference": "AV-9999",
    }
    problems = []
    for user in (consultant, dpo):
        client = api_client(user)
        for path, method in _operations_with_ids():
            response = _call(client, path, method, missing)
            if response.status_code == 403:
                continue  # the role may not use this operation at all: the role matrix's part
            if response.status_code not in {404, 422} or not response.json().get("detail"):
                problems.append(f"{user.role} {method.upper()} {path}: {response.status_code}")

    assert problems == []
