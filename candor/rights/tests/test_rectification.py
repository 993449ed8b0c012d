"""Rectification (R6.5): corrections are validated as a whole, the old value is kept in the audit
trail only, and the recipients of the corrected categories are listed for notification."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from candor.api.tests.factories import make_candidate, make_client, unique_email
from candor.audit.models import AuditEvent
from candor.core import clock
from candor.core.actor import Actor
from candor.disclosure.models import Disclosure
from candor.people.models import Address, ContactPoint, Person
from candor.recruitment.models import CandidateProfile
from candor.rights.rectification import rectify

pytestmark = [pytest.mark.django_db, pytest.mark.req("R6.5")]


def _disclosed(person: Person, actor: Actor, categories: list[str], name: str) -> None:
    Disclosure.objects.create(
        person=person,
        recipient_kind="client",
        organisation=make_client(actor, name=name),
        recipient=name,
        categories=categories,
        purpose="mediation",
        legal_basis="legitimate_interest",
        channel="email",
        at=clock.now(),
        actor=actor.ref,
        content_sha256="0" * 64,
    )


def test_a_corrected_name_keeps_the_old_value_in_the_audit_trail_only(actor: Actor) -> None:
    person = make_candidate(actor, first_name="Jna", last_name="Peeters")
    result = rectify(
        actor=actor, person_id=person.pk, changes={"first_name": "Jan"}, request_ref="REQ-7"
    )
    assert result.ok, result.errors
    assert result.changed == ["first_name"]
    person.refresh_from_db()
    assert person.first_name == "Jan"
    assert person.name_key == "jan peeters"
    event = AuditEvent.objects.get(action="rectify")
    assert event.detail == {
        "request": "REQ-7",
        "fields": ["first_name"],
        "old": {"first_name": "Jna"},
    }
    assert event.subject == str(person.pseudonym)


def test_recipients_of_the_corrected_categories_are_listed(actor: Actor) -> None:
    person = make_candidate(actor)
    _disclosed(person, actor, ["identity", "career"], "Klant Identiteit")
    _disclosed(person, actor, ["career"], "Klant Loopbaan")
    result = rectify(actor=actor, person_id=person.pk, changes={"last_name": "Janssens"})
    assert result.categories == {"identity"}
    assert [r.name for r in result.recipients] == ["Klant Identiteit"]


def test_an_invalid_value_saves_nothing_and_names_every_field(actor: Actor) -> None:
    email = unique_email()
    person = make_candidate(actor, first_name="An", emails=[email])
    point = ContactPoint.objects.get(person=person)
    result = rectify(
        actor=actor,
        person_id=person.pk,
        changes={
            "first_name": "Anna",
            f"contact_points.{point.pk}": "not an address",
            "birth_date": dt.date(2999, 1, 1),
            "pseudonym": "x",
        },
    )
    assert not result.ok
    assert set(result.errors) == {f"contact_points.{point.pk}", "pseudonym", "birth_date"}
    person.refresh_from_db()
    assert person.first_name == "An"
    point.refresh_from_db()
    assert point.normalised == email
    assert not AuditEvent.objects.filter(action__in=["rectify", "update"]).exists()


def test_a_birth_date_in_the_future_is_refused_with_its_reason(actor: Actor) -> None:
    person = make_candidate(actor)
    result = rectify(actor=actor, person_id=person.pk, changes={"birth_date": "2999-01-01"})
    assert not result.ok
    assert "future" in result.errors["birth_date"][0]


def test_a_contact_point_is_corrected_normalised_and_its_old_value_audited(actor: Actor) -> None:
    old = unique_email()
    person = make_candidate(actor, emails=[old])
    point = ContactPoint.objects.get(person=person)
    new = unique_email()
    result = rectify(
        actor=actor, person_id=person.pk, changes={f"contact_points.{point.pk}": new.upper()}
    )
    assert result.ok, result.errors
    point.refresh_from_db()
    assert point.normalised == new
    assert result.categories == {"contact"}
    assert AuditEvent.objects.get(action="rectify").detail["old"] == {
        f"contact_points.{point.pk}": old
    }


def test_completing_adds_a_phone_address_and_profile(actor: Actor) -> None:
    person = make_candidate(actor)
    result = rectify(
        actor=actor,
        person_id=person.pk,
        changes={
            "contact_points.new.mobile": "0470 99 88 77",
            "address.city": "Gent",
            "address.postcode": "9000",
            "profile.desired_function": "Boekhouder",
        },
    )
    assert result.ok, result.errors
    assert ContactPoint.objects.get(person=person, kind="mobile").normalised == "+32470998877"
    assert Address.objects.get(person=person).city == "Gent"
    assert CandidateProfile.objects.get(person=person).desired_function == "Boekhouder"
    assert result.categories == {"contact", "career"}


def test_another_persons_contact_point_cannot_be_touched(actor: Actor) -> None:
    person, other = make_candidate(actor), make_candidate(actor)
    theirs = ContactPoint.objects.get(person=other)
    result = rectify(
        actor=actor, person_id=person.pk, changes={f"contact_points.{theirs.pk}": unique_email()}
    )
    assert result.errors == {f"contact_points.{theirs.pk}": ["No such contact point."]}


def test_an_erased_person_cannot_be_rectified(actor: Actor) -> None:
    from candor.privacy.erasure import person_erase

    person = make_candidate(actor)
    person_erase(actor=actor, person=person, reason="request")
    result = rectify(actor=actor, person_id=person.pk, changes={"first_name": "X"})
    assert not result.ok
    assert "__all__" in result.errors


def test_the_same_value_changes_nothing(actor: Actor, django_assert_max_num_queries: Any) -> None:
    person = make_candidate(actor, first_name="Els")
    result = rectify(actor=actor, person_id=person.pk, changes={"first_name": "Els"})
    assert result.ok
    assert result.changed == []
    assert not AuditEvent.objects.filter(action="rectify").exists()


def test_an_unknown_kind_of_contact_is_refused(actor: Actor) -> None:
    person = make_candidate(actor)
    result = rectify(actor=actor, person_id=person.pk, changes={"contact_points.new.fax": "x"})
    assert result.errors == {"contact_points.new.fax": ["Unknown kind of contact."]}


def test_nothing_to_correct_is_refused(actor: Actor) -> None:
    person = make_candidate(actor)
    assert not rectify(actor=actor, person_id=person.pk, changes={}).ok
