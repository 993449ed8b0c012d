"""Anonymous candidate profiles (R4.1): what a client may learn about a candidate before the
candidate agreed to be introduced.

A profile is built server-side from an allow-list checked against the registry (``SHOWN``):
only fields of the career and education categories, each in a stated form. Everything that
identifies the person stays out — name, contact points, birth date (an age band instead), exact
address (a province instead), photo and documents, employer names (the employer's sector when
the agency knows the employer as an organisation, else nothing), school names unless at least
``COMMON_SCHOOL`` candidates share the school, and free text (summary, descriptions, notes)
unless a consultant cleared it for a mailing. As a second line of defence, any shown value that
contains one of the person's own identifiers (a name, an e-mail address, a phone number, the
street, an employer, a rare school, the birth date) is left out, and a cleared text containing
one is refused when it is cleared (``identifiers_in``).

The candidate is named by a reference code (``profile_code``): an HMAC of their pseudonym under
the site's secret, so it is stable, not the database id and not derivable from the name.

When you add a field to the profile: add it to ``SHOWN`` with its form, make sure the registry
declares it in a shareable category (``tests/test_profiles.py`` checks), and add it to the leak
test's generated candidates.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from candor.core import clock
from candor.people.models import Address, ContactPoint, Person
from candor.privacy.registry import Category, declaration_for
from candor.recruitment.models import (
    CandidateProfile,
    Education,
    EducationLevel,
    Experience,
    LanguageSkill,
    Skill,
)
from candor.relations.models import Organisation
from candor.search.documents import province_of

COMMON_SCHOOL = 10  # a school is named only when at least this many candidates attended it
FIRST_ROWS = 4 * COMMON_SCHOOL  # rows read to find COMMON_SCHOOL people at one school
AGE_BAND = 5  # years
CODE_SALT = "candor.disclosure.profile-code"
SHAREABLE = frozenset({Category.CAREER, Category.EDUCATION})

# The allow-list: model → field → how it appears. Fields outside the shareable categories appear
# only in a coarser derived form (named here); every other field of every model stays out.
SHOWN: dict[str, dict[str, str]] = {
    "recruitment.candidateprofile": {
        "desired_function": "as is",
        "current_function": "as is",
        "current_employer": "sector of the employer",
        "available_from": "month, or 'now'",
    },
    "recruitment.education": {
        "level": "as is",
        "field_of_study": "as is",
        "diploma": "as is",
        "institution": "only when common",
    },
    "recruitment.experience": {
        "function": "as is",
        "employer": "sector of the employer",
        "started_on": "duration in years",
        "ended_on": "duration in years",
    },
    "recruitment.languageskill": {"language": "as is", "level": "as is"},
    "recruitment.skill": {"name": "as is"},
    "people.person": {"birth_date": "age band"},
    "people.address": {"postcode": "province", "country": "country"},
}
DERIVED = {"people.person.birth_date", "people.address.postcode", "people.address.country"}

PROVINCES: dict[str, Promise] = {
    "brussels": gettext_lazy("Brussels-Capital Region"),
    "walloon_brabant": gettext_lazy("Walloon Brabant"),
    "flemish_brabant": gettext_lazy("Flemish Brabant"),
    "antwerp": gettext_lazy("Antwerp"),
    "limburg": gettext_lazy("Limburg"),
    "liege": gettext_lazy("Liège"),
    "namur": gettext_lazy("Namur"),
    "hainaut": gettext_lazy("Hainaut"),
    "luxembourg": gettext_lazy("Luxembourg"),
    "west_flanders": gettext_lazy("West Flanders"),
    "east_flanders": gettext_lazy("East Flanders"),
}
LANGUAGE_NAMES: dict[str, Promise] = {
    "nl": gettext_lazy("Dutch"),
    "fr": gettext_lazy("French"),
    "en": gettext_lazy("English"),
    "de": gettext_lazy("German"),
    "es": gettext_lazy("Spanish"),
    "it": gettext_lazy("Italian"),
    "ar": gettext_lazy("Arabic"),
    "tr": gettext_lazy("Turkish"),
    "pl": gettext_lazy("Polish"),
}


def shown_categories() -> list[str]:
    """The data categories a profile draws on, read from the registry (for the ledger)."""
    found: set[str] = set()
    for label, names in SHOWN.items():
        declaration = declaration_for(apps.get_model(label))
        if declaration is None:
            raise LookupError(f"{label} is shown in profiles but not declared in the registry")
        found.update(declaration.fields[name].category.value for name in names)
    return sorted(found)


def profile_code(pseudonym: object) -> str:
    """The candidate's reference code for clients: stable, not the id, not from the name."""
    digest = salted_hmac(CODE_SALT, str(pseudonym), algorithm="sha256").digest()
    return "C-" + base64.b32encode(digest).decode()[:8]


