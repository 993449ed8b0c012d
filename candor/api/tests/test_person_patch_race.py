"""A PATCH carries no version: it changes only the fields it names, and what it derives from
the name (the duplicate-detection key) follows the names as stored, even when another server
saved the other name between the PATCH's read and its write."""

from __future__ import annotations

import pytest

from candor.api.tests.factories import make_candidate
from candor.core.actor import Actor
from candor.core.normalise import normalise_name
from candor.people.models import Person
from candor.people.services import person_update

pytestmark = [pytest.mark.django_db, pytest.mark.req("R7.1")]


def test_a_versionless_change_of_one_name_keeps_the_key_in_step_with_the_stored_other_name(
    actor: Actor,
) -> None:
    person = make_candidate(actor, first_name="Hanne", last_name="Claeys")
    read_by_the_api = Person.objects.get(pk=person.pk)
    form = Person.objects.get(pk=person.pk)
    person_update(
        actor=actor,
        person=form,
        changes={"last_name": "Claes"},
        expected_updated_at=form.updated_at,
    )

    person_update(actor=actor, person=read_by_the_api, changes={"first_name": "Hanna"})

    stored = Person.objects.get(pk=person.pk)
    assert (stored.first_name, stored.last_name) == ("Hanna", "Claes")
    assert stored.name_key == normalise_name("Hanna Claes")
