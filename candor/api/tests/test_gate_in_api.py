"""The API's candidate list goes through the purpose gate like the back office (R6.7, R6.8)."""

from __future__ import annotations

from typing import Any

import pytest

from candor.api.tests.factories import make_candidate
from candor.core.actor import Actor
from candor.privacy.services import objection_record, restriction_start

pytestmark = [pytest.mark.django_db, pytest.mark.req("R6.7", "R6.8")]


def test_restricted_and_objecting_candidates_are_not_listed(
    api_client: Any, consultant: Any
) -> None:
    actor = Actor.for_user(consultant)
    kept = make_candidate(actor, last_name="Vermeulen")
    restricted = make_candidate(actor, last_name="Goossens")
    objecting = make_candidate(actor, last_name="Wuyts")
    restriction_start(actor=actor, person=restricted, ground="accuracy", via="email")
    objection_record(actor=actor, person=objecting, purpose="mediation", via="email")
    listed = api_client(consultant).get("/api/v1/candidates").json()
    ids = {row["id"] for row in listed}
    assert kept.pk in ids
    assert restricted.pk not in ids
    assert objecting.pk not in ids
