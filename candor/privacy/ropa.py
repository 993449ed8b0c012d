"""The record of processing activities (GDPR Art. 30, R9.2), built from the policy and the
registry: nothing in it is listed by hand except the security measures Candor takes.

- Controller, DPO and authority: the policy's ``[controller]``, ``[dpo]``, ``[authority]``.
- One activity per purpose of the policy: its legal basis, the roles of the people it concerns,
  the data categories it may use (with the registry's fields of each category, per model), the
  recipients the policy implies, transfers outside the EEA (the policy's ``transfers``) and the
  retention rules of its roles, in words.
- An annex lists each data category once, field by field, with the purposes that name it; a
  category the registry holds but no purpose names is flagged there, so that a gap shows.

When you add to it: a new data category needs a label in ``category_label`` (building the
register fails otherwise); a new security measure goes in ``security_measures()`` only once the
code does it (``planned=True`` until then); the disclosure ledger feeds recorded recipients through
``recipient_sources`` and the processor register feeds ``processor_sources`` (see ``LEDGER HOOK``
below; ``candor.disclosure`` connects both when it starts) — do not list either here by hand.

Renderings: ``render_markdown``, ``render_html`` (a standalone document) and ``render_pdf``
(WeasyPrint, from that document). ``candor ropa`` prints them; the DPO's back-office page shows
the HTML.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from candor.core import clock
from candor.privacy import registry
from candor.privacy.policy import LANGUAGES, LegalBasis, Party, Policy, Purpose, policy
from candor.privacy.registry import Category

FORMATS = ("md", "html", "pdf")


def category_label(category: Category | str) -> str:
    labels = {
        Category.IDENTITY: _("Identity"),
        Category.CONTACT: _("Contact details and preferences"),
        Category.DEMOGRAPHIC: _("Personal characteristics"),
        Category.EDUCATION: _("Education, training and languages"),
        Category.CAREER: _("Career and employment"),
        Category.ASSESSMENT: _("Selection procedures and tests"),
        Category.GUIDANCE: _("Outplacement and career guidance"),
        Category.FINANCIAL: _("Financial data of contracts"),
        Category.ACCOUNT: _("Web site account"),
        Category.TECHNICAL: _("Technical data"),
        Category.PRIVACY: _("The person's privacy choices and requests"),
    }
    return labels[Category(category)]


def role_label(role: str) -> str:
    return {
        "candidate": _("Candidates (job seekers and people in guidance)"),
        "client_contact": _("Contact persons of clients"),
        "supplier_contact": _("Contact persons of suppliers"),
        "site_user": _("Registered users of the web site"),
    }[role]


def basis_words(purpose: Purpose) -> str:
    words = {
        LegalBasis.CONSENT: _("Consent of the person (GDPR Art. 6(1)(a))"),
        LegalBasis.CONTRACT: _("Performance of a contract (GDPR Art. 6(1)(b))"),
        LegalBasis.LEGAL_OBLIGATION: _("A legal obligation (GDPR Art. 6(1)(c))"),
        LegalBasis.LEGITIMATE_INTEREST: _("Legitimate interest of the agency (GDPR Art. 6(1)(f))"),
    }[purpose.legal_basis]
    if purpose.also_legal_obligation:
        words = _("%(basis)s, and a legal obligation (GDPR Art. 6(1)(c))") % {"basis": words}
    return words


def objection_words(purpose: Purpose) -> str:
    if purpose.direct_marketing:
        return _("Direct marketing: an objection always stops it (GDPR Art. 21(3)).")
    if purpose.objectable:
        return _(
            "The person may object; processing then stops unless compelling legitimate grounds "
            "are documented (GDPR Art. 21(1))."
        )
    if purpose.needs_consent:
        return _("The person may withdraw consent at any time, as easily as it was given.")
    return ""


# ---------------------------------------------------------------------------------------------
# LEDGER HOOK. The recipients below are the categories the policy implies. The disclosure ledger
# appends a function here that returns, for a purpose, the recipients actually recorded for it
# (in words, in the active language); the register lists them under each activity, beside the
# implied categories. The processor register appends to ``processor_sources`` a function
# returning its entries on a day (R4.4); the register lists them, and those outside the EEA
# under the transfers of every activity whose data categories they receive.
# ---------------------------------------------------------------------------------------------
def no_ledger_text() -> str:
    return _("Recorded disclosures: the disclosure ledger is not in place yet.")


def unassigned_text() -> str:
    return _(
        "Named by no purpose of the policy. These fields serve to run the system or to prove "
        "compliance; review whether the policy should name a purpose for them."
    )


def end_of_period_text() -> str:
    return _("When the period ends the data is erased or irreversibly anonymised.")


RecipientSource = Callable[[Purpose], list[str]]
recipient_sources: list[RecipientSource] = []


@dataclass(frozen=True, slots=True)
class ProcessorEntry:
    """One processor or sub-processor, in words, for the register (GDPR Art. 30(1)(d))."""

    name: str
    kind: str
    works_for: str
    service: str
    categories: list[str]  # category keys
    country: str
    location: str
    outside_eea: bool
    safeguard: str  # a Safeguard value, "" inside the EEA
    agreement: str  # the agreement's status on the day, in words
    review_on: dt.date

    @property
    def category_labels(self) -> str:
        return ", ".join(category_label(c) for c in self.categories)

    @property
    def review_text(self) -> str:
        return date_format(self.review_on, "DATE_FORMAT")


ProcessorSource = Callable[[dt.date], list[ProcessorEntry]]
processor_sources: list[ProcessorSource] = []


def processor_transfer_words(entry: ProcessorEntry) -> str:
    return _("%(recipient)s in %(country)s, under %(safeguard)s") % {
        "recipient": entry.name,
        "country": entry.country,
        "safeguard": safeguard_words().get(entry.safeguard, entry.safeguard),
    }


def implied_recipients(purpose: Purpose, rules: Policy) -> list[str]:
    """The categories of recipients the policy implies for a purpose."""
    found = []
    if rules.features.get("client_sharing") == purpose.key:
        found.append(
            _(
                "Clients of the agency, about a vacancy: first an anonymous profile; identifying "
                "data only after the person agreed, for that client."
            )
        )
    if purpose.requires == "trajectory":
        found.append(
            _(
                "The party that commissioned an outplacement or guidance trajectory (for example "
                "the former employer), where the law requires it."
            )
        )
    if purpose.requires == "organisation":
        found.append(_("The client or supplier organisation the contract is with."))
    found.append(
        _(
            "Processors acting for the agency under a processing agreement: IT hosting and "
            "document storage, external consultants and advisers."
        )
    )
    return found


def retention_words(purpose: Purpose, rules: Policy) -> list[str]:
    """The retention rules of the purpose's roles, in words."""
    kept = rules.retention
    lines = []
    if "candidate" in purpose.roles:
        ages = [
            _("%(age)d if born in %(year)d or earlier") % {"age": p.age, "year": p.born_until}
            if p.born_until is not None
            else _("%(age)d otherwise") % {"age": p.age}
            for p in kept.candidate.pension_age
        ]
        values = {
            "ages": "; ".join(ages),
            "months": kept.candidate.after_career_end_months,
            "years": kept.candidate.max_years,
        }
        if kept.candidate.after_career_end_months:
            lines.append(
                _(
                    "Candidates: during their active career, that is until the career end "
                    "recorded for them or else the Belgian statutory pension date (pension age "
                    "%(ages)s), plus %(months)d months; never longer than %(years)d years after "
                    "collection."
                )
                % values
            )
        else:
            lines.append(
                _(
                    "Candidates: during their active career, that is until the career end "
                    "recorded for them or else the Belgian statutory pension date (pension age "
                    "%(ages)s); never longer than %(years)d years after collection."
                )
                % values
            )
    if {"client_contact", "supplier_contact"} & set(purpose.roles):
        lines.append(
            _(
                "Contact persons of clients and suppliers, and the financial data of contracts: "
                "%(years)d years (the statutory bookkeeping period) after the last contract with "
                "their organisation ends, or after collection when there is none."
            )
            % {"years": kept.contract_party.bookkeeping_years}
        )
    if "site_user" in purpose.roles:
        lines.append(
            _("Web site accounts with no other role: %(years)d years after the last sign-in.")
            % {"years": kept.site_user.inactive_years}
        )
    if purpose.consent is not None:
        if purpose.consent.valid_months:
            lines.append(
                _(
                    "The consent lasts %(months)d months unless renewed; processing for this "
                    "purpose stops when it is withdrawn or lapses."
                )
                % {"months": purpose.consent.valid_months}
            )
        else:
            lines.append(_("Processing for this purpose stops when the consent is withdrawn."))
    return lines


