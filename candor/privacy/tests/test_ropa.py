"""The record of processing activities (R9.2): built from the policy and the registry, in three
languages and three formats, every purpose and every declared category in it, and a real PDF."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from django.utils.html import escape
from pypdf import PdfReader

from candor.privacy import registry, ropa
from candor.privacy.policy import DEFAULT_POLICY, LANGUAGES, Purpose, parse_policy, policy
from candor.privacy.registry import Category

pytestmark = [pytest.mark.req("R9.2"), pytest.mark.django_db]  # the register reads the ledger

SHIPPED = DEFAULT_POLICY.read_text(encoding="utf-8")


def _text(fmt: str, language: str) -> str:
    return ropa.render(ropa.register_for(language), fmt).decode()


def _as(fmt: str, value: str) -> str:
    """``value`` as it is written in ``fmt`` (HTML escapes quotes and ampersands)."""
    return escape(value) if fmt == "html" else value


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("fmt", ["md", "html"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_purpose_appears_with_its_legal_basis(fmt: str, language: str) -> None:
    text = _text(fmt, language)
    register = ropa.register_for(language)

    with translation.override(language):
        for purpose in policy().purposes.values():
            assert _as(fmt, purpose.label.get(language)) in text, purpose.key
            assert _as(fmt, ropa.basis_words(purpose)) in text, purpose.key
    assert [a.key for a in register.activities] == list(policy().purposes)
    assert _as(fmt, policy().controller.name) in text
    assert policy().dpo.email in text
    assert _as(fmt, policy().authority.name.get(language)) in text


@pytest.mark.parametrize("fmt", ["md", "html"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_personal_field_and_its_category_appears(fmt: str, language: str) -> None:
    text = _text(fmt, language)

    with translation.override(language):
        for row in registry.as_rows():
            assert _as(fmt, ropa.category_label(row["category"])) in text, row
            assert f"{row['model']}" in text, row
            assert row["field"] in text, row


def test_every_category_has_a_label_in_the_register() -> None:
    for category in Category:
        assert ropa.category_label(category)


def test_each_activity_lists_the_categories_its_purpose_names() -> None:
    register = ropa.register_for("en")
    for activity in register.activities:
        named = [c.value for c in policy().purposes[activity.key].categories]
        assert [c.key for c in activity.categories] == named


def test_categories_no_purpose_names_are_flagged() -> None:
    register = ropa.register_for("en")
    named = {c.value for p in policy().purposes.values() for c in p.categories}
    flagged = {c.key for c in register.categories if not c.purposes}

    assert flagged == {c.key for c in register.categories} - named
    assert "privacy" in flagged  # consents, objections, receipts: no purpose in the shipped policy
    assert ropa.unassigned_text() in _text("md", "en")


def test_retention_is_given_in_words_from_the_policy() -> None:
    rules = parse_policy(
        SHIPPED.replace("max_years = 40", "max_years = 35").replace(
            "bookkeeping_years = 7", "bookkeeping_years = 10"
        )
    )
    register = ropa.build_register(language="en", rules=rules)
    by_key = {a.key: a for a in register.activities}

    assert any("35 years after collection" in line for line in by_key["mediation"].retention)
    assert any("10 years" in line for line in by_key["contract"].retention)
    assert any("24 months" in line for line in by_key["job_alerts"].retention)


def test_a_grace_period_and_an_open_ended_consent_are_worded_too() -> None:
    rules = parse_policy(
        SHIPPED.replace("after_career_end_months = 0", "after_career_end_months = 6").replace(
            "valid_months = 24\n", ""
        )
    )
    by_key = {a.key: a for a in ropa.build_register(language="en", rules=rules).activities}

    assert any("plus 6 months" in line for line in by_key["mediation"].retention)
    assert "Processing for this purpose stops when the consent is withdrawn." in (
        by_key["job_alerts"].retention
    )


def test_controller_dpo_and_transfers_come_from_the_policy() -> None:
    rules = parse_policy(
        SHIPPED.replace('name = "Candor Demo Agency BV"', 'name = "Elders Werving NV"').replace(
            "transfers = []",
            'transfers = [{ country = "Canada", recipient = "Example Hosting Ltd.", '
            'safeguard = "adequacy", purposes = ["marketing"] }]',
        )
    )
    register = ropa.build_register(language="en", rules=rules)
    markdown = ropa.render_markdown(register)
    by_key = {a.key: a for a in register.activities}

    assert "Elders Werving NV" in markdown
    assert "Candor Demo Agency BV" not in markdown
    assert by_key["marketing"].transfers == [
        "Example Hosting Ltd. in Canada, under adequacy decision of the European Commission"
    ]
    assert by_key["mediation"].transfers == []
    assert "None." in markdown  # the other purposes: no transfer


def test_recipients_are_the_ones_the_policy_implies() -> None:
    register = ropa.register_for("en")
    by_key = {a.key: a for a in register.activities}

    sharing = policy().features["client_sharing"]
    assert any("anonymous profile" in r for r in by_key[sharing].recipients)
    assert any("trajectory" in r for r in by_key["guidance"].recipients)
    assert all(any("Processors" in r for r in a.recipients) for a in register.activities)
    # The disclosure app connects the ledger when it starts: no "not in place yet" any more.
    assert register.ledger_connected
    assert ropa.no_ledger_text() not in ropa.render_markdown(register)


@pytest.fixture
def ledger_source() -> Iterator[None]:
    def recorded(purpose: Purpose) -> list[str]:
        return ["Example Client NV (3 disclosures)"] if purpose.key == "mediation" else []

    ropa.recipient_sources.append(recorded)
    yield
    ropa.recipient_sources.remove(recorded)


@pytest.mark.usefixtures("ledger_source")
def test_the_disclosure_ledger_feeds_recorded_recipients_through_the_hook() -> None:
    register = ropa.register_for("en")
    by_key = {a.key: a for a in register.activities}

    assert by_key["mediation"].recorded_recipients == ["Example Client NV (3 disclosures)"]
    assert register.ledger_connected
    assert ropa.no_ledger_text() not in ropa.render_markdown(register)


def test_security_measures_say_what_is_planned() -> None:
    measures = ropa.security_measures()
    markdown = _text("md", "en")

    assert any("hash" in m.text and not m.planned for m in measures)
    assert any("Backups" in m.text and m.planned for m in measures)
    assert "Backups, with a regular test that they can be restored. *(planned)*" in markdown


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_pdf_is_a_real_pdf_naming_the_controller_and_every_purpose(
    language: str, tmp_path: Path
) -> None:
    target = tmp_path / f"ropa.{language}.pdf"
    call_command("ropa", format="pdf", language=language, output=str(target), stderr=io.StringIO())
    content = target.read_bytes()

    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    text = _flat(" ".join(page.extract_text() for page in reader.pages))
    assert policy().controller.name in text
    for purpose in policy().purposes.values():
        assert _flat(purpose.label.get(language)) in text, purpose.key


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_command_writes_markdown_and_html(fmt: str, tmp_path: Path) -> None:
    target = tmp_path / f"ropa.{fmt}"
    call_command("ropa", format=fmt, language="fr", output=str(target), stderr=io.StringIO())
    text = target.read_text(encoding="utf-8")

    assert _as(fmt, policy().purposes["mediation"].label.fr) in text
    if fmt == "html":
        assert text.startswith("<!doctype html>")
        assert '<html lang="fr">' in text


def test_the_command_writes_a_pdf_to_standard_output(capsysbinary: Any) -> None:
    call_command("ropa", "--format=pdf", "--language=nl")

    assert capsysbinary.readouterr().out.startswith(b"%PDF")


def test_the_command_prints_markdown_by_default() -> None:
    out = io.StringIO()
    call_command("ropa", stdout=out)

    assert out.getvalue().startswith("# Record of processing activities")


def test_the_command_refuses_an_unknown_language_or_format() -> None:
    with pytest.raises(CommandError):
        call_command("ropa", "--language=de")
    with pytest.raises(CommandError):
        call_command("ropa", "--format=docx")
    with pytest.raises(ValueError, match="format must be one of"):
        ropa.render(ropa.register_for("en"), "docx")
    with pytest.raises(ValueError, match="language must be one of"):
        ropa.register_for("de")


def test_an_unwritable_output_is_named(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot write"):
        call_command("ropa", output=str(tmp_path / "missing" / "ropa.md"))
