"""The agency's privacy statement: published versions, which one is in force, and which version
each person was shown, sent or accepted (R8.2); the controller's and the DPO's details in it come
from the policy (R8.1, R8.3).

The text is ours, one template per language (``privacy/statement/<language>.txt``), rendered
with the controller, DPO and authority, the purposes with their legal bases, transfers and the
retention periods of the policy in force. Publishing stores the rendered text: a published version
never changes afterwards, even when the policy or the templates do, so what a person was shown
can always be read back. A new text is a new version.

When you change the templates: publish a new version (``candor statement publish``) with a
summary of the changes in each language.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from candor.audit.services import audit_record
from candor.core import clock
from candor.core.actor import Actor
from candor.people.models import Person
from candor.privacy.models import ReceiptKind, StatementReceipt, StatementVersion, Via
from candor.privacy.policy import LANGUAGES, ROLES, Policy, policy

VERSION_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-]{0,19}$")


def statement_render(
    *, language: str, version: str, published_on: dt.date, rules: Policy | None = None
) -> str:
    """The statement in ``language`` from the policy in force (or ``rules``)."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {list(LANGUAGES)}, not {language!r}")
    rules = rules or policy()
    candidate = rules.retention.candidate
    context = {
        "version": version,
        "published_on": published_on,
        "controller": rules.controller,
        "dpo": rules.dpo,
        "authority": {
            "name": rules.authority.name.get(language),
            "address": rules.authority.address,
            "email": rules.authority.email,
            "website": rules.authority.website,
        },
        "purposes": [
            {
                "label": p.label.get(language),
                "basis": p.legal_basis.value,
                "also_legal_obligation": p.also_legal_obligation,
                "objectable": p.objectable,
                "direct_marketing": p.direct_marketing,
            }
            for p in rules.purposes.values()
        ],
        "consent_purposes": [
            {"label": p.label.get(language), "valid_months": p.consent.valid_months}
            for p in rules.purposes.values()
            if p.consent is not None
        ],
        "transfers": [
            {"recipient": t.recipient, "country": t.country, "safeguard": t.safeguard.value}
            for t in rules.transfers
        ],
        "max_years": candidate.max_years,
        "after_months": candidate.after_career_end_months,
        "bookkeeping_years": rules.retention.contract_party.bookkeeping_years,
        "inactive_years": rules.retention.site_user.inactive_years,
    }
    with translation.override(language):
        rendered = str(render_to_string(f"privacy/statement/{language}.txt", context))
    text = "\n".join(line.rstrip() for line in rendered.strip().splitlines())
    return re.sub(r"\n{3,}", "\n\n", text) + "\n"


def statement_bodies(
    *, version: str, published_on: dt.date, rules: Policy | None = None
) -> dict[str, str]:
    return {
        language: statement_render(
            language=language, version=version, published_on=published_on, rules=rules
        )
        for language in LANGUAGES
    }


def statement_latest() -> StatementVersion | None:
    """The most recently published version, even if its date is still to come."""
    return StatementVersion.objects.order_by("-published_on", "-id").first()


def statement_current(*, on: dt.date | None = None) -> StatementVersion | None:
    """The version in force on ``on`` (today): the latest one published on or before it."""
    day = on or clock.today()
    return (
        StatementVersion.objects.filter(published_on__lte=day).order_by("-published_on", "-id")
    ).first()


def statement_versions() -> QuerySet[StatementVersion]:
    return StatementVersion.objects.order_by("-published_on", "-id")


def statement_publish(
    *,
    actor: Actor,
    version: str,
    published_on: dt.date,
    changes: dict[str, str] | None = None,
    bodies: dict[str, str] | None = None,
) -> StatementVersion:
    """Publish a new version of the statement (R8.2). ``bodies`` default to the templates
    rendered with the policy in force (R8.1, R8.3). A version label is used once; a version
    cannot be dated before the latest one; after the first version, the changes must be
    summarised in every language. Nothing ever updates a published version: a correction is
    a new version. Writes the audit event ``statement.publish``."""
    version = version.strip()
    changes = {language: (changes or {}).get(language, "").strip() for language in LANGUAGES}
    errors: dict[str, list[str]] = {}
    if not VERSION_PATTERN.match(version):
        errors["version"] = [
            _("Use up to 20 letters, digits, dots or hyphens, starting with a letter or digit.")
        ]
    elif StatementVersion.objects.filter(version=version).exists():
        errors["version"] = [
            _("Version %(version)s is already published; published versions never change.")
            % {"version": version}
        ]
    latest = statement_latest()
    if latest is not None and published_on < latest.published_on:
        errors["published_on"] = [
            _("The latest version is dated %(date)s; a new one cannot be dated earlier.")
            % {"date": latest.published_on.isoformat()}
        ]
    if latest is not None:
        for language in LANGUAGES:
            if not changes[language]:
                errors[f"changes_{language}"] = [
                    _("Say what changed since the previous version, in this language too.")
                ]
    if bodies is not None:
        for language in LANGUAGES:
            if not bodies.get(language, "").strip():
                errors[f"body_{language}"] = [_("The statement text cannot be empty.")]
    if errors:
        raise ValidationError(errors)
    texts = bodies or statement_bodies(version=version, published_on=published_on)
    try:
        with transaction.atomic():
            published = StatementVersion.objects.create(
                version=version,
                published_on=published_on,
                changes_nl=changes["nl"],
                changes_fr=changes["fr"],
                changes_en=changes["en"],
                body_nl=texts["nl"],
                body_fr=texts["fr"],
                body_en=texts["en"],
            )
            audit_record(
                actor=actor,
                action="statement.publish",
                object_type="privacy.statementversion",
                object_id=published.pk,
                detail={"version": version, "published_on": published_on.isoformat()},
            )
    except IntegrityError:  # published by someone else a moment ago
        raise ValidationError(
            {"version": [_("Version %(version)s is already published.") % {"version": version}]}
        ) from None
    return published


