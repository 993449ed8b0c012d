"""Synthetic Belgian vocabulary for the benchmarks, built once with Faker and reused per row.

Calling Faker for every row is far too slow for a million candidates, so each script builds
these pools once (a second or two) and combines them with a seeded ``random.Random``. Nothing
here describes a real person: names, streets and employers are Faker's inventions, e-mail
addresses use reserved domains (RFC 2606 / RFC 6761) and phone numbers are computed from a row
number.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from faker import Faker

# Reserved for documentation and testing: nothing is ever delivered to them.
GENERATOR_DOMAINS = ("example.com", "example.net", "example.org")
IMPORT_DOMAIN = "candor-import.test"

# Belgian mobile numbers are +32 4xx xx xx xx. Each script maps a row number to a number in
# its own block of prefixes, so generated people and imported people never share a phone.
GENERATOR_PREFIXES = (470, 30)  # +32 470…499: 30 million numbers
IMPORT_PREFIXES = (460, 10)  # +32 460…469: 10 million numbers
_BLOCK = 1_000_000
_STRIDE = 7_368_787  # coprime with every block size used here: the mapping is a bijection
_OFFSET = 1_234_567


def belgian_mobile(n: int, prefixes: tuple[int, int]) -> str:
    """The ``n``-th number of a prefix block in E.164; distinct ``n`` give distinct numbers."""
    first, count = prefixes
    size = count * _BLOCK
    if not 0 <= n < size:
        raise ValueError(f"only {size:,} distinct numbers in this block")
    k = (n * _STRIDE + _OFFSET) % size
    return f"+32{first + k // _BLOCK}{k % _BLOCK:06d}"


def slug(value: str) -> str:
    """ASCII lower-case name for an e-mail address: ``Van Driessche`` → ``vandriessche``."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", ascii_text.lower()) or "x"


# fmt: off
SKILLS = (
    "Excel", "Word", "PowerPoint", "SAP", "Salesforce", "Python", "Java", "SQL", "AutoCAD",
    "Boekhouding", "Comptabilité", "Klantvriendelijkheid", "Service client", "Teamwerk",
    "Travail en équipe", "Heftruckattest", "Permis C", "Rijbewijs B", "Permis B", "VCA",
    "Projectbeheer", "Gestion de projet", "Onderhandelen", "Négociation", "Verkoop", "Vente",
    "Planning", "Logistiek", "Logistique", "HACCP", "Lassen", "Soudure", "Elektriciteit",
    "Électricité", "Payroll", "Recruitment", "Marketing", "SEO", "Photoshop", "Lean",
    "Six Sigma", "ITIL", "Scrum", "Linux", "Netwerkbeheer", "Coaching", "Leidinggeven",
    "Management", "Budgettering", "Contrôle de gestion", "Juridisch advies", "Droit social",
)
FIELDS_OF_STUDY = (
    "Bedrijfsbeheer", "Sciences économiques", "Rechten", "Droit", "Informatica",
    "Informatique", "Verpleegkunde", "Soins infirmiers", "Elektromechanica",
    "Électromécanique", "Toegepaste psychologie", "Psychologie", "Marketing", "Logistiek",
    "Boekhouden-informatica", "Comptabilité", "Industriële wetenschappen",
    "Sciences de l'ingénieur", "Communicatiewetenschappen", "Lettres", "Onderwijs",
    "Enseignement", "Bouwkunde", "Construction", "Hotelbeheer", "Hôtellerie",
)
SCHOOL_KINDS = (
    "Hogeschool", "Haute École", "CVO", "Syntra", "Koninklijk Atheneum", "Athénée Royal",
    "Sint-Jozefscollege", "Institut Saint-Joseph", "Universiteit", "Université",
)
# fmt: on
DIPLOMA_BY_LEVEL = {
    "secondary": ("Diploma secundair onderwijs", "CESS"),
    "bachelor": ("Professionele bachelor", "Bachelier", "Academische bachelor"),
    "master": ("Master", "Master", "Master na master"),
    "doctorate": ("Doctoraat", "Doctorat"),
    "certificate": ("Getuigschrift", "Certificat", "Attest"),
}
CEFR_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2")


@dataclass(slots=True)
class Pools:
    first_female: dict[str, list[str]]  # language ("nl"/"fr") → names
    first_male: dict[str, list[str]]
    last: dict[str, list[str]]
    streets: dict[str, list[str]]
    cities: list[str]
    functions: list[str]
    employers: list[str]
    institutions: list[str]
    slugs: dict[str, str]  # name → e-mail slug


def _unique(make: Callable[[], object], n: int) -> list[str]:
    return sorted({str(make()) for _ in range(n)})


def build_pools(seed: int) -> Pools:
    """Draw the pools from Faker (nl_BE and fr_BE, with fr_FR where fr_BE has no French)."""
    nl, fr, fr_fr, en = Faker("nl_BE"), Faker("fr_BE"), Faker("fr_FR"), Faker("en_US")
    for i, fake in enumerate((nl, fr, fr_fr, en)):
        fake.seed_instance(seed + i)
    first_female = {"nl": _unique(nl.first_name_female, 3000)}
    first_female["fr"] = _unique(fr.first_name_female, 3000)
    first_male = {"nl": _unique(nl.first_name_male, 3000), "fr": _unique(fr.first_name_male, 3000)}
    last = {"nl": _unique(nl.last_name, 5000), "fr": _unique(fr.last_name, 5000)}
    streets = {"nl": _unique(nl.street_name, 3000), "fr": _unique(fr_fr.street_name, 3000)}
    cities = _unique(nl.city, 20000)  # nl_BE lists Belgian municipalities in both languages
    functions = _unique(fr_fr.job, 3000) + _unique(en.job, 3000)
    legal = ("SA", "SRL", "SC", "ASBL")
    employers = _unique(nl.company, 3000) + [
        f"{name} {legal[i % len(legal)]}" for i, name in enumerate(_unique(fr.last_name, 2000))
    ]
    institutions = [f"{kind} {city}" for kind in SCHOOL_KINDS for city in cities[::7]]
    names = {n for group in (first_female, first_male, last) for ns in group.values() for n in ns}
    return Pools(
        first_female=first_female,
        first_male=first_male,
        last=last,
        streets=streets,
        cities=cities,
        functions=[f[:160] for f in functions],
        employers=[e[:160] for e in employers],
        institutions=[i[:160] for i in institutions],
        slugs={n: slug(n) for n in names},
    )
