"""The record of processing activities lists the processor register (R4.4) and the recipients
the ledger recorded (R4.5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command

from candor.api.tests.factories import make_candidate, make_client
from candor.core import clock
from candor.core.actor import Actor
from candor.disclosure.processors import agreement_add, processor_save
from candor.disclosure.services import Recipient, disclose
from candor.privacy import ropa

pytestmark = [pytest.mark.django_db, pytest.mark.req("R4.4")]


def test_the_register_lists_processors_with_their_agreement_and_transfers(
    actor: Actor, capsys: Any
) -> None:
    today = clock.today()
    host = processor_save(
        actor=actor,
        data={
            "name": "Nimbus Hosting LLC",
            "service": "it",
            "categories": ["identity", "contact", "career"],
            "country": "US",
            "safeguard": "standard_contractual_clauses",
            "review_on": today + dt.timedelta(days=90),
        },
    )
    agreement_add(
        actor=actor,
        processor=host,
        signed_on=today - dt.timedelta(days=10),
        valid_until=today + dt.timedelta(days=700),
    )
    processor_save(
        actor=actor,
        data={
            "name": "Old Archive BV",
            "service": "storage",
            "categories": ["career"],
            "country": "BE",
            "review_on": today,
            "active": False,
        },
    )

    register = ropa.register_for("en")

    (entry,) = register.processors  # the one no longer in use is left out
    assert entry.name == "Nimbus Hosting LLC"
    assert entry.agreement.startswith("Valid — signed")
    by_key = {a.key: a for a in register.activities}
    assert any("Nimbus Hosting LLC in US" in t for t in by_key["mediation"].transfers)
    call_command("ropa", "--format", "md")
    markdown = capsys.readouterr().out
    assert "## Processors and sub-processors" in markdown
    assert "Nimbus Hosting LLC" in markdown
    assert "Nimbus Hosting LLC" in ropa.render_html(register)


@pytest.mark.req("R4.5")
def test_the_register_counts_the_clients_the_ledger_recorded(actor: Actor) -> None:
    person = make_candidate(actor)
    for _ in range(2):
        disclose(
            actor=actor,
            recipient=Recipient.for_client(make_client(actor)),
            contents={person.pk: "profile"},
            categories=["career"],
            purpose="mediation",
            channel="email",
        )

    by_key = {a.key: a for a in ropa.register_for("en").activities}

    assert by_key["mediation"].recorded_recipients == [
        "Recorded: 2 client organisations received data (2 disclosures)."
    ]
    assert by_key["marketing"].recorded_recipients == []
