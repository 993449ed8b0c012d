"""The processor register (R4.4): data goes to a processor only under an agreement valid on the
day, for the categories its entry allows; the refusals are clear, logged, and record nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from candor.api.tests.factories import make_candidate
from candor.audit.models import AuditEvent
from candor.core import clock
from candor.core.actor import Actor
from candor.disclosure.models import AgreementStatus, Disclosure, Processor
from candor.disclosure.processors import agreement_add, processor_save, processor_transfer
from candor.disclosure.selectors import agreement_status, processors_register
from candor.disclosure.services import ProcessorRefused, Recipient, disclose

pytestmark = [pytest.mark.django_db, pytest.mark.req("R4.4")]


def _processor(actor: Actor, **data: Any) -> Processor:
    values: dict[str, Any] = {
        "name": "Assessment Partners BV",
        "service": "consultant",
        "categories": ["identity", "career", "assessment"],
        "country": "BE",
        "review_on": clock.today() + dt.timedelta(days=365),
    }
    values.update(data)
    return processor_save(actor=actor, data=values)


def _send(actor: Actor, processor: Processor, person_id: int, categories: list[str]) -> Any:
    return disclose(
        actor=actor,
        recipient=Recipient.for_processor(processor),
        contents={person_id: "assessment file"},
        categories=categories,
        purpose="mediation",
        channel="email",
    )


def test_a_processor_with_a_valid_agreement_receives_and_the_ledger_names_it(
    actor: Actor,
) -> None:
    person = make_candidate(actor)
    processor = _processor(actor)
    agreement_add(actor=actor, processor=processor, signed_on=clock.today() - dt.timedelta(days=30))

    (row,) = _send(actor, processor, person.pk, ["career"])

    assert (row.processor_id, row.recipient_kind, row.recipient) == (
        processor.pk,
        "processor",
        processor.name,
    )
    assert AuditEvent.objects.get(action="disclosure.record").detail["processor"] == processor.pk


def test_no_expired_or_future_agreement_is_refused_clearly_logged_and_nothing_recorded(
    actor: Actor, caplog: pytest.LogCaptureFixture
) -> None:
    person = make_candidate(actor)
    processor = _processor(actor)
    today = clock.today()
    caplog.set_level(logging.WARNING, logger="candor.disclosure.services")

    with pytest.raises(ProcessorRefused, match=r"no processing agreement valid on .*No agreement"):
        _send(actor, processor, person.pk, ["career"])
    agreement_add(
        actor=actor,
        processor=processor,
        signed_on=today - dt.timedelta(days=800),
        valid_until=today - dt.timedelta(days=1),
    )
    with pytest.raises(ProcessorRefused, match=r"Assessment Partners BV .*\(Expired\)"):
        _send(actor, processor, person.pk, ["career"])
    agreement_add(actor=actor, processor=processor, signed_on=today + dt.timedelta(days=3))
    with pytest.raises(ProcessorRefused, match="Not yet in force"):
        _send(actor, processor, person.pk, ["career"])

    assert not Disclosure.objects.exists()
    assert not AuditEvent.objects.filter(action="disclosure.record").exists()
    assert "refused" in caplog.text
    assert str(processor.pk) in caplog.text
    with time_machine.travel(clock.now() + dt.timedelta(days=4)):
        assert _send(actor, processor, person.pk, ["career"])


def test_a_sub_processor_needs_its_processors_agreement_too(actor: Actor) -> None:
    person = make_candidate(actor)
    today = clock.today()
    host = _processor(actor, name="Cloud Host NV", service="it", categories=["career"])
    storage = _processor(
        actor,
        name="Backup Storage SA",
        service="storage",
        kind="sub_processor",
        parent=host,
        categories=["career"],
    )
    agreement_add(actor=actor, processor=storage, signed_on=today)
    agreement_add(
        actor=actor,
        processor=host,
        signed_on=today - dt.timedelta(days=400),
        valid_until=today - dt.timedelta(days=2),
    )

    with pytest.raises(ProcessorRefused, match="Cloud Host NV has no processing agreement"):
        _send(actor, storage, person.pk, ["career"])
    agreement_add(actor=actor, processor=host, signed_on=today)
    assert _send(actor, storage, person.pk, ["career"])


def test_categories_outside_the_register_entry_and_unnamed_processors_are_refused(
    actor: Actor,
) -> None:
    person = make_candidate(actor)
    processor = _processor(actor, categories=["career"])
    agreement_add(actor=actor, processor=processor, signed_on=clock.today())

    with pytest.raises(ProcessorRefused, match=r"does not allow .*assessment"):
        _send(actor, processor, person.pk, ["career", "assessment"])
    with pytest.raises(ProcessorRefused, match="must name the processor"):
        disclose(
            actor=actor,
            recipient=Recipient("processor", "Someone"),
            contents={person.pk: "x"},
            categories=["career"],
            purpose="mediation",
            channel="email",
        )
    assert not Disclosure.objects.exists()


def test_register_entries_follow_the_rules(actor: Actor) -> None:
    cases = [
        ({"country": "US"}, "safeguard"),
        ({"kind": "sub_processor"}, "parent"),
        ({"categories": ["shoes"]}, "categories"),
        ({"categories": []}, "categories"),
        ({"country": "Belgium"}, "country"),
    ]
    for data, field in cases:
        with pytest.raises(ValidationError) as refused:
            _processor(actor, **data)
        assert field in refused.value.message_dict, data
    assert not Processor.objects.exists()

    abroad = _processor(actor, country="us", safeguard="standard_contractual_clauses")
    assert abroad.country == "US"
    assert abroad.outside_eea
    with pytest.raises(ValidationError, match="cannot end before"):
        agreement_add(
            actor=actor,
            processor=abroad,
            signed_on=clock.today(),
            valid_until=clock.today() - dt.timedelta(days=1),
        )


def test_an_agreement_keeps_its_signed_copy_and_the_register_shows_its_status(
    actor: Actor, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    processor = _processor(actor)
    content = b"%PDF-1.4 signed agreement"

    agreement = agreement_add(
        actor=actor,
        processor=processor,
        signed_on=clock.today(),
        valid_until=clock.today() + dt.timedelta(days=365),
        reference="DPA-2026-01",
        upload=SimpleUploadedFile("verwerkersovereenkomst.pdf", content, "application/pdf"),
    )

    assert agreement.sha256 == hashlib.sha256(content).hexdigest()
    assert "verwerkersovereenkomst" not in agreement.file.name
    assert (tmp_path / agreement.file.name).read_bytes() == content
    ((entry, status, latest),) = processors_register(clock.today())
    assert (entry, status, latest) == (processor, AgreementStatus.VALID, agreement)
    later = clock.today() + dt.timedelta(days=400)
    assert agreement_status(processor, later) == AgreementStatus.EXPIRED


def test_a_transfer_sends_the_registry_fields_of_the_categories_and_records_them(
    actor: Actor,
) -> None:
    person = make_candidate(actor, desired_function="Lasser", current_employer="Acme")
    processor = _processor(actor, categories=["career"])
    agreement_add(actor=actor, processor=processor, signed_on=clock.today())

    sent = processor_transfer(
        actor=actor,
        processor=processor,
        person_ids=[person.pk],
        categories=["career"],
        purpose="mediation",
    )

    data = json.loads(sent[person.pk])
    assert data["recruitment.candidateprofile"][0]["desired_function"] == "Lasser"
    assert "people.person" not in data  # identity was not asked for
    assert person.last_name not in sent[person.pk]
    row = Disclosure.objects.get()
    assert row.content == sent[person.pk]
    assert row.processor_id == processor.pk
