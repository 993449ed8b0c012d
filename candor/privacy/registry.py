"""The personal-data registry (DESIGN invariant 1, R3.2, R9.1).

Every model declares, next to its fields, what each field holds:

    @personal_data(
        subject="person",                      # path from a row to the Person it is about
        fields={"birth_date": PD(Category.DEMOGRAPHIC, provided=True, erasure=DELETE)},
        not_personal={"id": "surrogate key"},
    )
    class CandidateProfile(models.Model): ...

A field is either declared as personal (``PD``) or listed in ``not_personal`` with a reason.
``candor.privacy.tests.test_registry`` fails when any concrete field of any installed model is
neither, so a new field cannot reach the database undeclared. Access exports, portability,
erasure, retention and the Art. 30 register are derived from these declarations, never from
hand-kept lists.

When you add a field: follow ``docs/adding-personal-data.md``.

This module imports no domain app: domain models import it, not the other way round.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from django.apps import apps
from django.db import models


class Category(StrEnum):
    """Data categories, as shown in the Art. 30 register and the access report."""

    IDENTITY = "identity"
    CONTACT = "contact"
    DEMOGRAPHIC = "demographic"
    EDUCATION = "education"
    CAREER = "career"
    ASSESSMENT = "assessment"
    GUIDANCE = "guidance"
    FINANCIAL = "financial"
    ACCOUNT = "account"
    TECHNICAL = "technical"
    PRIVACY = "privacy"  # the person's own choices: consents, objections, restrictions


@dataclass(frozen=True, slots=True)
class Erasure:
    """What erasure does to a field: delete it, replace it, or keep it under a named obligation."""

    kind: str  # "delete" | "anonymise" | "keep"
    replacement: Any = None
    obligation: str = ""

    def describe(self) -> str:
        if self.kind == "anonymise":
            return f"anonymise (replaced by {self.replacement!r})"
        if self.kind == "keep":
            return f"keep: {self.obligation}"
        return "delete"


DELETE = Erasure("delete")


def anonymise(replacement: Any) -> Erasure:
    return Erasure("anonymise", replacement=replacement)


def keep(obligation: str) -> Erasure:
    if not obligation.strip():
        raise ValueError("keep() needs the legal obligation that requires keeping the value")
    return Erasure("keep", obligation=obligation)


@dataclass(frozen=True, slots=True)
class PD:
    """Declaration of one personal-data field."""

    category: Category
    provided: bool = False  # did the person give it to us themselves? (R6.9 portability)
    erasure: Erasure = DELETE
    sensitive: bool = False  # encrypted with the person's key (privacy.fields; docs/security.md)
    description: str = ""


@dataclass(slots=True)
class ModelDeclaration:
    model: type[models.Model]
    subject: str | None  # ORM path to the Person, "" when the row is the Person, None: no subject
    fields: dict[str, PD]
    not_personal: dict[str, str]
    on_erasure: str  # "delete_row" | "anonymise_fields" | "keep_row"
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    def personal_fields(self) -> Iterator[tuple[str, PD]]:
        yield from self.fields.items()


_DECLARATIONS: dict[str, ModelDeclaration] = {}

M = TypeVar("M", bound=type[models.Model])


def personal_data(
    *,
    subject: str | None,
    fields: dict[str, PD] | None = None,
    not_personal: dict[str, str] | None = None,
    on_erasure: str = "delete_row",
    description: str = "",
) -> Callable[[M], M]:
    """Class decorator declaring a model's personal and non-personal fields."""
    if on_erasure not in {"delete_row", "anonymise_fields", "keep_row"}:
        raise ValueError(f"unknown on_erasure {on_erasure!r}")

    def decorate(model: M) -> M:
        declare(
            model,
            subject=subject,
            fields=fields or {},
            not_personal=not_personal or {},
            on_erasure=on_erasure,
            description=description,
        )
        return model

    return decorate


def declare(
    model: type[models.Model],
    *,
    subject: str | None,
    fields: dict[str, PD],
    not_personal: dict[str, str],
    on_erasure: str = "delete_row",
    description: str = "",
) -> ModelDeclaration:
    """Declare a model's fields; used directly for models we do not own (Django's)."""
    overlap = set(fields) & set(not_personal)
    if overlap:
        raise ValueError(f"{model.__name__}: {sorted(overlap)} declared both personal and not")
    for name, reason in not_personal.items():
        if not reason.strip():
            raise ValueError(f"{model.__name__}.{name}: a non-personal field needs a reason")
    declaration = ModelDeclaration(
        model=model,
        subject=subject,
        fields=dict(fields),
        not_personal=dict(not_personal),
        on_erasure=on_erasure,
        description=description,
    )
    _DECLARATIONS[model._meta.label_lower] = declaration
    return declaration


def declaration_for(model: type[models.Model]) -> ModelDeclaration | None:
    return _DECLARATIONS.get(model._meta.label_lower)


def declarations() -> list[ModelDeclaration]:
    """Declarations of every installed model, in app/model order."""
    installed = {m._meta.label_lower for m in apps.get_models()}
    return sorted(
        (d for label, d in _DECLARATIONS.items() if label in installed), key=lambda d: d.label
    )


def field_names(model: type[models.Model]) -> list[str]:
    """Concrete and many-to-many field names: everything that stores a value for a row."""
    names = []
    for f in model._meta.get_fields():
        if getattr(f, "auto_created", False) and not getattr(f, "concrete", False):
            continue  # reverse relations store nothing on this model
        if f.concrete or f.many_to_many:
            names.append(f.name)
    return names


@dataclass(frozen=True, slots=True)
class Gap:
    model: str
    field: str
    problem: str


def gaps(candidates: list[type[models.Model]] | None = None) -> list[Gap]:
    """Every field of the installed models (or of ``candidates``) that is neither declared
    personal nor marked non-personal, and every declaration naming a field that does not exist."""
    found: list[Gap] = []
    for model in candidates if candidates is not None else apps.get_models():
        label = model._meta.label_lower
        declaration = _DECLARATIONS.get(label)
        names = field_names(model)
        if declaration is None:
            found.extend(Gap(label, name, "model has no declaration") for name in names)
            continue
        declared = set(declaration.fields) | set(declaration.not_personal)
        found.extend(
            Gap(label, name, "field not declared") for name in names if name not in declared
        )
        found.extend(
            Gap(label, name, "declared field does not exist")
            for name in sorted(declared - set(names))
        )
    return found


def as_rows() -> list[dict[str, Any]]:
    """One row per personal field: the basis of ``candor registry`` and the Art. 30 register."""
    rows = []
    for d in declarations():
        for name, pd in d.fields.items():
            verbose = getattr(d.model._meta.get_field(name), "verbose_name", name)
            rows.append(
                {
                    "model": d.label,
                    "field": name,
                    "label": str(verbose),
                    "category": pd.category.value,
                    "provided_by_subject": pd.provided,
                    "erasure": pd.erasure.describe(),
                    "sensitive": pd.sensitive,
                    "subject_path": d.subject,
                    "on_erasure": d.on_erasure,
                }
            )
    return rows


def non_personal_rows() -> list[dict[str, str]]:
    return [
        {"model": d.label, "field": name, "reason": reason}
        for d in declarations()
        for name, reason in d.not_personal.items()
    ]
