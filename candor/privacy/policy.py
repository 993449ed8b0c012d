"""The policy (DESIGN invariant 5): controller, DPO, purposes with their legal bases, the data
categories each purpose may use, consent texts, and retention rules — read from one TOML file.

The shipped defaults live in ``policy.toml`` beside this module; an agency points
``CANDOR_POLICY_FILE`` at its own copy. The file is validated when Django starts
(``PrivacyConfig.ready``): an invalid file stops start-up with the key and the problem named.
Code never holds a purpose, a period or a contact address of its own: it asks ``policy()``.

When you add a setting: add it to ``policy.toml`` with a comment, to the model below with a
default only if every agency can live with it, and to ``docs/policy.md``.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Self

from django.conf import settings
from django.utils.translation import get_language
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from candor.privacy.registry import Category

DEFAULT_POLICY = Path(__file__).with_name("policy.toml")
LANGUAGES = ("nl", "fr", "en")
ROLES = ("candidate", "client_contact", "supplier_contact", "site_user")


class PolicyError(Exception):
    """The policy file cannot be used; ``str()`` names the file, the key and the problem."""


class LegalBasis(StrEnum):
    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    LEGITIMATE_INTEREST = "legitimate_interest"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A text in each of the three languages."""

    nl: Annotated[str, Field(min_length=1)]
    fr: Annotated[str, Field(min_length=1)]
    en: Annotated[str, Field(min_length=1)]

    def get(self, language: str | None = None) -> str:
        code = (language or get_language() or "nl")[:2]
        return str(getattr(self, code if code in LANGUAGES else "en"))


class Party(_Strict):
    name: Annotated[str, Field(min_length=1)]
    enterprise_number: str = ""
    address: Annotated[str, Field(min_length=1)]
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    phone: str = ""
    website: str = ""


class Authority(_Strict):
    name: Text
    address: str
    email: str
    website: str


class ConsentRule(_Strict):
    version: Annotated[str, Field(min_length=1)]
    text: Text
    valid_months: Annotated[int, Field(ge=1)] | None = None
    renew_days_before: Annotated[int, Field(ge=1)] = 30


class Purpose(_Strict):
    key: str = ""  # filled in from the table name
    label: Text
    legal_basis: LegalBasis
    also_legal_obligation: bool = False
    objectable: bool = False
    direct_marketing: bool = False
    roles: Annotated[list[str], Field(min_length=1)]
    requires: str = ""  # "trajectory" | "organisation": the contract that grounds it
    categories: Annotated[list[Category], Field(min_length=1)]
    consent: ConsentRule | None = None

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        unknown = sorted(set(self.roles) - set(ROLES))
        if unknown:
            raise ValueError(f"unknown role(s) {unknown}; roles are {list(ROLES)}")
        if self.requires not in {"", "trajectory", "organisation"}:
            raise ValueError("requires must be 'trajectory' or 'organisation'")
        if self.legal_basis is LegalBasis.CONSENT and self.consent is None:
            raise ValueError("a consent purpose needs a [consent] block (version, text)")
        if self.legal_basis is not LegalBasis.CONSENT and self.consent is not None:
            raise ValueError("only a purpose based on consent has a [consent] block")
        if self.direct_marketing and not self.objectable:
            raise ValueError("direct marketing is always objectable: set objectable = true")
        if self.objectable and self.legal_basis is not LegalBasis.LEGITIMATE_INTEREST:
            raise ValueError("only processing on legitimate interest is objectable (Art. 21)")
        return self

    @property
    def needs_consent(self) -> bool:
        return self.legal_basis is LegalBasis.CONSENT


class Safeguard(StrEnum):
    """What makes a transfer outside the EEA lawful (GDPR Art. 45-49)."""

    ADEQUACY = "adequacy"
    STANDARD_CONTRACTUAL_CLAUSES = "standard_contractual_clauses"
    BINDING_CORPORATE_RULES = "binding_corporate_rules"
    DEROGATION = "derogation"


class Transfer(_Strict):
    """Personal data sent to a recipient outside the European Economic Area (Art. 30(1)(e))."""

    country: Annotated[str, Field(min_length=1)]
    recipient: Annotated[str, Field(min_length=1)]
    safeguard: Safeguard
    purposes: list[str] = []  # the purposes whose data goes there; empty: every purpose


class PensionAge(_Strict):
    born_until: int | None = None  # inclusive year of birth; None: everyone born later
    age: Annotated[int, Field(ge=50, le=80)]


