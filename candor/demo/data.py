"""Synthetic Belgian demo data: candidates, clients, suppliers, vacancies, procedures and
trajectories. Every person is made up (Faker nl_BE / fr_BE) and every address of contact is on a
reserved domain. Candidates enter through the same writer as imports and the API, so the demo
shows real provenance and a real audit trail.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from faker import Faker

from candor.accounts.models import Office, Role, User
from candor.audit.services import Event, audit_record_many
from candor.core import clock
from candor.core.actor import Actor
from candor.core.normalise import normalise_name
from candor.demo.vacancy_texts import vacancy_description
from candor.guidance.models import GuidanceSession, Trajectory, TrajectoryKind, TrajectoryStatus
from candor.people.models import (
    Channel,
    ContactKind,
    ContactPoint,
    Document,
    DocumentKind,
    Person,
    Provenance,
)
from candor.people.services import ProvenanceSpec
from candor.recruitment.intake import candidates_write
from candor.recruitment.models import (
    PIPELINE,
    Application,
    Outcome,
    ProcedureStep,
    Stage,
    StepKind,
    Vacancy,
    VacancyStatus,
)
from candor.recruitment.records import (
    AddressData,
    CandidateRecord,
    EducationData,
    ExperienceData,
    clean_candidate,
)
from candor.relations.models import (
    ContactPerson,
    Contract,
    ContractKind,
    Invoice,
    Organisation,
    OrganisationKind,
)
from candor.relations.services import organisation_create

DEMO_PASSWORD = "candor-demo"  # noqa: S105 - printed on purpose; demo mode on loopback only
# The demo's staff whose role requires two-factor log-in share this authenticator secret,
# printed on start with the current code (R7.1). Refused in production by the service.
DEMO_TOTP_SECRET = "CANDORDEMOTWOFACTORSECRETKEYAAAA"  # noqa: S105 - printed on purpose

STAFF = [
    ("consultant", Role.CONSULTANT, "Sofie", "Wouters", "Antwerpen"),
    ("consultant2", Role.CONSULTANT, "Mathieu", "Lambert", "Liège"),
    ("dpo", Role.DPO, "Karen", "Jacobs", "Brussel"),
    ("admin", Role.ADMINISTRATOR, "Pieter", "Mertens", "Brussel"),
    ("inhouse", Role.INHOUSE_CLIENT, "Nadia", "Hermans", ""),
    ("client", Role.CLIENT, "Ruben", "Claes", ""),  # client portal (/clients/)
]

FUNCTIONS = [
    "Boekhouder",
    "Comptable",
    "Accountant",
    "Verpleegkundige",
    "Infirmier",
    "HR-medewerker",
    "Chargé de recrutement",
    "Projectleider",
    "Chef de projet",
    "Software developer",
    "Data analyst",
    "Logistiek medewerker",
    "Magasinier",
    "Vrachtwagenchauffeur",
    "Elektricien",
    "Électricien",
    "Lasser",
    "Onderhoudstechnicus",
    "Technicien de maintenance",
    "Klantendienstmedewerker",
    "Conseiller clientèle",
    "Verkoper",
    "Commercial",
    "Office manager",
    "Management assistant",
    "Productieoperator",
    "Opérateur de production",
    "Aankoper",
    "Acheteur",
    "Controller",
    "Payroll officer",
    "Juridisch adviseur",
    "Conseiller juridique",
    "Marketeer",
    "Business analyst",
    "Teamleider",
    "Chef d'équipe",
]
SKILLS = [
    "Excel",
    "SAP",
    "Python",
    "SQL",
    "Java",
    "AutoCAD",
    "Heftruck",
    "Reachtruck",
    "VCA",
    "Rijbewijs C",
    "Permis C",
    "Boekhouding",
    "Comptabilité",
    "Payroll",
    "Salesforce",
    "Power BI",
    "Projectmanagement",
    "Gestion de projet",
    "Klantgericht",
    "Leidinggeven",
    "Onderhandelen",
    "Négociation",
    "PLC",
    "Lassen TIG",
    "Elektriciteit BA5",
    "Scrum",
]
SECTORS = [
    "Logistiek",
    "Zorg",
    "Industrie",
    "Bouw",
    "Retail",
    "Financiële diensten",
    "ICT",
    "Overheid",
    "Chimie",
    "Agroalimentaire",
    "Energie",
    "Transport",
]
SCHOOLS = [
    "KU Leuven",
    "Universiteit Gent",
    "Université de Liège",
    "UCLouvain",
    "Universiteit Antwerpen",
    "Vrije Universiteit Brussel",
    "Hogeschool Gent",
    "Thomas More",
    "HELMo",
    "Haute École Libre de Bruxelles",
    "AP Hogeschool",
    "PXL",
    "Odisee",
    "Howest",
    "Syntra",
    "IFAPME",
]
FIELDS = [
    "Bedrijfsmanagement",
    "Toegepaste informatica",
    "Verpleegkunde",
    "Rechten",
    "Sciences économiques",
    "Elektromechanica",
    "Psychologie",
    "Logistiek",
    "Marketing",
    "Gestion des ressources humaines",
]
SOURCES = [
    ("self", Channel.PORTAL, 0.35),
    ("medium:LinkedIn", Channel.FORM, 0.25),
    ("medium:VDAB vacaturedatabank", Channel.IMPORT, 0.12),
    ("medium:Le Forem", Channel.IMPORT, 0.08),
    ("third-party", Channel.FORM, 0.1),
    ("partner:Outplacement partner Kempen", Channel.IMPORT, 0.1),
]
LEVELS = ["A2", "B1", "B2", "C1", "C2", "native"]

# Belgian municipalities with their postcodes, and common street names per language region.
PLACES = {
    "nl": [
        ("2000", "Antwerpen"),
        ("9000", "Gent"),
        ("3000", "Leuven"),
        ("8000", "Brugge"),
        ("2800", "Mechelen"),
        ("3500", "Hasselt"),
        ("8500", "Kortrijk"),
        ("9300", "Aalst"),
        ("2300", "Turnhout"),
        ("3600", "Genk"),
        ("9100", "Sint-Niklaas"),
        ("1800", "Vilvoorde"),
        ("2500", "Lier"),
        ("8400", "Oostende"),
        ("3300", "Tienen"),
        ("2440", "Geel"),
    ],
    "fr": [
        ("4000", "Liège"),
        ("5000", "Namur"),
        ("6000", "Charleroi"),
        ("7000", "Mons"),
        ("1300", "Wavre"),
        ("1400", "Nivelles"),
        ("7500", "Tournai"),
        ("4800", "Verviers"),
        ("6700", "Arlon"),
        ("1348", "Louvain-la-Neuve"),
        ("1050", "Ixelles"),
        ("1180", "Uccle"),
    ],
}


def lang_of(postcode: str) -> str:
    """The language of a demo place: French for the Walloon postcodes of ``PLACES``."""
    return "fr" if postcode in {code for code, _city in PLACES["fr"]} else "nl"


STREETS = {
    "nl": [
        "Kerkstraat",
        "Stationsstraat",
        "Dorpsstraat",
        "Molenstraat",
        "Schoolstraat",
        "Nieuwstraat",
        "Kapelstraat",
        "Beekstraat",
        "Heirbaan",
        "Lindelaan",
        "Veldstraat",
        "Brugstraat",
        "Kouter",
        "Markt",
        "Zandstraat",
        "Steenweg op Gent",
    ],
    "fr": [
        "Rue de la Station",
        "Rue de l'Église",
        "Chaussée de Bruxelles",
        "Rue du Moulin",
        "Avenue des Tilleuls",
        "Rue Haute",
        "Place du Marché",
        "Rue de la Gare",
        "Rue des Écoles",
        "Avenue Louise",
        "Rue Saint-Gilles",
        "Chaussée de Namur",
    ],
}


@dataclass
class DemoSize:
    candidates: int = 520
    clients: int = 40
    suppliers: int = 6
    vacancies: int = 80
    trajectories: int = 20


def _email(first: str, last: str, n: int) -> str:
    local = normalise_name(f"{first}.{last}").replace(" ", "")
    local = "".join(ch for ch in local if ch.isalnum() or ch == ".")
    return f"{local}.{n}@example.com"


def _mobile(rng: random.Random) -> str:
    return f"+324{rng.choice('5679')}{rng.randint(0, 9_999_999):07d}"


def _date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


class DemoBuilder:
    def __init__(
        self,
        *,
        seed: int = 2026,
        size: DemoSize | None = None,
        say: Callable[[str], None] = lambda _m: None,
    ) -> None:
        self.rng = random.Random(seed)
        self.fakers = {"nl": Faker("nl_BE"), "fr": Faker("fr_BE")}
        for i, f in enumerate(self.fakers.values()):
            f.seed_instance(seed + i)
        self.size = size or DemoSize()
        self.say = say
        self.today = clock.today()
        self.actor = Actor.system("demo")
        self.counter = 0

    def build(self) -> dict[str, int]:
        staff = self.staff()
        self.actor = Actor.for_user(staff["consultant"])
        clients = self.organisations(OrganisationKind.CLIENT, self.size.clients, staff)
        self.organisations(OrganisationKind.SUPPLIER, self.size.suppliers, staff)
        person_ids = self.candidates()
        vacancies = self.vacancies(clients, staff)
        self.applications(person_ids, vacancies, staff)
        self.trajectories(person_ids, clients, staff)
        self.inhouse(vacancies, staff)
        self.documents(person_ids[:60])
        from candor.demo.privacy import demo_privacy

        demo_privacy(
            rng=self.rng,
            consultant=self.actor,
            dpo=Actor.for_user(staff["dpo"]),
            person_ids=person_ids,
        )
        from candor.demo.requests import demo_requests

        demo_requests(rng=self.rng, dpo=Actor.for_user(staff["dpo"]), person_ids=person_ids)
        from candor.demo.statistics import demo_statistics

        demo_statistics(rng=self.rng)
        from candor.demo.portal import demo_portal

        demo_portal(
            consultant=self.actor,
            user=staff["client"],
            client=clients[0],
            person_ids=person_ids[-40:],
        )
        return {
            "candidates": len(person_ids),
            "clients": len(clients),
            "vacancies": len(vacancies),
            "applications": Application.objects.count(),
            "trajectories": Trajectory.objects.count(),
        }

    def inhouse(self, vacancies: list[Vacancy], staff: dict[str, User]) -> None:
        """The demo consultant is posted at the client of the first vacancy, where the demo
        in-house user works: the consultant can open a supervised session for them (R4.2)."""
        from candor.inhouse.services import posting_create

        if not vacancies:
            return
        client = vacancies[0].client
        user = staff["inhouse"]
        user.client = client
        user.save(update_fields=["client"])
        posting_create(
            actor=Actor.for_user(staff["admin"]),
            consultant=staff["consultant"],
            organisation=client,
            starts_on=self.today - dt.timedelta(days=90),
        )

    def staff(self) -> dict[str, User]:
        offices = {
            name: Office.objects.get_or_create(name=name, defaults={"city": name})[0]
            for name in ("Antwerpen", "Gent", "Liège", "Brussel")
        }
        users = {}
        for username, role, first, last, office in STAFF:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create_user(
                    username=username,
                    password=DEMO_PASSWORD,
                    role=role,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@candor-demo.example.com",
                    office=offices.get(office),
                )
            users[username] = user
        demo_second_factors()
        return users

    # -- organisations -----------------------------------------------------------------------

    def _vat(self) -> str:
        base = self.rng.randint(2_000_000, 9_999_999)
        number = int(f"0{base}")
        return f"BE0{base}{97 - number % 97:02d}"

    def _iban(self) -> str:
        bank = self.rng.choice([1, 68, 363, 735])  # bank codes known to the IBAN check
        account = self.rng.randint(0, 9_999_999)
        national = f"{bank:03d}{account:07d}"
        check = int(national) % 97 or 97
        bban = f"{national}{check:02d}"
        # ISO 13616 check digits: move "BE00" to the end, letters to numbers (B=11, E=14).
        digits = int(f"{bban}111400")
        return f"BE{98 - digits % 97:02d}{bban}"

    def organisations(self, kind: str, count: int, staff: dict[str, User]) -> list[Organisation]:
        fake = self.fakers["nl"]
        made = []
        self.say(f"  {count} {kind}s with contacts and contracts")
        for _i in range(count):
            lang = self.rng.choice(["nl", "nl", "fr"])
            f = self.fakers[lang]
            org = organisation_create(
                actor=self.actor,
                data={
                    "kind": kind,
                    "name": f.company(),
                    "sector": self.rng.choice(SECTORS),
                    "website": f"https://{fake.domain_word()}.example.com",
                    "vat_number": self._vat(),
                    "iban": self._iban(),
                    **self._billing(lang),
                },
            )
            self._contacts(org, lang, supplier=kind == OrganisationKind.SUPPLIER)
            made.append(org)
        return made

    def _contacts(self, org: Organisation, lang: str, *, supplier: bool) -> None:
        f = self.fakers[lang]
        source = ProvenanceSpec(
            kind="subject", channel=Channel.FORM, recorded_by_id=self.actor.user_id
        )
        events: list[Event] = []
        with transaction.atomic():
            prov = source.row()
            contacts = []
            for i in range(self.rng.randint(1, 3)):
                first, last = f.first_name(), f.last_name()
                self.counter += 1
                person = Person.objects.create(
                    provenance=prov,
                    first_name=first,
                    last_name=last,
                    name_key=normalise_name(f"{first} {last}"),
                    preferred_language=lang,
                    is_client_contact=not supplier,
                    is_supplier_contact=supplier,
                )
                ContactPoint.objects.create(
                    person=person,
                    provenance=prov,
                    kind=ContactKind.EMAIL,
                    is_primary=True,
                    value=_email(first, last, self.counter),
                    normalised=_email(first, last, self.counter),
                )
                area = self.rng.choice(["2", "3", "9"])  # Brussels, Antwerp, Ghent landlines
                phone = f"+32{area}{self.rng.randint(2_000_000, 9_999_999):07d}"
                ContactPoint.objects.create(
                    person=person,
                    provenance=prov,
                    kind=ContactKind.PHONE,
                    value=phone,
                    normalised=phone,
                )
                contacts.append(
                    ContactPerson.objects.create(
                        person=person,
                        organisation=org,
                        provenance=prov,
                        is_primary=i == 0,
                        job_title=self.rng.choice(
                            [
                                "HR manager",
                                "Directeur",
                                "Responsable RH",
                                "Aankoper",
                                "Teamleider",
                                "CFO",
                            ]
                        ),
                    )
                )
                events.append(
                    Event(
                        "create",
                        "people.person",
                        str(person.pk),
                        str(person.pseudonym),
                        {"source": source.code, "role": "contact"},
                    )
                )
            for n in range(self.rng.randint(1, 2)):
                start = _date_between(
                    self.rng,
                    self.today - dt.timedelta(days=2000),
                    self.today - dt.timedelta(days=30),
                )
                contract = Contract.objects.create(
                    organisation=org,
                    kind=ContractKind.SUPPLY
                    if supplier
                    else self.rng.choice(
                        [
                            ContractKind.RECRUITMENT,
                            ContractKind.OUTPLACEMENT,
                            ContractKind.CAREER_GUIDANCE,
                            ContractKind.INHOUSE,
                        ]
                    ),
                    reference=f"C{org.pk:04d}-{n + 1}",
                    starts_on=start,
                    ends_on=start + dt.timedelta(days=365 * self.rng.randint(1, 3)),
                    fee_terms="20% of the first-year gross salary" if not supplier else "",
                    signed_by=contacts[0],
                )
                for k in range(self.rng.randint(0, 3)):
                    Invoice.objects.create(
                        contract=contract,
                        number=f"F{contract.pk:05d}-{k + 1}",
                        issued_on=start + dt.timedelta(days=30 * (k + 1)),
                        amount=Decimal(self.rng.randint(1500, 18000)),
                    )
                events.append(Event("create", "relations.contract", str(contract.pk)))
            audit_record_many(actor=self.actor, events=events)

    # -- candidates --------------------------------------------------------------------------

    def _record(self) -> CandidateRecord:
        lang = self.rng.choice(["nl", "nl", "nl", "fr", "fr"])
        f = self.fakers[lang]
        gender = self.rng.choice(["f", "m"])
        first = f.first_name_female() if gender == "f" else f.first_name_male()
        last = f.last_name()
        self.counter += 1
        birth = _date_between(self.rng, dt.date(1962, 1, 1), dt.date(2004, 12, 31))
        function = self.rng.choice(FUNCTIONS)
        jobs: list[ExperienceData] = []
        year = birth.year + self.rng.randint(20, 24)
        while year < self.today.year - 1 and len(jobs) < 4:
            length = self.rng.randint(1, 6)
            end = min(year + length, self.today.year)
            jobs.append(
                ExperienceData(
                    function=self.rng.choice(FUNCTIONS),
                    employer=f.company(),
                    started_on=dt.date(year, self.rng.randint(1, 12), 1),
                    ended_on=None
                    if end >= self.today.year
                    else dt.date(end, self.rng.randint(1, 12), 1),
                    description=f.sentence(nb_words=12),
                )
            )
            year = end + 1
        if not jobs:  # the youngest: a student job
            jobs.append(
                ExperienceData(
                    function="Jobstudent",
                    employer=f.company(),
                    started_on=dt.date(self.today.year - 1, 7, 1),
                    ended_on=dt.date(self.today.year - 1, 8, 31),
                )
            )
        current = next((j for j in jobs if j.ended_on is None), None)
        languages = {lang: "native"}
        for other in self.rng.sample(["nl", "fr", "en", "de"], k=self.rng.randint(1, 3)):
            languages.setdefault(other, self.rng.choice(LEVELS[:-1]))
        study_end = birth.year + self.rng.randint(18, 24)
        return CandidateRecord(
            first_name=first,
            last_name=last,
            birth_date=birth,
            gender=gender,
            civil_status=self.rng.choice(["", "single", "married", "cohabiting", "divorced"]),
            nationality=self.rng.choice(["BE"] * 8 + ["NL", "FR", "MA", "PL"]),
            preferred_language=lang,
            contact_channel=self.rng.choice(["", "email", "phone", "sms"]),
            contact_times=self.rng.choice(["", "na 17u", "en matinée", "weekdagen 9-12"]),
            notes=self.rng.choice(["", "", f.sentence(nb_words=10)]),
            emails=[_email(first, last, self.counter)],
            mobiles=[_mobile(self.rng)],
            address=self._address(lang),
            desired_function=function,
            current_function=current.function if current else "",
            current_employer=current.employer if current else "",
            available_from=self.today + dt.timedelta(days=self.rng.choice([0, 14, 30, 90])),
            summary=f.paragraph(nb_sentences=2),
            education=[
                EducationData(
                    institution=self.rng.choice(SCHOOLS),
                    field_of_study=self.rng.choice(FIELDS),
                    diploma=self.rng.choice(["Bachelor", "Master", "Gegradueerde", "CESS"]),
                    level=self.rng.choice(["bachelor", "master", "secondary"]),
                    started_on=dt.date(study_end - 3, 9, 1),
                    ended_on=dt.date(study_end, 6, 30),
                )
            ],
            experience=jobs,
            languages=languages,
            skills=self.rng.sample(SKILLS, k=self.rng.randint(2, 5)),
        )

    def _address(self, lang: str) -> AddressData:
        postcode, city = self.rng.choice(PLACES[lang])
        number = str(self.rng.randint(1, 180))
        return AddressData(
            street=self.rng.choice(STREETS[lang]), number=number, postcode=postcode, city=city
        )

    def _billing(self, lang: str) -> dict[str, str]:
        a = self._address(lang)
        return {
            "billing_street": f"{a.street} {a.number}",
            "billing_postcode": a.postcode,
            "billing_city": a.city,
        }

    def candidates(self) -> list[int]:
        self.say(f"  {self.size.candidates} candidates with full profiles")
        ids: list[int] = []
        weights = [w for _s, _c, w in SOURCES]
        by_source: dict[int, list[CandidateRecord]] = {}
        for _i in range(self.size.candidates):
            index = self.rng.choices(range(len(SOURCES)), weights=weights)[0]
            by_source.setdefault(index, []).append(
                clean_candidate(self._record(), today=self.today)
            )
        for index, records in by_source.items():
            code, channel, _w = SOURCES[index]
            source = ProvenanceSpec.parse(
                code, channel=channel, recorded_by_id=self.actor.user_id, reference="demo"
            )
            outcomes = candidates_write(actor=self.actor, source=source, records=records)
            ids += [o.person_id for o in outcomes if o.person_id]
        return sorted(set(ids))

    # -- vacancies, procedures ---------------------------------------------------------------

    def vacancies(self, clients: list[Organisation], staff: dict[str, User]) -> list[Vacancy]:
        consultants = [staff["consultant"], staff["consultant2"]]
        made = []
        with transaction.atomic():
            for n in range(self.size.vacancies):
                client = self.rng.choice(clients)
                status = self.rng.choices(
                    [
                        VacancyStatus.OPEN,
                        VacancyStatus.FILLED,
                        VacancyStatus.CLOSED,
                        VacancyStatus.DRAFT,
                    ],
                    weights=[6, 2, 1, 1],
                )[0]
                title = self.rng.choice(FUNCTIONS)
                made.append(
                    Vacancy(
                        client=client,
                        reference=f"V{self.today.year}-{n + 1:04d}",
                        title=title,
                        description=vacancy_description(
                            self.rng,
                            self.fakers[lang_of(client.billing_postcode)],
                            title=title,
                            city=client.billing_city,
                            lang=lang_of(client.billing_postcode),
                        ),
                        postcode=client.billing_postcode,
                        city=client.billing_city,
                        status=status,
                        consultant=self.rng.choice(consultants),
                        opened_on=self.today - dt.timedelta(days=self.rng.randint(0, 240)),
                    )
                )
            Vacancy.objects.bulk_create(made)
            audit_record_many(
                actor=self.actor,
                events=[Event("create", "recruitment.vacancy", str(v.pk)) for v in made],
            )
        return made

    def applications(
        self, person_ids: list[int], vacancies: list[Vacancy], staff: dict[str, User]
    ) -> None:
        stages = [*PIPELINE, Stage.REJECTED, Stage.WITHDRAWN]
        people = Person.objects.in_bulk(person_ids)
        chosen = self.rng.sample(person_ids, k=min(len(person_ids), 320))
        source = ProvenanceSpec(kind="subject", channel=Channel.PORTAL, reference="demo")
        events: list[Event] = []
        with transaction.atomic():
            prov = source.row()
            agency = Provenance.objects.create(
                kind="agency",
                channel=Channel.FORM,
                obtained_at=clock.now(),
                recorded_by=staff["consultant"],
            )
            for n, pid in enumerate(chosen):
                vacancy = vacancies[n % len(vacancies)]
                stage = stages[n % len(stages)]  # every stage is represented
                app = Application.objects.create(
                    person_id=pid,
                    vacancy=vacancy,
                    stage=stage,
                    provenance=prov,
                    applied_on=vacancy.opened_on + dt.timedelta(days=self.rng.randint(0, 20)),
                    motivation=self.fakers["nl"].sentence(nb_words=14),
                    consultant=vacancy.consultant,
                )
                reached = PIPELINE.index(stage) if stage in PIPELINE else self.rng.randint(1, 3)
                steps = []
                if reached >= 2:
                    steps.append(StepKind.INTERVIEW)
                if reached >= 3:
                    steps += [StepKind.SELECTION_TEST, StepKind.APTITUDE_TEST]
                when = dt.datetime.combine(app.applied_on, dt.time(10), tzinfo=dt.UTC)
                for k, kind in enumerate(steps):
                    at = when + dt.timedelta(days=7 * (k + 1), hours=self.rng.randint(0, 6))
                    done = at < clock.now()
                    ProcedureStep.objects.create(
                        application=app,
                        kind=kind,
                        scheduled_at=at,
                        provenance=agency,
                        conducted_by=vacancy.consultant,
                        test_name=""
                        if kind == StepKind.INTERVIEW
                        else self.rng.choice(
                            ["Numerieke redenering", "Raisonnement verbal", "Persoonlijkheid"]
                        ),
                        outcome=self.rng.choice([Outcome.POSITIVE, Outcome.NEUTRAL])
                        if done
                        else Outcome.PENDING,
                        score=Decimal(self.rng.randint(40, 98))
                        if kind != StepKind.INTERVIEW and done
                        else None,
                        report=self.fakers["nl"].sentence(nb_words=16) if done else "",
                    )
                events.append(
                    Event(
                        "create",
                        "recruitment.application",
                        str(app.pk),
                        str(people[pid].pseudonym),
                        {"steps": len(steps)},
                    )
                )
            # today's interviews, for the consultant's dashboard
            for app in Application.objects.filter(stage=Stage.INTERVIEW)[:4]:
                ProcedureStep.objects.create(
                    application=app,
                    kind=StepKind.INTERVIEW,
                    provenance=agency,
                    scheduled_at=clock.now().replace(minute=0, second=0, microsecond=0)
                    + dt.timedelta(hours=self.rng.randint(1, 5)),
                    conducted_by=staff["consultant"],
                )
            audit_record_many(actor=self.actor, events=events)

    def trajectories(
        self, person_ids: list[int], clients: list[Organisation], staff: dict[str, User]
    ) -> None:
        chosen = self.rng.sample(person_ids, k=min(len(person_ids), self.size.trajectories))
        people = Person.objects.in_bulk(chosen)
        events: list[Event] = []
        with transaction.atomic():
            agency = Provenance.objects.create(
                kind="agency",
                channel=Channel.FORM,
                obtained_at=clock.now(),
                recorded_by=staff["consultant2"],
            )
            for n, pid in enumerate(chosen):
                kind = TrajectoryKind.OUTPLACEMENT if n % 2 else TrajectoryKind.CAREER_GUIDANCE
                start = self.today - dt.timedelta(days=self.rng.randint(10, 400))
                trajectory = Trajectory.objects.create(
                    person_id=pid,
                    kind=kind,
                    provenance=agency,
                    started_on=start,
                    status=self.rng.choice(
                        [
                            TrajectoryStatus.ACTIVE,
                            TrajectoryStatus.ACTIVE,
                            TrajectoryStatus.COMPLETED,
                        ]
                    ),
                    sponsor=self.rng.choice(clients)
                    if kind == TrajectoryKind.OUTPLACEMENT
                    else None,
                    consultant=staff["consultant2"],
                    goal=self.fakers["fr"].sentence(nb_words=10),
                )
                for k in range(self.rng.randint(2, 6)):
                    GuidanceSession.objects.create(
                        trajectory=trajectory,
                        provenance=agency,
                        consultant=staff["consultant2"],
                        held_at=dt.datetime.combine(
                            start + dt.timedelta(days=14 * k), dt.time(14), tzinfo=dt.UTC
                        ),
                        topic=self.rng.choice(
                            [
                                "Loopbaananalyse",
                                "Bilan de compétences",
                                "Sollicitatietraining",
                                "Netwerken",
                                "CV",
                            ]
                        ),
                        notes=self.fakers["nl"].sentence(nb_words=14),
                    )
                events.append(
                    Event(
                        "create",
                        "guidance.trajectory",
                        str(trajectory.pk),
                        str(people[pid].pseudonym),
                    )
                )
            audit_record_many(actor=self.actor, events=events)

    def documents(self, person_ids: list[int]) -> None:
        """A small text CV for some candidates, stored through the storage API."""
        import hashlib

        people = Person.objects.in_bulk(person_ids)
        with transaction.atomic():
            prov = ProvenanceSpec(kind="subject", channel=Channel.PORTAL, reference="demo").row()
            events = []
            for pid in person_ids:
                person = people[pid]
                body = f"Curriculum vitae\n{person.first_name} {person.last_name}\n".encode()
                doc = Document(
                    person=person,
                    provenance=prov,
                    kind=DocumentKind.CV,
                    original_name=f"cv-{person.last_name.lower()}.txt",
                    content_type="text/plain",
                    size=len(body),
                    sha256=hashlib.sha256(body).hexdigest(),
                )
                doc.file.save("cv.txt", ContentFile(body), save=False)
                doc.save()
                events.append(
                    Event("create", "people.document", str(doc.pk), str(person.pseudonym))
                )
            audit_record_many(actor=self.actor, events=events)


def demo_loaded() -> bool:
    return User.objects.filter(username="consultant").exists() and Person.objects.exists()


def demo_second_factors() -> list[User]:
    """Enrol the demo staff whose role requires two-factor log-in with the printed demo secret
    (once; an account that set up its own keeps it). Returns the accounts that use it."""
    from candor.accounts import second_factor

    users = []
    for username, *_rest in STAFF:
        user = User.objects.filter(username=username).first()
        if user is None or not second_factor.required_for(user):
            continue
        if not second_factor.enrolled(user):
            second_factor.second_factor_enrol_with_secret(
                actor=Actor.system("demo"), user=user, secret=DEMO_TOTP_SECRET
            )
        if second_factor.stored_secret(user) == DEMO_TOTP_SECRET:
            users.append(user)
    return users
