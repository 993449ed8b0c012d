"""Fixtures of the public site's tests: an open vacancy, a published privacy statement."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from candor.api.tests.factories import make_client, make_vacancy
from candor.core import clock
from candor.core.actor import Actor
from candor.privacy.models import StatementVersion
from candor.privacy.statement import statement_publish
from candor.recruitment.models import Vacancy


@pytest.fixture
def statement(db: Any) -> StatementVersion:
    return statement_publish(
        actor=Actor.system("test"), version="2026.1", published_on=clock.today()
    )


@pytest.fixture
def vacancy(actor: Actor) -> Vacancy:
    client = make_client(actor, name="Geheime Klant NV", sector="logistiek")
    return make_vacancy(
        actor,
        client,
        title="Magazijnier",
        description="Je beheert de voorraad van een groot distributiecentrum.",
        postcode="2000",
        city="Antwerpen",
        opened_on=clock.today() - dt.timedelta(days=2),
    )