class CandidateRetention(_Strict):
    max_years: Annotated[int, Field(ge=1, le=100)] = 40
    after_career_end_months: Annotated[int, Field(ge=0)] = 0
    pension_age: Annotated[list[PensionAge], Field(min_length=1)]

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        years = [p.born_until for p in self.pension_age]
        if years[-1] is not None or any(y is None for y in years[:-1]):
            raise ValueError("pension_age: only the last entry may (and must) omit born_until")
        if years[:-1] != sorted(years[:-1]):  # type: ignore[type-var]
            raise ValueError("pension_age: entries must be in order of born_until")
        return self

    def pension_age_for(self, birth_year: int) -> int:
        for rule in self.pension_age:
            if rule.born_until is None or birth_year <= rule.born_until:
                return rule.age
        raise AssertionError("unreachable: the last rule has no bound")  # pragma: no cover


class ContractPartyRetention(_Strict):
    bookkeeping_years: Annotated[int, Field(ge=1, le=30)] = 7


class SiteUserRetention(_Strict):
    inactive_years: Annotated[int, Field(ge=1, le=30)] = 3


class Retention(_Strict):
    review_days: Annotated[int, Field(ge=1, le=365)] = 30
    candidate: CandidateRetention
    contract_party: ContractPartyRetention = ContractPartyRetention()
    site_user: SiteUserRetention = SiteUserRetention()


class Notices(_Strict):
    due_days: Annotated[int, Field(ge=1, le=31)] = 30  # Art. 14(3)(a): at the latest one month


class Requests(_Strict):
    """Subject requests (R6.1): the answer period, its extension and the DPO's look-ahead."""

    answer_months: Annotated[int, Field(ge=1, le=1)] = 1  # Art. 12(3): one month of receipt
    extension_months: Annotated[int, Field(ge=0, le=2)] = 2  # Art. 12(3): two further months
    identity_suspends_clock: bool = True  # asking for proof of identity suspends the period
    due_soon_days: Annotated[int, Field(ge=1, le=31)] = 7  # the "due this week" queue


class Introductions(_Strict):
    # How long a candidate's consent link for an introduction works (R4.1); past it, silence
    # counts as no and the introduction expires.
    link_days: Annotated[int, Field(ge=1, le=60)] = 14


# Data categories an in-house client user or a trajectory's contract party never receives:
# money matters, test and assessment results, and what was said in guidance stay with the agency.
NEVER_TO_INHOUSE = frozenset({Category.FINANCIAL, Category.ASSESSMENT, Category.GUIDANCE})


class Inhouse(_Strict):
    """Supervised in-house access (R4.2): how long a session lasts unless the consultant says
    otherwise, the longest it may last, and the categories a client user may see of a dossier."""

    session_hours: Annotated[int, Field(ge=1, le=24)] = 2
    max_session_hours: Annotated[int, Field(ge=1, le=24)] = 8
    categories: Annotated[list[Category], Field(min_length=1)] = [
        Category.CAREER,
        Category.EDUCATION,
    ]

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if self.session_hours > self.max_session_hours:
            raise ValueError("session_hours is longer than max_session_hours")
        never = sorted(set(self.categories) & NEVER_TO_INHOUSE)
        if never:
            raise ValueError(f"categories: an in-house client user never sees {never}")
        return self


class ReportSharing(_Strict):
    """Reports of a trajectory shared with its contract party (R4.3): the purpose they serve, the
    legal basis recorded (the purpose's own, or legal_obligation when the purpose allows it), and
    exactly the categories a report may hold."""

    purpose: Annotated[str, Field(min_length=1)]
    legal_basis: LegalBasis
    categories: Annotated[list[Category], Field(min_length=1)]


class Sharing(_Strict):
    trajectory_report: ReportSharing


FEATURES = (
    "search",
    "matching",
    "client_sharing",
    "candidate_mailing",
    "profiling",
    "marketing_mailing",
    "client_mailing",
)