def statement_text(version: StatementVersion, language: str) -> str:
    return str(getattr(version, f"body_{language if language in LANGUAGES else 'en'}"))


def statement_changes(version: StatementVersion, language: str) -> str:
    return str(getattr(version, f"changes_{language if language in LANGUAGES else 'en'}"))


@dataclass(frozen=True, slots=True)
class Block:
    """One block of a statement text, for display: a heading, a paragraph or a list."""

    kind: str  # "title" | "heading" | "paragraph" | "list"
    text: str = ""
    items: list[str] = field(default_factory=list)


def statement_blocks(text: str) -> list[Block]:
    """The stored text (``# title``, ``## heading``, ``- item``, paragraphs separated by blank
    lines) as blocks a template renders with escaping: a body is never trusted as HTML."""
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        lines = [line for line in chunk.splitlines() if line.strip()]
        if len(lines) == 1 and lines[0].startswith("## "):
            blocks.append(Block("heading", lines[0][3:].strip()))
        elif len(lines) == 1 and lines[0].startswith("# "):
            blocks.append(Block("title", lines[0][2:].strip()))
        elif all(line.startswith("- ") for line in lines):
            blocks.append(Block("list", items=[line[2:].strip() for line in lines]))
        else:
            intro = [line for line in lines if not line.startswith("- ")]
            items = [line[2:].strip() for line in lines if line.startswith("- ")]
            blocks.append(Block("paragraph", " ".join(intro)))
            if items:
                blocks.append(Block("list", items=items))
    return blocks


def statement_receipt_record(
    *,
    person: Person,
    version: StatementVersion,
    kind: str,
    channel: str,
    actor: Actor | None = None,
) -> StatementReceipt:
    """Record that ``person`` was shown, sent or accepted ``version`` (R8.2). Recording the same
    kind of receipt for the same version again changes nothing and returns the first one, so a
    page may call this on every showing. Writes the audit event ``statement.<kind>``."""
    if kind not in ReceiptKind.values:
        raise ValidationError({"kind": _("Unknown kind of receipt.")})
    if channel not in Via.values:
        raise ValidationError({"channel": _("Choose how the statement reached the person.")})
    with transaction.atomic():
        existing = StatementReceipt.objects.filter(
            version=version, person=person, kind=kind
        ).first()
        if existing is not None:
            return existing
        receipt = StatementReceipt.objects.create(
            person=person, version=version, kind=kind, channel=channel, at=clock.now()
        )
        audit_record(
            actor=actor or Actor.system("statement"),
            action=f"statement.{kind}",
            object_type="privacy.statementreceipt",
            object_id=receipt.pk,
            subject=str(person.pseudonym),
            detail={"version": version.version, "channel": channel},
        )
    return receipt


def people_without_latest(
    *, kind: str = "seen", version: StatementVersion | None = None, role: str = ""
) -> QuerySet[Person]:
    """People (not erased) who have no receipt of the version in force (or ``version``):
    ``kind="seen"``: not shown, sent or accepted; ``kind="accepted"``: not accepted. One
    NOT EXISTS on the receipts' (version, person) index; ordered by name for paging."""
    if kind not in {"seen", "accepted"}:
        raise ValueError("kind is 'seen' or 'accepted'")
    version = version or statement_current()
    people = Person.objects.filter(erased_at=None)
    if version is None:
        return people.none()
    if role:
        if role not in ROLES:
            raise ValueError(f"role must be one of {list(ROLES)}")
        people = people.filter(**{f"is_{role}": True})
    receipts = StatementReceipt.objects.filter(version=version, person=OuterRef("pk"))
    if kind == "accepted":
        receipts = receipts.filter(kind=ReceiptKind.ACCEPTED)
    return people.filter(~Exists(receipts)).order_by("last_name", "first_name", "pk")


def demo_statement() -> StatementVersion | None:
    """For the demo data: publish a first version, dated today, when none exists."""
    if StatementVersion.objects.exists():
        return None
    return statement_publish(actor=Actor.system("demo"), version="1.0", published_on=clock.today())