def age_band(birth_date: dt.date | None, today: dt.date) -> str:
    if birth_date is None:
        return ""
    age = (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )
    low = age // AGE_BAND * AGE_BAND
    return _("%(low)d–%(high)d years") % {"low": low, "high": low + AGE_BAND - 1}


@dataclass(slots=True)
class Identifiers:
    """What identifies one person, for the second line of defence (and the leak test)."""

    words: set[str] = field(default_factory=set)  # matched as whole words
    strings: set[str] = field(default_factory=set)  # matched anywhere

    def found_in(self, text: str) -> list[str]:
        low = text.casefold()
        hits = [s for s in self.strings if s and s in low]
        hits += [w for w in self.words if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", low)]
        return sorted(hits)


def _date_forms(day: dt.date) -> set[str]:
    return {
        day.isoformat(),
        f"{day:%d/%m/%Y}",
        f"{day:%d-%m-%Y}",
        f"{day:%d.%m.%Y}",
        f"{day.day}/{day.month}/{day.year}",
    }


@dataclass(slots=True)
class Profile:
    """An anonymous profile: only what ``SHOWN`` allows, in the forms it states."""

    person_id: int
    code: str
    desired_function: str = ""
    current_function: str = ""
    current_sector: str = ""
    age: str = ""
    region: str = ""
    available: str = ""
    education: list[str] = field(default_factory=list)
    experience: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    pitch: str = ""
    left_out: int = 0  # values left out because they held an identifier

    def context(self) -> dict[str, object]:
        return {"profile": self}


def _sector_of(names: Iterable[str]) -> dict[str, str]:
    """Employer name (case-folded) → sector, for employers the agency knows as organisations."""
    wanted = {n.strip().casefold() for n in names if n.strip()}
    if not wanted:
        return {}
    rows = (
        Organisation.objects.annotate(low=Lower("name"))
        .filter(low__in=wanted)
        .exclude(sector="")
        .values_list("low", "sector")
    )
    return {low.casefold(): sector for low, sector in rows}


def common_schools(schools: Iterable[str]) -> frozenset[str]:
    """Which of ``schools`` (case-folded) at least ``COMMON_SCHOOL`` candidates attended: naming
    one does not single anyone out. One look-up per school on the index of lower-cased
    institutions, reading at most a few dozen rows (the exact count only for a school whose
    first rows repeat the same people), so a profile costs the same at 1M candidates as at 10k
    and nothing needs warming up."""
    common = set()
    rows = Education.objects.annotate(low=Lower("institution"))
    for school in sorted({s.casefold() for s in schools if s.strip()}):
        of_school = rows.filter(low=school)
        first = list(of_school.values_list("person_id", flat=True)[:FIRST_ROWS])
        people = len(set(first))
        if people < COMMON_SCHOOL and len(first) == FIRST_ROWS:
            people = of_school.values("person_id").distinct().count()
        if people >= COMMON_SCHOOL:
            common.add(school)
    return frozenset(common)


def _years(started: dt.date | None, ended: dt.date | None, today: dt.date) -> str:
    if started is None:
        return ""
    years = max(0, ((ended or today) - started).days) / 365.25
    if years < 1:
        return _("less than a year")
    whole = round(years)
    return translation.ngettext("%(n)d year", "%(n)d years", whole) % {"n": whole}


class _Loaded:
    """Every row a batch of profiles needs, read in a fixed number of queries."""

    def __init__(self, person_ids: list[int]) -> None:
        self.people = {p.pk: p for p in Person.objects.filter(pk__in=person_ids)}
        self.profiles = {
            c.person_id: c for c in CandidateProfile.objects.filter(person_id__in=person_ids)
        }
        self.education: dict[int, list[Education]] = defaultdict(list)
        for row in Education.objects.filter(person_id__in=person_ids).order_by("-ended_on", "pk"):
            self.education[row.person_id].append(row)
        self.experience: dict[int, list[Experience]] = defaultdict(list)
        for job in Experience.objects.filter(person_id__in=person_ids).order_by(
            "-started_on", "pk"
        ):
            self.experience[job.person_id].append(job)
        self.languages: dict[int, list[LanguageSkill]] = defaultdict(list)
        for spoken in LanguageSkill.objects.filter(person_id__in=person_ids).order_by("language"):
            self.languages[spoken.person_id].append(spoken)
        self.skills: dict[int, list[str]] = defaultdict(list)
        for pid, name in (
            Skill.objects.filter(person_id__in=person_ids)
            .order_by("name")
            .values_list("person_id", "name")
        ):
            self.skills[pid].append(name)
        self.addresses: dict[int, list[Address]] = defaultdict(list)
        for address in Address.objects.filter(person_id__in=person_ids).order_by("pk"):
            self.addresses[address.person_id].append(address)
        self.points: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for pid, value, normalised in ContactPoint.objects.filter(
            person_id__in=person_ids
        ).values_list("person_id", "value", "normalised"):
            self.points[pid].append((value, normalised))
        employers = [c.current_employer for c in self.profiles.values()]
        employers += [e.employer for rows in self.experience.values() for e in rows]
        self.sectors = _sector_of(employers)
        self.common = common_schools(
            row.institution for rows in self.education.values() for row in rows
        )

    def identifiers(self, person_id: int) -> Identifiers:
        """The person's own identifiers: what no profile of theirs may contain."""
        found = Identifiers()
        person = self.people[person_id]
        for name in (person.first_name, person.last_name):
            for word in re.split(r"[\s\-']+", name.casefold()):
                if len(word) >= 3:
                    found.words.add(word)
        full = f"{person.first_name} {person.last_name}".strip().casefold()
        if full:
            found.strings.add(full)
        if person.birth_date:
            found.strings.update(_date_forms(person.birth_date))
        for value, normalised in self.points[person_id]:
            found.strings.update(v.casefold() for v in (value, normalised) if len(v) >= 5)
            digits = re.sub(r"\D", "", normalised)
            if len(digits) >= 8:
                found.strings.add(digits[-8:])  # a phone number written another way
        for address in self.addresses[person_id]:
            if len(address.street.strip()) >= 3:
                found.strings.add(address.street.strip().casefold())
        profile = self.profiles.get(person_id)
        employers = [profile.current_employer] if profile else []
        employers += [e.employer for e in self.experience[person_id]]
        found.strings.update(e.strip().casefold() for e in employers if len(e.strip()) >= 3)
        for row in self.education[person_id]:
            school = row.institution.strip().casefold()
            if len(school) >= 3 and school not in self.common:
                found.strings.add(school)
        return found


def _region(addresses: list[Address]) -> str:
    for address in addresses:
        if address.country == "BE" and (province := province_of(address.postcode.strip())):
            return str(PROVINCES[province])
        if address.country and address.country != "BE":
            return address.country.upper()  # a country is coarse enough
    return ""


def _education_lines(loaded: _Loaded, person_id: int, clean: Callable[[str], str]) -> list[str]:
    """Level, field and diploma; the school only when it is common."""
    levels = dict(EducationLevel.choices)
    lines = []
    for row in loaded.education[person_id]:
        parts = [str(levels.get(row.level, "")) if row.level else "", clean(row.field_of_study)]
        diploma = clean(row.diploma)
        if diploma and diploma.casefold() != row.field_of_study.strip().casefold():
            parts.append(f"({diploma})")
        school = row.institution.strip()
        if school and school.casefold() in loaded.common and (shown := clean(school)):
            parts.append("— " + shown)
        if line := " ".join(p for p in parts if p):
            lines.append(line)
    return lines


def _experience_lines(
    loaded: _Loaded, person_id: int, clean: Callable[[str], str], today: dt.date
) -> list[str]:
    """Function, the employer's sector when known, and the duration in years: no dates."""
    lines = []
    for job in loaded.experience[person_id]:
        function = clean(job.function)
        if not function:
            continue
        parts = [function]
        if sector := clean(loaded.sectors.get(job.employer.strip().casefold(), "")):
            parts.append(_("sector: %(sector)s") % {"sector": sector})
        if years := _years(job.started_on, job.ended_on, today):
            parts.append(years)
        lines.append(", ".join(parts))
    return lines


def _build(loaded: _Loaded, person_id: int, code: str, pitch: str, today: dt.date) -> Profile:
    ids = loaded.identifiers(person_id)
    person = loaded.people[person_id]
    profile = Profile(person_id=person_id, code=code)

    def clean(value: str) -> str:
        value = " ".join(str(value).split())
        if value and ids.found_in(value):
            profile.left_out += 1
            return ""
        return value

    candidate = loaded.profiles.get(person_id)
    if candidate is not None:
        profile.desired_function = clean(candidate.desired_function)
        profile.current_function = clean(candidate.current_function)
        profile.current_sector = clean(
            loaded.sectors.get(candidate.current_employer.strip().casefold(), "")
        )
        if candidate.available_from:
            profile.available = (
                _("now")
                if candidate.available_from <= today
                else date_format(candidate.available_from, "YEAR_MONTH_FORMAT")
            )
    profile.age = age_band(person.birth_date, today)
    profile.region = _region(loaded.addresses[person_id])
    profile.education = _education_lines(loaded, person_id, clean)
    profile.experience = _experience_lines(loaded, person_id, clean, today)
    for spoken in loaded.languages[person_id]:
        name = LANGUAGE_NAMES.get(spoken.language)
        label = str(name) if name else spoken.language.upper()
        level = _("native") if spoken.level == "native" else spoken.level
        profile.languages.append(f"{label} {level}")
    profile.skills = [s for s in (clean(name) for name in loaded.skills[person_id]) if s]
    profile.pitch = clean(pitch)
    return profile


def build_profiles(
    person_ids: Iterable[int],
    *,
    pitches: Mapping[int, str] | None = None,
    today: dt.date | None = None,
) -> dict[int, Profile]:
    """Anonymous profiles of ``person_ids`` (those that exist), in a fixed number of queries.
    ``pitches``: cleared free text per person. The caller decides who may be profiled (the
    gate); this only decides what a profile may say."""
    wanted = list(dict.fromkeys(person_ids))
    loaded = _Loaded(wanted)
    today = today or clock.today()
    pitches = pitches or {}
    return {
        pk: _build(
            loaded, pk, profile_code(loaded.people[pk].pseudonym), pitches.get(pk, ""), today
        )
        for pk in wanted
        if pk in loaded.people
    }


def identifiers_in(person_id: int, text: str) -> list[str]:
    """The person's identifiers that ``text`` contains (a pitch must hold none)."""
    loaded = _Loaded([person_id])
    if person_id not in loaded.people:
        return []
    return loaded.identifiers(person_id).found_in(text)


@dataclass(frozen=True, slots=True)
class Rendered:
    code: str
    text: str
    html: str


def render_profile(profile: Profile, *, language: str = "") -> Rendered:
    """The profile as plain text and as an HTML fragment, in ``language`` (or the active one)."""
    with translation.override(language or translation.get_language()):
        text = render_to_string("disclosure/profile.txt", profile.context())
        html = render_to_string("disclosure/profile.html", profile.context())
    # Plain strings: whoever shows them again escapes them like any other text.
    return Rendered(profile.code, str.__str__(text).strip() + "\n", str.__str__(html).strip())


def profile_text(person_id: int, *, fmt: str = "text", language: str = "") -> str:
    """One candidate's anonymous profile in ``fmt`` (text or html); KeyError if no such person."""
    profile = build_profiles([person_id])[person_id]
    rendered = render_profile(profile, language=language)
    return rendered.html if fmt == "html" else rendered.text