def safeguard_words() -> dict[str, str]:
    return {
        "adequacy": _("adequacy decision of the European Commission"),
        "standard_contractual_clauses": _("standard contractual clauses"),
        "binding_corporate_rules": _("binding corporate rules"),
        "derogation": _("a derogation of GDPR Art. 49"),
    }


def transfer_words(purpose: Purpose, rules: Policy) -> list[str]:
    safeguards = safeguard_words()
    return [
        _("%(recipient)s in %(country)s, under %(safeguard)s")
        % {
            "recipient": t.recipient,
            "country": t.country,
            "safeguard": safeguards[t.safeguard.value],
        }
        for t in rules.transfers_for(purpose)
    ]


@dataclass(frozen=True, slots=True)
class Measure:
    text: str
    planned: bool = False


def security_measures() -> list[Measure]:
    """What Candor itself does to protect personal data. Only what the code does; what
    is intended is marked planned. Organisational measures are the agency's to add."""
    hours = settings.SESSION_COOKIE_AGE // 3600
    return [
        Measure(
            _(
                "Role-based access: every back-office page and API operation checks the user's "
                "role against one permission table, and a test walks every address against "
                "every role. Administrators configure the system but do not read dossiers."
            )
        ),
        Measure(
            _(
                "Audit trail: every staff read of a dossier and every change is recorded in the "
                "same transaction as the change, in a table the database refuses to update or "
                "delete, chained by SHA-256 hashes so that `candor audit verify` detects any "
                "alteration. Events name people by a pseudonym and hold no personal values."
            )
        ),
        Measure(
            _(
                "Every field that can hold personal data is declared with its category and its "
                "erasure rule; a field that is not declared fails the tests."
            )
        ),
        Measure(
            _(
                "Purpose gate: search, matching and mailings reach only people whose legal "
                "basis, consent, objection and restriction allow the purpose."
            )
        ),
        Measure(
            _(
                "Disclosure ledger: every disclosure of a person's data (an anonymous profile "
                "to a client, a transfer to a processor) is recorded with the recipient, the "
                "categories, the purpose, a copy of what was sent and its SHA-256; clients "
                "first receive anonymous profiles, and a processor receives data only under a "
                "processing agreement valid that day."
            )
        ),
        Measure(
            _(
                "Passwords are stored as Argon2 hashes; API tokens are stored as hashes and "
                "shown once."
            )
        ),
        Measure(
            _(
                "In production: session and CSRF cookies travel only over HTTPS and are hidden "
                "from scripts, sessions end after %(hours)d hours, a secret key is required and "
                "pages may not be framed. HTTPS itself is provided by the web server in front "
                "of Candor."
            )
            % {"hours": hours}
        ),
        Measure(_("Backups, with a regular test that they can be restored."), planned=True),
        Measure(
            _(
                "Encryption of personal fields and documents with a key per person, so that "
                "erasure also reaches backups."
            ),
            planned=True,
        ),
    ]


