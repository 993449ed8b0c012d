"""The disclosure pages: a consultant mails anonymous profiles and follows the progress (R4.1),
hands one profile to a client through the ledger (R4.5), and the DPO keeps the processor
register (R4.4)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from candor.api.tests.factories import make_candidates, make_client
from candor.core import clock
from candor.core.actor import Actor
from candor.disclosure.mailings import queued_job
from candor.disclosure.models import Disclosure, Mailing, ProcessingAgreement, Processor
from candor.disclosure.processors import agreement_add, processor_save
from candor.disclosure.profiles import profile_code
from candor.people.services import ProvenanceSpec
from candor.privacy.services import restriction_start
from candor.relations.services import contact_person_create

pytestmark = [pytest.mark.django_db]


def _client_with_contact(actor: Any, n: int) -> Any:
    client = make_client(actor)
    contact_person_create(
        actor=actor,
        organisation=client,
        source=ProvenanceSpec.parse("self", channel="form", recorded_by_id=actor.user_id),
        first_name="Karin",
        last_name=f"Contact{n}",
        email=f"karin{n}@client.example.com",
    )
    return client


@pytest.mark.req("R4.1")
def test_a_consultant_mails_profiles_and_sees_who_was_left_out_and_the_progress(
    consultant: Any, consultant_actor: Any, staff_client: Any
) -> None:
    shared, restricted = make_candidates(consultant_actor, 2, desired_function="Lasser")
    restriction_start(actor=consultant_actor, person=restricted, ground="accuracy", via="email")
    clients = [_client_with_contact(consultant_actor, n) for n in range(2)]
    browser = staff_client(consultant)

    response = browser.post(
        "/disclosure/mailings/new/",
        {
            "subject": "Lassers voor u",
            "candidates": f"{shared.pk}, {restricted.pk}",
            "clients": [c.pk for c in clients],
        },
        follow=True,
    )

    mailing = Mailing.objects.get()
    page = response.content.decode()
    assert "1 of the chosen candidates were left out" in page
    assert profile_code(shared.pseudonym) in page
    assert "Lasser" in page
    assert restricted.last_name not in page
    assert shared.last_name not in page
    browser.post(
        f"/disclosure/mailings/{mailing.pk}/pitch/",
        {"person_id": shared.pk, "pitch": f"Zie {shared.first_name} {shared.last_name}"},
    )
    assert not mailing.candidates.get().pitch  # a text naming the candidate is refused
    browser.post(f"/disclosure/mailings/{mailing.pk}/queue/")
    progress = browser.get(f"/disclosure/mailings/{mailing.pk}/progress/").content.decode()
    assert "0 of 2 e-mails sent" in progress
    assert "hx-trigger" in progress

    queued_job()

    progress = browser.get(f"/disclosure/mailings/{mailing.pk}/progress/").content.decode()
    assert "2 of 2 e-mails sent" in progress
    assert "hx-trigger" not in progress
    assert len(mail.outbox) == 2


@pytest.mark.req("R4.1")
def test_bad_mailing_input_is_shown_on_the_form_and_nothing_is_written(
    consultant: Any, staff_client: Any
) -> None:
    response = staff_client(consultant).post(
        "/disclosure/mailings/new/", {"subject": "X", "candidates": "12, abc", "clients": []}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Give candidate ids" in page
    assert not Mailing.objects.exists()


@pytest.mark.req("R4.5")
def test_a_profile_download_is_recorded_for_the_chosen_client_and_a_restricted_one_refused(
    consultant: Any, consultant_actor: Any, staff_client: Any
) -> None:
    person, restricted = make_candidates(consultant_actor, 2, desired_function="Planner")
    restriction_start(actor=consultant_actor, person=restricted, ground="accuracy", via="email")
    client = make_client(consultant_actor)
    browser = staff_client(consultant)

    preview = browser.get(f"/disclosure/profiles/{person.pk}/").content.decode()
    assert "Planner" in preview
    assert not Disclosure.objects.exists()
    response = browser.post(
        f"/disclosure/profiles/{person.pk}/download/", {"client": client.pk, "format": "text"}
    )

    body = response.content.decode()
    assert response["Content-Disposition"].startswith("attachment")
    row = Disclosure.objects.get()
    assert (row.person_id, row.organisation_id, row.channel, row.content) == (
        person.pk,
        client.pk,
        "download",
        body,
    )
    refused = browser.get(f"/disclosure/profiles/{restricted.pk}/").content.decode()
    assert "may not be shared" in refused
    browser.post(
        f"/disclosure/profiles/{restricted.pk}/download/", {"client": client.pk, "format": "text"}
    )
    assert Disclosure.objects.count() == 1


@pytest.mark.req("R4.4")
def test_the_dpo_keeps_the_register_and_the_administrator_reads_it(
    dpo: Any, administrator: Any, staff_client: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    browser = staff_client(dpo)
    entry = {
        "name": "Cloud Mail Inc.",
        "kind": "processor",
        "service": "it",
        "categories": ["identity", "contact"],
        "country": "US",
        "review_on": (clock.today() + dt.timedelta(days=300)).isoformat(),
        "active": "on",
    }

    refused = browser.post("/disclosure/processors/new/", entry)
    assert refused.status_code == 400
    assert "needs a safeguard" in refused.content.decode()
    browser.post(
        "/disclosure/processors/new/", {**entry, "safeguard": "standard_contractual_clauses"}
    )
    processor = Processor.objects.get()
    browser.post(
        f"/disclosure/processors/{processor.pk}/agreements/new/",
        {
            "reference": "DPA-7",
            "signed_on": (clock.today() - dt.timedelta(days=400)).isoformat(),
            "valid_until": (clock.today() - dt.timedelta(days=1)).isoformat(),
            "file": SimpleUploadedFile("dpa.pdf", b"%PDF signed", "application/pdf"),
        },
    )

    agreement = ProcessingAgreement.objects.get()
    listing = staff_client(administrator).get("/disclosure/processors/").content.decode()
    assert "Cloud Mail Inc." in listing
    assert "Expired" in listing
    copy = staff_client(administrator).get(
        f"/disclosure/processors/{processor.pk}/agreements/{agreement.pk}/file/"
    )
    assert b"".join(copy.streaming_content) == b"%PDF signed"


@pytest.mark.req("R4.4")
def test_a_consultant_sends_a_file_to_a_processor_only_under_a_valid_agreement(
    consultant: Any, consultant_actor: Any, dpo: Any, staff_client: Any
) -> None:
    person = make_candidates(consultant_actor, 1, desired_function="Chauffeur")[0]
    processor = processor_save(
        actor=Actor.for_user(dpo),
        data={
            "name": "Extern Assessment BV",
            "service": "consultant",
            "categories": ["career"],
            "country": "BE",
            "review_on": clock.today(),
        },
    )
    agreement_add(
        actor=Actor.for_user(dpo),
        processor=processor,
        signed_on=clock.today() - dt.timedelta(days=400),
        valid_until=clock.today() - dt.timedelta(days=1),
    )
    browser = staff_client(consultant)
    form = {"candidates": str(person.pk), "categories": ["career"], "purpose": "mediation"}

    refused = browser.post(f"/disclosure/processors/{processor.pk}/transfer/", form)
    assert refused.status_code == 400
    assert "no processing agreement valid" in refused.content.decode()
    assert not Disclosure.objects.exists()
    agreement_add(actor=Actor.for_user(dpo), processor=processor, signed_on=clock.today())
    sent = browser.post(f"/disclosure/processors/{processor.pk}/transfer/", form)

    assert sent["Content-Disposition"].startswith("attachment")
    assert "Chauffeur" in sent.content.decode()
    row = Disclosure.objects.get()
    assert (row.person_id, row.processor_id, row.by_id) == (person.pk, processor.pk, consultant.pk)