class Policy(_Strict):
    version: Annotated[str, Field(min_length=1)]
    controller: Party
    dpo: Party
    authority: Authority
    purposes: Annotated[dict[str, Purpose], Field(min_length=1)]
    features: dict[str, str]
    retention: Retention
    notices: Notices = Notices()
    requests: Requests = Requests()
    introductions: Introductions = Introductions()
    inhouse: Inhouse = Inhouse()
    sharing: Sharing
    transfers: list[Transfer] = []

    @model_validator(mode="before")
    @classmethod
    def _keys(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("purposes"), dict):
            data = dict(data)
            data["purposes"] = {
                key: {**value, "key": key} if isinstance(value, dict) else value
                for key, value in data["purposes"].items()
            }
        return data

    @model_validator(mode="after")
    def _features(self) -> Self:
        missing = [f for f in FEATURES if f not in self.features]
        if missing:
            raise ValueError(f"features: no purpose given for {missing}")
        unknown = sorted(set(self.features) - set(FEATURES))
        if unknown:
            raise ValueError(f"features: unknown feature(s) {unknown}; known: {list(FEATURES)}")
        for feature, purpose in self.features.items():
            if purpose not in self.purposes:
                raise ValueError(f"features.{feature}: no purpose named {purpose!r}")
        for number, transfer in enumerate(self.transfers):
            unknown = sorted(set(transfer.purposes) - set(self.purposes))
            if unknown:
                raise ValueError(f"transfers.{number}.purposes: no purpose named {unknown}")
        self._check_sharing()
        return self

    def _check_sharing(self) -> None:
        sharing = self.purposes.get(self.features["client_sharing"])
        if sharing is not None:
            beyond = sorted(set(self.inhouse.categories) - set(sharing.categories))
            if beyond:
                raise ValueError(f"inhouse.categories: not used by client sharing: {beyond}")
        report = self.sharing.trajectory_report
        where = "sharing.trajectory_report"
        purpose = self.purposes.get(report.purpose)
        if purpose is None:
            raise ValueError(f"{where}.purpose: no purpose named {report.purpose!r}")
        if purpose.requires != "trajectory":
            raise ValueError(f"{where}.purpose: {report.purpose!r} is not grounded on a trajectory")
        if report.legal_basis is not purpose.legal_basis and not (
            report.legal_basis is LegalBasis.LEGAL_OBLIGATION and purpose.also_legal_obligation
        ):
            raise ValueError(f"{where}.legal_basis: {report.purpose!r} does not rest on it")
        beyond = sorted(set(report.categories) - set(purpose.categories))
        if beyond:
            raise ValueError(f"{where}.categories: not used by {report.purpose!r}: {beyond}")
        if Category.CONTACT in report.categories or Category.ASSESSMENT in report.categories:
            raise ValueError(f"{where}.categories: a report never holds contact or assessment data")

    def purpose(self, key: str) -> Purpose:
        try:
            return self.purposes[key]
        except KeyError:
            raise KeyError(f"the policy declares no purpose {key!r}") from None

    def purpose_for(self, feature: str) -> Purpose:
        """The purpose a product feature serves (``search`` → ``mediation``)."""
        return self.purposes[self.features[feature]]

    def transfers_for(self, purpose: Purpose) -> list[Transfer]:
        """Transfers outside the EEA that carry this purpose's data (none by default)."""
        return [t for t in self.transfers if not t.purposes or purpose.key in t.purposes]

    def consent_expiry(self, purpose: Purpose, given: dt.date) -> dt.date | None:
        if purpose.consent is None or purpose.consent.valid_months is None:
            return None
        return add_months(given, purpose.consent.valid_months)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole months, clamped to the month's last day (31 Jan + 1 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate_day)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def _location(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc if part not in {"function-after", "function-before"})


def parse_policy(text: str, *, source: str = "policy") -> Policy:
    """Parse and validate a policy; raises ``PolicyError`` naming each key and its problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{source}: not valid TOML: {exc}") from None
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = _location(error["loc"]) or "(top level)"
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = "unknown key (misspelt?)"
            problems.append(f"  {where}: {message}")
        raise PolicyError(f"{source}: invalid policy\n" + "\n".join(problems)) from None


def load_policy(path: Path | str) -> Policy:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read the policy file: {exc.strerror}") from None
    return parse_policy(text, source=str(path))


def policy_path() -> Path:
    configured = getattr(settings, "CANDOR_POLICY_FILE", "")
    return Path(configured) if configured else DEFAULT_POLICY


@cache
def policy() -> Policy:
    """The policy in force (loaded once per process; ``policy.cache_clear()`` in tests)."""
    return load_policy(policy_path())


def mail_sender() -> str:
    """Who the agency's mail to people comes from: ``CANDOR_EMAIL_FROM``, else the controller."""
    configured = getattr(settings, "CANDOR_EMAIL_FROM", "")
    controller = policy().controller
    return configured or f"{controller.name} <{controller.email}>"