@dataclass(frozen=True, slots=True)
class FieldRef:
    field: str
    label: str


@dataclass(frozen=True, slots=True)
class ModelFields:
    model: str  # app_label.model
    name: str  # verbose name, in the active language
    fields: list[FieldRef]


@dataclass(frozen=True, slots=True)
class DataCategory:
    key: str
    label: str
    models: list[ModelFields]
    purposes: list[str] = field(default_factory=list)  # labels of the purposes naming it

    @property
    def model_names(self) -> str:
        return ", ".join(m.name for m in self.models)


@dataclass(frozen=True, slots=True)
class Activity:
    key: str
    label: str
    basis: str
    objection: str
    persons: list[str]
    categories: list[DataCategory]
    recipients: list[str]
    recorded_recipients: list[str]
    transfers: list[str]
    retention: list[str]


@dataclass(frozen=True, slots=True)
class Register:
    language: str
    policy_version: str
    generated_on: dt.date
    controller: Party
    dpo: Party
    authority: str
    authority_contact: str
    activities: list[Activity]
    categories: list[DataCategory]  # the annex: every category the registry holds
    measures: list[Measure]
    ledger_connected: bool = field(default=False)
    processors: list[ProcessorEntry] = field(default_factory=list)
    processors_connected: bool = field(default=False)

    @property
    def generated_text(self) -> str:
        return date_format(self.generated_on, "DATE_FORMAT")


