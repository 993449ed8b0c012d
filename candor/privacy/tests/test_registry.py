"""Every field of every installed model is declared (R9.1), and the declarations are usable."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.test.utils import isolate_apps

from candor.people.models import Person
from candor.privacy import registry
from candor.privacy.registry import PD, Category, keep, personal_data

pytestmark = pytest.mark.req("R9.1", "R3.2")


def test_every_field_of_every_installed_model_is_declared() -> None:
    gaps = registry.gaps()
    assert gaps == [], "\n".join(f"{g.model}.{g.field}: {g.problem}" for g in gaps)


def test_djangos_own_user_session_and_admin_models_are_covered() -> None:
    labels = {d.label for d in registry.declarations()}
    assert {"accounts.user", "sessions.session", "admin.logentry", "auth.group"} <= labels
    assert len(labels) == len(apps.get_models())


@isolate_apps("candor.people")
def test_a_new_undeclared_field_is_reported() -> None:
    @personal_data(subject="", fields={"name": PD(Category.IDENTITY)}, not_personal={"id": "key"})
    class Pet(models.Model):
        name = models.CharField(max_length=20)
        microchip = models.CharField(max_length=20)

        class Meta:
            app_label = "people"

        def __str__(self) -> str:
            return self.name

    problems = {(g.field, g.problem) for g in registry.gaps([Pet])}
    assert problems == {("microchip", "field not declared")}


@isolate_apps("candor.people")
def test_a_model_without_any_declaration_is_reported_field_by_field() -> None:
    class Note(models.Model):
        text = models.TextField()

        class Meta:
            app_label = "people"

        def __str__(self) -> str:
            return self.text

    problems = {(g.field, g.problem) for g in registry.gaps([Note])}
    assert problems == {("id", "model has no declaration"), ("text", "model has no declaration")}


def test_a_field_cannot_be_both_personal_and_not() -> None:
    with pytest.raises(ValueError, match="both personal and not"):
        registry.declare(
            Person,
            subject="",
            fields={"notes": PD(Category.IDENTITY)},
            not_personal={"notes": "nothing"},
        )


def test_keeping_a_value_requires_naming_the_obligation() -> None:
    with pytest.raises(ValueError, match="legal obligation"):
        keep("  ")


def test_a_non_personal_field_needs_a_reason() -> None:
    with pytest.raises(ValueError, match="needs a reason"):
        registry.declare(Person, subject="", fields={}, not_personal={"notes": " "})


def test_every_subject_path_leads_to_a_person() -> None:
    for declaration in registry.declarations():
        if not declaration.subject:
            continue
        model = declaration.model
        for step in declaration.subject.split("__"):
            model = model._meta.get_field(step).related_model
        assert model is Person, f"{declaration.label}: {declaration.subject} does not reach Person"


def test_the_json_registry_lists_fields_with_category_origin_and_erasure() -> None:
    out = StringIO()
    call_command("registry", "--format", "json", "--check", stdout=out)
    payload = json.loads(out.getvalue())
    rows = {(r["model"], r["field"]): r for r in payload["personal"]}
    birth = rows[("people.person", "birth_date")]
    assert birth["category"] == "demographic"
    assert birth["provided_by_subject"] is True
    assert birth["sensitive"] is True
    iban = rows[("relations.organisation", "iban")]
    assert iban["erasure"].startswith("keep: Belgian bookkeeping law")
    notes = rows[("guidance.guidancesession", "notes")]
    assert notes["category"] == "guidance"
    assert payload["undeclared"] == []
    reasons = {(r["model"], r["field"]): r["reason"] for r in payload["not_personal"]}
    assert "pseudonymous" in reasons[("audit.auditevent", "subject")]


def test_the_markdown_registry_has_a_table_per_model() -> None:
    out = StringIO()
    call_command("registry", stdout=out)
    text = out.getvalue()
    assert "## `people.person`" in text
    assert "| `birth_date` | birth date | demographic | yes | yes | delete |" in text
