"""Two consultants edit the same person: the second save never silently overwrites the first.

The form carries the ``updated_at`` it was loaded with; ``person_update`` compares it with the
stored row under a lock in the write transaction and refuses a stale save (``StaleEdit``).
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from candor.accounts.models import User
from candor.api.tests.factories import make_candidate
from candor.audit.models import AuditEvent
from candor.core.actor import Actor
from candor.core.editing import StaleEdit
from candor.people.models import Person
from candor.people.services import person_update

pytestmark = [pytest.mark.django_db, pytest.mark.req("R1.1")]


class _FormValues(HTMLParser):
    """What a browser would send for the page's ``main form``: inputs, selected options and
    text areas, hidden ones included."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self._in_main = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "main":
            self._in_main = True
        if not self._in_main:
            return
        if tag == "input" and a.get("name") and a.get("type") != "submit":
            self.values[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a["name"]
            self.values.setdefault(a["name"], "")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.values[a["name"]] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            # Django starts a textarea with a newline that browsers drop.
            self.values[self._textarea] += data.removeprefix("\n")


def _opened(client: Client, url: str) -> dict[str, str]:
    parser = _FormValues()
    parser.feed(client.get(url).content.decode())
    parser.values.pop("csrfmiddlewaretoken", None)
    parser.values.pop("language", None)  # the language selector's form, not this one
    parser.values.pop("next", None)
    return parser.values


@pytest.fixture
def person(actor: Actor) -> Person:
    return make_candidate(
        actor, first_name="Hanne", last_name="Claeys", notes="Rijbewijs B", contact_times=""
    )


@pytest.fixture
def two_editors(consultant: User, colleague: User) -> tuple[Client, Client]:
    first, second = Client(), Client()
    first.force_login(consultant)
    second.force_login(colleague)
    for client in (first, second):
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # messages are checked in English
    return first, second


def _updates_by(user: User, person: Person) -> int:
    return AuditEvent.objects.filter(
        action="update", subject=str(person.pseudonym), actor=f"staff:{user.pk}"
    ).count()


def test_the_second_save_is_refused_with_what_changed_and_keeps_what_was_typed(
    two_editors: tuple[Client, Client], person: Person, consultant: User, colleague: User
) -> None:
    first, second = two_editors
    url = reverse("site:person_edit", args=[person.pk])
    mine, theirs = _opened(first, url), _opened(second, url)

    saved = first.post(url, {**mine, "contact_times": "after 17:00"})
    refused = second.post(url, {**theirs, "notes": "Rijbewijs B en C", "last_name": "Claes"})

    assert saved.status_code == 302
    assert refused.status_code == 200
    form = refused.context["form"]
    (error,) = form.non_field_errors()
    assert "Someone else saved changes" in error
    assert "preferred contact times" in error  # names what the other person changed
    assert "Nothing you typed was saved" in error
    page = refused.content.decode()
    assert 'role="alert"' in page
    # What the second consultant typed is still there; the field they did not touch shows the
    # first consultant's value, so saving again does not undo it.
    assert form["notes"].value() == "Rijbewijs B en C"
    assert form["last_name"].value() == "Claes"
    assert form["contact_times"].value() == "after 17:00"
    person.refresh_from_db()
    assert (person.last_name, person.notes, person.contact_times) == (
        "Claeys",
        "Rijbewijs B",
        "after 17:00",
    )
    assert _updates_by(colleague, person) == 0

    parser = _FormValues()
    parser.feed(page)
    again = second.post(url, {k: v for k, v in parser.values.items() if k != "language"})

    assert again.status_code == 302, again.context["form"].errors
    person.refresh_from_db()
    assert (person.last_name, person.notes, person.contact_times) == (
        "Claes",
        "Rijbewijs B en C",
        "after 17:00",  # the first consultant's change survived
    )
    assert _updates_by(consultant, person) == _updates_by(colleague, person) == 1


def test_a_field_both_changed_shows_the_value_saved_meanwhile(
    two_editors: tuple[Client, Client], person: Person
) -> None:
    first, second = two_editors
    url = reverse("site:person_edit", args=[person.pk])
    mine, theirs = _opened(first, url), _opened(second, url)

    first.post(url, {**mine, "notes": "Only mornings"})
    refused = second.post(url, {**theirs, "notes": "<b>Only evenings</b>"})

    form = refused.context["form"]
    assert form["notes"].value() == "<b>Only evenings</b>"
    assert "Changed meanwhile to “Only mornings”" in " ".join(form.errors["notes"])
    page = refused.content.decode()
    assert "&lt;b&gt;Only evenings&lt;/b&gt;" in page
    assert "<b>Only evenings" not in page
    person.refresh_from_db()
    assert person.notes == "Only mornings"


def test_a_form_without_a_valid_version_is_refused(
    two_editors: tuple[Client, Client], person: Person
) -> None:
    first, _ = two_editors
    url = reverse("site:person_edit", args=[person.pk])
    values = _opened(first, url)

    for version in ("", "yesterday", "2024-01-01T10:00:00"):  # missing, garbage, no time zone
        response = first.post(url, {**values, "updated_at": version, "notes": "Changed"})
        assert response.status_code == 200
        assert "This form is out of date" in response.content.decode()
    person.refresh_from_db()
    assert person.notes == "Rijbewijs B"


def test_the_service_refuses_a_stale_version_and_writes_nothing(
    person: Person, actor: Actor, colleague: User
) -> None:
    loaded_at = person.updated_at
    elsewhere = Person.objects.get(pk=person.pk)
    person_update(
        actor=Actor.for_user(colleague),
        person=elsewhere,
        changes={"notes": "First"},
        expected_updated_at=loaded_at,
    )
    events = AuditEvent.objects.count()

    with pytest.raises(StaleEdit) as refused:
        person_update(
            actor=actor, person=person, changes={"notes": "Second"}, expected_updated_at=loaded_at
        )

    assert refused.value.current.notes == "First"
    assert refused.value.current.updated_at > loaded_at
    assert person.notes == "Rijbewijs B"  # the caller's copy keeps what it loaded
    assert AuditEvent.objects.count() == events
    assert Person.objects.get(pk=person.pk).notes == "First"


def test_without_a_version_the_service_saves_as_before(person: Person, actor: Actor) -> None:
    # The API's PATCH does not send a version (yet): its behaviour is unchanged.
    stale: Any = person.updated_at
    Person.objects.filter(pk=person.pk).update(contact_times="x")

    assert person_update(actor=actor, person=person, changes={"notes": "API"}) == ["notes"]
    assert person.updated_at > stale