def _categories(rules: Policy, language: str) -> dict[str, DataCategory]:
    """Every category, with its fields per model (registry order) and the purposes naming it."""
    by_category: dict[str, dict[str, list[FieldRef]]] = defaultdict(dict)
    for row in registry.as_rows():
        by_category[row["category"]].setdefault(row["model"], []).append(
            FieldRef(row["field"], row["label"])
        )
    found = {}
    for category in Category:
        models = by_category.get(category.value, {})
        found[category.value] = DataCategory(
            key=category.value,
            label=category_label(category),
            models=[
                ModelFields(
                    model=label,
                    name=str(apps.get_model(label)._meta.verbose_name),
                    fields=fields,
                )
                for label, fields in models.items()
            ],
            purposes=[
                p.label.get(language) for p in rules.purposes.values() if category in p.categories
            ],
        )
    return found


def build_register(*, language: str = "en", rules: Policy | None = None) -> Register:
    """The register in ``language``, from the policy in force (or ``rules``) and the registry."""
    rules = rules or policy()
    with translation.override(language):
        categories = _categories(rules, language)
        processors = [e for source in processor_sources for e in source(clock.today())]
        activities = [
            Activity(
                key=purpose.key,
                label=purpose.label.get(language),
                basis=basis_words(purpose),
                objection=objection_words(purpose),
                persons=[role_label(role) for role in purpose.roles],
                categories=[categories[c.value] for c in purpose.categories],
                recipients=implied_recipients(purpose, rules),
                recorded_recipients=[r for source in recipient_sources for r in source(purpose)],
                transfers=transfer_words(purpose, rules)
                + [
                    processor_transfer_words(e)
                    for e in processors
                    if e.outside_eea and set(e.categories) & {c.value for c in purpose.categories}
                ],
                retention=retention_words(purpose, rules),
            )
            for purpose in rules.purposes.values()
        ]
        return Register(
            language=language,
            policy_version=rules.version,
            generated_on=clock.today(),
            controller=rules.controller,
            dpo=rules.dpo,
            authority=rules.authority.name.get(language),
            authority_contact=", ".join(
                part
                for part in (
                    rules.authority.address,
                    rules.authority.email,
                    rules.authority.website,
                )
                if part
            ),
            activities=activities,
            categories=[c for c in categories.values() if c.models],
            measures=security_measures(),
            ledger_connected=bool(recipient_sources),
            processors=processors,
            processors_connected=bool(processor_sources),
        )


def _check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {list(LANGUAGES)}, not {language!r}")
    return language


def template_context(register: Register) -> dict[str, object]:
    """What ``privacy/ropa/_body.html`` needs (the back-office page includes it too)."""
    with translation.override(register.language):
        return {
            "register": register,
            "no_ledger": no_ledger_text(),
            "end_of_period": end_of_period_text(),
            "unassigned": unassigned_text(),
        }


def render_html(register: Register) -> str:
    """A standalone HTML document (styles inline: it is also the source of the PDF)."""
    with translation.override(register.language):
        return render_to_string("privacy/ropa/document.html", template_context(register))


def render_pdf(register: Register) -> bytes:
    from weasyprint import HTML  # heavy import, only when a PDF is asked for

    pdf: bytes = HTML(string=render_html(register)).write_pdf()
    return pdf


def _party_md(party: Party) -> list[str]:
    lines = [f"- **{party.name}**"]
    if party.enterprise_number:
        lines.append(f"- {_('Enterprise number')}: {party.enterprise_number}")
    lines.append(f"- {_('Address')}: {party.address}")
    lines.append(f"- {_('E-mail')}: {party.email}")
    if party.phone:
        lines.append(f"- {_('Phone')}: {party.phone}")
    if party.website:
        lines.append(f"- {_('Web site')}: {party.website}")
    return lines


