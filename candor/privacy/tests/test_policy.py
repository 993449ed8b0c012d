"""The policy file: shipped defaults match the statement (R3.1), a bad file is refused with the
key and the problem named, and an agency's own file replaces the defaults without code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from candor.privacy.policy import (
    DEFAULT_POLICY,
    LegalBasis,
    PolicyError,
    add_months,
    load_policy,
    parse_policy,
)

pytestmark = pytest.mark.req("R3.1", "R8.1")

SHIPPED = DEFAULT_POLICY.read_text(encoding="utf-8")


def test_shipped_purposes_have_the_legal_bases_the_statement_promises() -> None:
    rules = parse_policy(SHIPPED)
    bases = {key: p.legal_basis for key, p in rules.purposes.items()}
    assert bases["mediation"] is LegalBasis.LEGITIMATE_INTEREST
    assert bases["guidance"] is LegalBasis.CONTRACT
    assert rules.purposes["guidance"].also_legal_obligation
    assert bases["marketing"] is LegalBasis.LEGITIMATE_INTEREST
    assert rules.purposes["marketing"].objectable
    assert rules.purposes["marketing"].direct_marketing
    assert bases["contract"] is LegalBasis.CONTRACT
    assert bases["client_marketing"] is LegalBasis.LEGITIMATE_INTEREST
    assert rules.purposes["client_marketing"].direct_marketing
    # anything else rests on consent, with a versioned text in three languages
    others = set(bases) - {"mediation", "guidance", "marketing", "contract", "client_marketing"}
    assert others
    for key in others:
        purpose = rules.purposes[key]
        assert purpose.legal_basis is LegalBasis.CONSENT
        assert purpose.consent is not None
        assert {purpose.consent.text.get(lang) for lang in ("nl", "fr", "en")} != {""}


def test_shipped_retention_defaults() -> None:
    rules = parse_policy(SHIPPED)
    assert rules.retention.candidate.max_years == 40
    assert rules.retention.contract_party.bookkeeping_years == 7
    assert rules.retention.candidate.pension_age_for(1959) == 65
    assert rules.retention.candidate.pension_age_for(1962) == 66
    assert rules.retention.candidate.pension_age_for(1990) == 67


def test_every_feature_names_a_declared_purpose() -> None:
    rules = parse_policy(SHIPPED)
    assert rules.purpose_for("search").key == "mediation"
    assert rules.purpose_for("candidate_mailing").needs_consent


def _broken(old: str, new: str) -> str:
    assert old in SHIPPED, old
    return SHIPPED.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'legal_basis = "legitimate_interest"\nobjectable = true\nroles = ["candidate"]',
            'legal_basis = "goodwill"\nobjectable = true\nroles = ["candidate"]',
            "purposes.mediation.legal_basis: Input should be 'consent', 'contract'",
        ),
        ("max_years = 40", "max_years = -3", "retention.candidate.max_years"),
        ("max_years = 40", "max_yeers = 40", "retention.candidate.max_yeers: unknown key"),
        ('email = "dpo@agency.example.com"', 'email = "nobody"', "dpo.email"),
        ('search = "mediation"', 'search = "snooping"', "features.search: no purpose named"),
        (
            'roles = ["client_contact", "supplier_contact"]\nrequires = "organisation"',
            'roles = ["client", "supplier_contact"]\nrequires = "organisation"',
            "purposes.contract: unknown role(s) ['client']",
        ),
        (
            "[purposes.job_alerts.consent]",
            "[purposes.job_alerts.consent_text]",
            "purposes.job_alerts.consent_text: unknown key (misspelt?)",
        ),
        (
            'legal_basis = "legitimate_interest"\nobjectable = true\nroles = ["candidate"]',
            'legal_basis = "consent"\nroles = ["candidate"]',
            "purposes.mediation: a consent purpose needs a [consent] block",
        ),
        (
            "objectable = true\ndirect_marketing = true\n",
            "objectable = false\ndirect_marketing = true\n",
            "purposes.marketing: direct marketing is always objectable",
        ),
        ('version = "2026.1"', "version = ", "not valid TOML"),
    ],
)
def test_invalid_policy_is_refused_naming_the_key_and_the_problem(
    old: str, new: str, expected: str
) -> None:
    with pytest.raises(PolicyError) as refused:
        parse_policy(_broken(old, new), source="agency.toml")
    assert "agency.toml" in str(refused.value)
    assert expected in str(refused.value)


def test_missing_policy_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read the policy file"):
        load_policy(tmp_path / "nowhere.toml")


def test_candor_refuses_to_start_on_an_invalid_policy_file(tmp_path: Path) -> None:
    bad = tmp_path / "policy.toml"
    bad.write_text(_broken("max_years = 40", "max_years = 0"), encoding="utf-8")
    env = {
        "PATH": "/usr/bin:/bin",
        "CANDOR_POLICY_FILE": str(bad),
        "CANDOR_DATA_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "candor.cli", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "retention.candidate.max_years" in done.stderr
    assert "greater than or equal to 1" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_agency_policy_replaces_the_defaults(tmp_path: Path) -> None:
    own = tmp_path / "policy.toml"
    own.write_text(_broken("bookkeeping_years = 7", "bookkeeping_years = 10"), encoding="utf-8")
    assert load_policy(own).retention.contract_party.bookkeeping_years == 10


def test_months_are_added_to_the_end_of_short_months() -> None:
    import datetime as dt

    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2023, 1, 31), 1) == dt.date(2023, 2, 28)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2024, 11, 15), 2) == dt.date(2025, 1, 15)


@pytest.mark.django_db
def test_candor_policy_check_names_the_problem_and_show_lists_the_purposes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from django.core.management import CommandError, call_command

    good = tmp_path / "good.toml"
    good.write_text(SHIPPED, encoding="utf-8")
    call_command("policy", "check", str(good))
    assert "valid (version 2026.1" in capsys.readouterr().out
    bad = tmp_path / "bad.toml"
    bad.write_text(_broken("bookkeeping_years = 7", "bookkeeping_years = 'seven'"), "utf-8")
    with pytest.raises(CommandError, match=r"retention\.contract_party\.bookkeeping_years"):
        call_command("policy", "check", str(bad))
    call_command("policy", "show")
    shown = capsys.readouterr().out
    assert "mediation: legitimate_interest (objectable)" in shown
    assert "job_alerts: consent" in shown


TRANSFER = (
    '{ country = "United States", recipient = "Example Mail Inc.", '
    'safeguard = "standard_contractual_clauses", purposes = ["marketing"] }'
)


@pytest.mark.req("R9.2")
def test_the_shipped_policy_transfers_nothing_outside_the_eea() -> None:
    rules = parse_policy(SHIPPED)
    assert rules.transfers == []
    assert all(rules.transfers_for(p) == [] for p in rules.purposes.values())


@pytest.mark.req("R9.2")
def test_a_transfer_applies_to_the_purposes_it_names() -> None:
    rules = parse_policy(_broken("transfers = []", f"transfers = [{TRANSFER}]"))
    (transfer,) = rules.transfers_for(rules.purposes["marketing"])
    assert transfer.country == "United States"
    assert rules.transfers_for(rules.purposes["mediation"]) == []


@pytest.mark.req("R9.2")
@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (TRANSFER.replace('["marketing"]', '["gossip"]'), "transfers.0.purposes: no purpose"),
        (TRANSFER.replace("standard_contractual_clauses", "trust_us"), "transfers.0.safeguard"),
        (TRANSFER.replace('country = "United States", ', ""), "transfers.0.country: Field"),
    ],
)
def test_an_invalid_transfer_is_refused_naming_it(entry: str, expected: str) -> None:
    with pytest.raises(PolicyError) as refused:
        parse_policy(_broken("transfers = []", f"transfers = [{entry}]"), source="agency.toml")
    assert expected in str(refused.value)
