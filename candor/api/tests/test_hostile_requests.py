"""Regressions found by the generated-request tests (R7.1): the exact payloads that once ended in
a server error now get a 4xx whose ``detail`` says what is wrong, and store nothing."""

from __future__ import annotations

from typing import Any

import pytest

from candor.people.models import Person
from candor.relations.models import Organisation

pytestmark = [pytest.mark.django_db, pytest.mark.req("R7.1")]


@pytest.mark.parametrize(
    "params",
    [{"q": "\x00"}, {"source": "medium:\x00"}, {"q": "Claes\x00"}],
)
def test_a_nul_character_in_a_query_is_refused_not_a_server_error(api: Any, params) -> None:
    # PostgreSQL cannot compare text holding NUL: this was a 500 there (found by Hypothesis).
    response = api.get("/api/v1/candidates", params)

    assert response.status_code == 422
    assert "NUL" in response.json()["detail"]


def test_a_nul_character_in_a_body_is_refused_and_nothing_is_stored(api: Any) -> None:
    before = Organisation.objects.count(), Person.objects.count()

    response = api.post("/api/v1/clients", {"kind": "client", "name": "Bakkerij\u0000 Peeters"})

    assert response.status_code == 422
    assert "NUL" in response.json()["detail"]
    assert (Organisation.objects.count(), Person.objects.count()) == before


def test_a_role_without_the_permission_still_gets_403_not_the_nul_answer(
    administrator: Any, api_client: Any
) -> None:
    response = api_client(administrator).get("/api/v1/candidates", {"q": "\x00"})

    assert response.status_code == 403
