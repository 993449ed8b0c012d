"""The whole API under generated requests (R7.1): schemathesis reads the published OpenAPI
schema and sends every operation valid and invalid bodies, queries and path ids, in process
against the Django WSGI application. No request may end in a server error (5xx), and every
answer the schema describes must match it.

Deterministic: Hypothesis' ``ci`` profile is derandomised; the number of examples per operation
is bounded so the run stays around a minute; ``CANDOR_API_EXAMPLES`` raises it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from candor.accounts.models import User
from candor.accounts.services import api_token_create
from candor.api.tests.factories import make_application, make_candidate, make_client, make_vacancy
from candor.core.actor import Actor

pytestmark = [pytest.mark.django_db, pytest.mark.req("R7.1")]

# Per operation; CANDOR_API_EXAMPLES=200 explores further (minutes, not seconds).
EXAMPLES_PER_OPERATION = int(os.environ.get("CANDOR_API_EXAMPLES", "15"))


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Requests go to the WSGI application itself, not through Django's test client, so its
    end-of-request hook would close the test's database connection (and with it the test's
    transaction); the test client disconnects it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(consultant: User, dpo: User) -> dict[str, str]:
    """Tokens of the two roles that use the API, and some data for ids to find."""
    actor = Actor.for_user(consultant)
    person = make_candidate(actor)
    make_application(actor, person, make_vacancy(actor, make_client(actor)))
    system = Actor.system("test")
    return {
        user.role: api_token_create(actor=system, user=user, label="schemathesis")[0]
        for user in (consultant, dpo)
    }


# The schema holds no data and needs no database: it is read once, at collection.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    suppress_health_check=list(HealthCheck),
    deadline=None,
)
def test_no_generated_request_makes_the_api_fail(case: Any, tokens: dict[str, str]) -> None:
    for token in tokens.values():
        case.call_and_validate(
            headers={"Authorization": f"Bearer {token}"},
            checks=[not_a_server_error, response_schema_conformance],
        )
