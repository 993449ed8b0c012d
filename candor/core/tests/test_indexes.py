"""The tables an import writes for every new person keep no foreign-key index that another
index already does the work of: each index is written on every insert (an import of 100,000
people wrote 750,000 such entries for nothing)."""

from __future__ import annotations

import pytest
from django.db import models

from candor.audit.models import AuditEvent
from candor.people.models import Person
from candor.privacy.models import NoticeDuty
from candor.recruitment.intake import SECTIONS

WRITTEN_PER_PERSON = (Person, *SECTIONS, NoticeDuty, AuditEvent)


def _leading_fields(meta: models.options.Options) -> set[str]:  # type: ignore[type-arg]
    """Fields that start an index over all rows of more than one column: a unique constraint
    without a condition, ``unique_together``, or a plain ``Meta.indexes`` entry."""
    leading = {fields[0] for fields in meta.unique_together if len(fields) > 1}
    for item in [*meta.constraints, *meta.indexes]:
        fields = getattr(item, "fields", ())
        if (
            isinstance(item, models.UniqueConstraint | models.Index)
            and len(fields) > 1
            and getattr(item, "condition", None) is None
        ):
            leading.add(fields[0].lstrip("-"))
    return leading


@pytest.mark.parametrize("model", WRITTEN_PER_PERSON, ids=lambda m: m._meta.label)
def test_no_foreign_key_index_repeats_the_start_of_another_index(
    model: type[models.Model],
) -> None:
    leading = _leading_fields(model._meta)
    redundant = [
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, models.ForeignKey) and field.db_index and field.name in leading
    ]
    assert redundant == []


def test_the_check_finds_an_index_a_unique_constraint_repeats() -> None:
    """Without the change, the skill's person key had its own index beside ``skill_once``."""
    meta = SECTIONS[-1]._meta
    assert meta.label == "recruitment.Skill"
    assert "person" in _leading_fields(meta)
    assert meta.get_field("person").db_index is False
