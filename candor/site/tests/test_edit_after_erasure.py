"""An erased person stays erased: no edit, however it arrives, writes personal data back.

With several app servers and a worker, the retention sweep can erase a person while a
consultant has the person's form open, or after a page listed them; the save that follows
must not refill the anonymised record (R6.6).
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from candor.accounts.models import User
from candor.api.tests.factories import make_candidate
from candor.audit.models import AuditEvent
from candor.core.actor import Actor
from candor.people.models import Person
from candor.people.services import person_update
from candor.privacy.erasure import person_erase

pytestmark = [pytest.mark.django_db, pytest.mark.req("R6.6", "R7.1")]


def _updates(person: Person) -> int:
    return AuditEvent.objects.filter(action="update", subject=str(person.pseudonym)).count()


def test_a_person_erased_after_being_loaded_is_not_refilled_by_a_save(actor: Actor) -> None:
    person = make_candidate(actor, first_name="Lotte", last_name="Verbeke")
    loaded = Person.objects.get(pk=person.pk)  # e.g. the API read it a moment ago
    person_erase(actor=Actor.system("retention"), person=person.pk, reason="retention")

    with pytest.raises(ValidationError, match="erased"):
        person_update(actor=actor, person=loaded, changes={"notes": "Rijbewijs C"})

    stored = Person.objects.get(pk=person.pk)
    assert stored.erased_at is not None
    assert stored.notes != "Rijbewijs C"
    assert _updates(person) == 0


def test_the_edit_form_of_an_erased_person_refuses_to_save_and_says_why(
    actor: Actor, consultant: User
) -> None:
    person = make_candidate(actor, first_name="Lotte", last_name="Verbeke")
    client = Client()
    client.force_login(consultant)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    url = reverse("site:person_edit", args=[person.pk])
    page = client.get(url)
    version = page.context["form"]["updated_at"].value()
    person_erase(actor=Actor.system("retention"), person=person.pk, reason="retention")

    answer = client.post(
        url,
        {"updated_at": version, "first_name": "Lotte", "last_name": "Verbeke", "notes": "x"},
    )

    assert answer.status_code == 200  # refused as stale: the erasure changed the record
    stored = Person.objects.get(pk=person.pk)
    assert stored.first_name != "Lotte"
    assert stored.notes != "x"
    assert _updates(person) == 0


def test_the_api_refuses_to_change_an_erased_person_with_a_clear_answer(
    actor: Actor, consultant: User, api_client
) -> None:
    person = make_candidate(actor, first_name="Lotte", last_name="Verbeke")
    person_erase(actor=Actor.system("retention"), person=person.pk, reason="retention")

    answer = api_client(consultant).patch(
        f"/api/v1/persons/{person.pk}",
        {"first_name": "Lotte", "last_name": "Verbeke", "notes": "Rijbewijs C"},
        content_type="application/json",
        headers={"accept-language": "en"},
    )

    assert answer.status_code == 422
    assert "erased" in answer.json()["detail"]
    assert Person.objects.get(pk=person.pk).notes != "Rijbewijs C"


def test_a_form_opened_after_the_erasure_says_the_person_was_erased(
    actor: Actor, consultant: User
) -> None:
    person = make_candidate(actor, first_name="Lotte", last_name="Verbeke")
    person_erase(actor=Actor.system("retention"), person=person.pk, reason="retention")
    client = Client()
    client.force_login(consultant)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    url = reverse("site:person_edit", args=[person.pk])
    version = client.get(url).context["form"]["updated_at"].value()

    answer = client.post(
        url,
        {"updated_at": version, "first_name": "Lotte", "last_name": "Verbeke", "notes": "x"},
    )

    assert answer.status_code == 200
    assert "This person&#x27;s data was erased" in answer.content.decode()
    assert Person.objects.get(pk=person.pk).first_name != "Lotte"
    assert _updates(person) == 0