def _category_md(category: DataCategory) -> list[str]:
    lines = [f"### {category.label}", ""]
    if category.purposes:
        lines.append(f"{_('Named by')}: {'; '.join(category.purposes)}")
    else:
        lines.append(f"**{unassigned_text()}**")
    lines.append("")
    for model in category.models:
        fields = ", ".join(f"{f.label} (`{f.field}`)" for f in model.fields)
        lines.append(f"- {model.name} (`{model.model}`): {fields}")
    return lines


def render_markdown(register: Register) -> str:
    with translation.override(register.language):
        title = _("Record of processing activities")
        lines = [
            f"# {title}",
            "",
            _("GDPR Art. 30. Policy version %(version)s, generated on %(date)s.")
            % {"version": register.policy_version, "date": register.generated_text},
            "",
            f"## {_('Controller')}",
            "",
            *_party_md(register.controller),
            "",
            f"## {_('Data protection officer')}",
            "",
            *_party_md(register.dpo),
            "",
            f"## {_('Supervisory authority')}",
            "",
            f"- **{register.authority}**: {register.authority_contact}",
            "",
            f"## {_('Processing activities')}",
        ]
        for number, activity in enumerate(register.activities, start=1):
            lines += ["", f"### {number}. {activity.label}", ""]
            lines.append(f"- **{_('Legal basis')}**: {activity.basis}")
            if activity.objection:
                lines.append(f"- **{_('Objection and withdrawal')}**: {activity.objection}")
            lines.append(f"- **{_('Categories of persons')}**: {'; '.join(activity.persons)}")
            lines += ["", f"#### {_('Categories of data')}", ""]
            lines += [f"- {c.label} ({c.model_names})" for c in activity.categories]
            lines += ["", f"#### {_('Recipients')}", ""]
            lines += [f"- {r}" for r in activity.recipients]
            lines += [f"- {r}" for r in activity.recorded_recipients]
            if not register.ledger_connected:
                lines.append(f"- *{no_ledger_text()}*")
            lines += ["", f"#### {_('Transfers outside the EEA')}", ""]
            lines += [f"- {t}" for t in activity.transfers] or [f"- {_('None.')}"]
            lines += ["", f"#### {_('Retention')}", ""]
            lines += [f"- {r}" for r in activity.retention]
            lines.append(f"- {end_of_period_text()}")
        if register.processors_connected:
            lines += ["", f"## {_('Processors and sub-processors')}", ""]
            for e in register.processors:
                lines.append(
                    f"- **{e.name}** ({e.kind}{', ' + e.works_for if e.works_for else ''})"
                )
                lines.append(f"  - {_('Service')}: {e.service}")
                lines.append(f"  - {_('Data categories')}: {e.category_labels}")
                place = ", ".join(p for p in (e.location, e.country) if p)
                lines.append(f"  - {_('Location')}: {place}")
                if e.outside_eea:
                    lines.append(f"  - {_('Transfer')}: {processor_transfer_words(e)}")
                lines.append(f"  - {_('Processing agreement')}: {e.agreement}")
                lines.append(f"  - {_('Next review')}: {e.review_text}")
            if not register.processors:
                lines.append(f"- {_('None recorded.')}")
        lines += ["", f"## {_('Security measures')}", ""]
        for measure in register.measures:
            mark = f" *({_('planned')})*" if measure.planned else ""
            lines.append(f"- {measure.text}{mark}")
        lines += ["", f"## {_('Annex: categories of data, field by field')}", ""]
        for category in register.categories:
            lines += [*_category_md(category), ""]
        return "\n".join(lines) + "\n"


def render(register: Register, fmt: str) -> bytes:
    """The register as bytes in ``fmt`` (md, html or pdf)."""
    if fmt == "pdf":
        return render_pdf(register)
    if fmt == "html":
        return render_html(register).encode()
    if fmt == "md":
        return render_markdown(register).encode()
    raise ValueError(f"format must be one of {list(FORMATS)}, not {fmt!r}")


def register_for(language: str) -> Register:
    return build_register(language=_check_language(language))
