"""Fill the configured database with synthetic Belgian candidates, fast.

    uv run python bench/generate.py --count 100000 [--seed 42] [--chunk 10000]

Each candidate gets a Person (with its retention date: the statutory pension date from the birth
date, as ``candor.privacy.retention`` computes it; ``--due-share`` of them, 1% by default, with a
career end recorded in the past, so that the retention sweep has that share to erase), a
CandidateProfile, an e-mail and a mobile ContactPoint, an
Address, 1-2 Education, 2-3 Experience, 2 LanguageSkill and 2-3 Skill rows (about 13.5 rows).
Rows bypass the ORM: ``executemany`` on raw INSERTs in large transactions on SQLite,
``COPY … FROM STDIN`` on PostgreSQL. Table and column names come from the models' ``_meta``;
a column the script does not fill gets the field's default (or NULL / "" where allowed), and
the script stops with a clear message when a new required field has neither.

The run writes one Provenance row (medium "benchmark generator", channel "demo") that every
row points to, and ONE audit event ("bench.generate", detail {"count": N}) for the whole run:
benchmark data is bulk-loaded, not audited person by person, and ``candor audit verify`` stays
intact. Do not run it against a database that other processes write to at the same time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import django
from pools import (
    CEFR_LEVELS,
    DIPLOMA_BY_LEVEL,
    FIELDS_OF_STUDY,
    GENERATOR_DOMAINS,
    GENERATOR_PREFIXES,
    SKILLS,
    Pools,
    belgian_mobile,
    build_pools,
)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "candor.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from django.db.models.fields import NOT_PROVIDED  # noqa: E402

from candor.audit.services import audit_record  # noqa: E402
from candor.core import clock  # noqa: E402
from candor.core.actor import Actor  # noqa: E402
from candor.core.normalise import normalise_name  # noqa: E402
from candor.core.progress import progress  # noqa: E402
from candor.people.models import (  # noqa: E402
    Address,
    Channel,
    CivilStatus,
    ContactChannel,
    ContactKind,
    ContactPoint,
    Person,
    SourceKind,
)
from candor.people.services import ProvenanceSpec  # noqa: E402
from candor.privacy import crypto  # noqa: E402
from candor.privacy.retention import Facts, kept_until  # noqa: E402
from candor.recruitment.models import (  # noqa: E402
    CandidateProfile,
    Education,
    EducationKind,
    Experience,
    LanguageSkill,
    Skill,
)

THIS_YEAR = clock.today().year  # a seed gives the same data all year


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    f = model._meta.get_field(name)
    if not isinstance(f, models.Field):
        raise SystemExit(f"{model._meta.label}.{name} is not a column")
    return f


class Table:
    """One model's table: the columns the builder supplies, then a constant for every other."""

    def __init__(
        self, model: type[models.Model], supplied: Sequence[str], constants: dict[str, Any]
    ) -> None:
        meta = model._meta
        self.label = meta.label
        self.name = meta.db_table
        fields = [_field(model, name) for name in supplied]
        extra_fields: list[models.Field[Any, Any]] = []
        extra_values: list[Any] = []
        for f in meta.concrete_fields:
            if f.name in supplied:
                continue
            if f.primary_key and getattr(f, "db_returning", False):
                continue  # an automatic key: the database numbers the row
            if getattr(f, "db_default", NOT_PROVIDED) is not NOT_PROVIDED:
                continue  # the database fills it
            if f.unique:
                raise SystemExit(f"{meta.label}.{f.name} is unique: bench/generate.py must fill it")
            if f.name in constants:
                value = constants[f.name]
            elif f.has_default():
                value = f.get_default()
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = constants["__now__"]
            elif f.null:
                value = None
            elif f.empty_strings_allowed and f.blank:
                value = ""
            else:
                raise SystemExit(
                    f"{meta.label}.{f.name} is required and has no default: "
                    "teach bench/generate.py to fill it"
                )
            extra_fields.append(f)
            extra_values.append(f.get_db_prep_save(value, connection))
        self.columns = [str(f.column) for f in [*fields, *extra_fields]]
        self.extra = tuple(extra_values)  # appended to every row as it is written
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0


def database_size() -> int:
    """Bytes on disk: the PostgreSQL database, or the SQLite file with its write-ahead log."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_database_size(current_database())")
            return int(cur.fetchone()[0])
    if connection.vendor == "sqlite":
        name = Path(str(connection.settings_dict["NAME"]))
        return sum(p.stat().st_size for p in (name, Path(f"{name}-wal")) if p.exists())
    return 0


class Loader:
    """Writes a table's collected rows the fastest way the database offers."""

    def __init__(self) -> None:
        connection.ensure_connection()
        self.vendor = connection.vendor
        self.raw: Any = connection.connection
        self.q = connection.ops.quote_name
        if self.vendor == "sqlite":
            # A benchmark database may lose its last transactions in a power cut; that is fine.
            for pragma in ("synchronous=OFF", "cache_size=-1000000", "temp_store=MEMORY"):
                self.raw.execute(f"PRAGMA {pragma}")
        elif self.vendor == "postgresql":
            with self.raw.cursor() as cur:
                cur.execute("SET synchronous_commit TO OFF")

    def reserve_ids(self, table: Table, pk: str, n: int) -> list[int]:
        """``n`` new primary keys; call inside the transaction that inserts the rows."""
        if self.vendor == "postgresql":
            with self.raw.cursor() as cur:
                cur.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    (self.q(table.name), pk, n),
                )
                return [row[0] for row in cur.fetchall()]
        # SQLite: the IMMEDIATE transaction holds the write lock, so MAX(id) stays ours.
        with connection.cursor() as cur:
            table_name, pk_name = self.q(table.name), self.q(pk)
            cur.execute(f"SELECT COALESCE(MAX({pk_name}), 0) FROM {table_name}")  # noqa: S608
            start = int(cur.fetchone()[0])
        return list(range(start + 1, start + n + 1))

    def write(self, table: Table) -> None:
        # Identifiers come from the models' _meta and are quoted: no user input reaches the SQL.
        columns = ", ".join(self.q(c) for c in table.columns)
        target = f"{self.q(table.name)} ({columns})"
        extra = table.extra
        rows = (row + extra for row in table.rows)
        if self.vendor == "postgresql":
            with self.raw.cursor() as cur, cur.copy(f"COPY {target} FROM STDIN") as copy:
                write_row = copy.write_row
                for row in table.rows:
                    write_row(row + extra)
        elif self.vendor == "sqlite":
            marks = ", ".join("?" * len(table.columns))
            self.raw.executemany(f"INSERT INTO {target} VALUES ({marks})", rows)  # noqa: S608
        else:  # any other backend: DB-API executemany through Django
            marks = ", ".join(["%s"] * len(table.columns))
            with connection.cursor() as cur:
                cur.executemany(f"INSERT INTO {target} VALUES ({marks})", list(rows))  # noqa: S608
        table.written += len(table.rows)
        table.rows = []

    def finish(self) -> None:
        """Refresh the planner's statistics, then fold SQLite's write-ahead log back in."""
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        if self.vendor == "sqlite":
            self.raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")


class Builder:
    """Turns person ids into rows for every table, from the pools and a seeded ``random``."""

    def __init__(
        self, pools: Pools, rng: random.Random, provenance_id: int, *, due_share: float, seed: int
    ) -> None:
        self.pools, self.rng = pools, rng
        # Retention draws from a generator of its own: the other columns stay what a seed gave
        # before retention dates existed.
        self.due_rng, self.due_share = random.Random(seed + 1), due_share
        now = clock.now()
        constants = {"provenance": provenance_id, "__now__": now}
        self.person = Table(
            Person,
            ("id", "pseudonym", "first_name", "last_name", "name_key", "birth_date", "gender",
             "civil_status", "nationality", "preferred_language", "contact_channel",
             "is_candidate", "career_ended_on", "kept_until"),
            constants,
        )  # fmt: skip
        self.profile = Table(
            CandidateProfile,
            ("person", "desired_function", "current_function", "current_employer",
             "available_from"),
            constants,
        )  # fmt: skip
        self.contact = Table(
            ContactPoint, ("person", "kind", "value", "normalised", "is_primary"), constants
        )
        self.address = Table(
            Address, ("person", "street", "number", "box", "postcode", "city", "country"), constants
        )
        self.education = Table(
            Education,
            ("person", "kind", "institution", "field_of_study", "diploma", "level",
             "started_on", "ended_on"),
            constants,
        )  # fmt: skip
        self.experience = Table(
            Experience, ("person", "employer", "function", "started_on", "ended_on"), constants
        )
        self.language = Table(LanguageSkill, ("person", "language", "level"), constants)
        self.skill = Table(Skill, ("person", "name"), constants)
        self.tables = [
            self.person, self.profile, self.contact, self.address, self.education,
            self.experience, self.language, self.skill,
        ]  # fmt: skip

        # Database-ready values, converted once by the models' own fields.
        def prep(model: type[models.Model], field: str) -> Callable[[Any], Any]:
            f = _field(model, field)
            return lambda value: f.get_db_prep_save(value, connection)

        prep_date = prep(Person, "kept_until")  # a plain date column (birth_date is encrypted)
        self.prep_uuid = prep(Person, "pseudonym")
        first_day, last_day = dt.date(1960, 1, 1), dt.date(2003, 12, 31)
        days = [first_day + dt.timedelta(n) for n in range((last_day - first_day).days + 1)]
        self.birth = [(d.isoformat(), d.year, d) for d in days]  # sealed per person in build
        # Retention date per birth day, for people collected today (the generator's created_at):
        # the pension date, capped at the policy's maximum. People already past their pension are
        # still working, with a career end recorded within the coming year.
        today = clock.today()
        self.kept: dict[dt.date, Any] = {}
        for d in days:
            date, _rule = kept_until(Facts(collected_on=today, is_candidate=True, birth_date=d))
            self.kept[d] = prep_date(date) if date > today else None
        self.past = [prep_date(today - dt.timedelta(days=n)) for n in range(1, 61)]
        self.coming = [prep_date(today + dt.timedelta(days=n)) for n in range(30, 366)]
        self.month = {  # month number (year * 12 + month - 1) → first day of that month
            y * 12 + m: prep_date(dt.date(y, m + 1, 1))
            for y in range(1970, 2030)
            for m in range(12)
        }
        self.school_start = {y: prep_date(dt.date(y, 9, 1)) for y in range(1970, 2030)}
        self.school_end = {y: prep_date(dt.date(y, 6, 30)) for y in range(1970, 2030)}
        soon = dt.date(THIS_YEAR, 1, 1)
        self.available = [prep_date(soon + dt.timedelta(n)) for n in range(0, 540, 7)]

        names = {n for group in (pools.first_female, pools.first_male, pools.last)
                 for ns in group.values() for n in ns}  # fmt: skip
        self.name_key = {n: normalise_name(n) for n in names}
        self.postcode = {city: str(rng.randint(1000, 9999)) for city in pools.cities}
        self.civil = [v for v in CivilStatus.values for _ in range(3 if v else 5)]
        self.channels = [v for v in ContactChannel.values for _ in range(4 if not v else 1)]
        self.nationalities = ["BE"] * 40 + ["NL", "FR", "IT", "MA", "TR", "PL", "RO", "DE", "ES"]
        self.kinds = (ContactKind.EMAIL.value, ContactKind.MOBILE.value)
        self.study, self.training = EducationKind.STUDY.value, EducationKind.TRAINING.value
        self.cefr = [lvl for lvl in CEFR_LEVELS if lvl >= "B1"] * 2 + list(CEFR_LEVELS)

    def retention(self, birth_day: dt.date) -> tuple[Any, Any]:
        """(career end, retention date) of one candidate, database-ready."""
        if self.due_rng.random() < self.due_share:  # career ended: past the retention date
            ended = self.due_rng.choice(self.past)
            return ended, ended
        kept = self.kept[birth_day]
        if kept is None:  # working past the pension age
            ended = self.due_rng.choice(self.coming)
            return ended, ended
        return None, kept

    def build(self, ids: list[int]) -> None:
        rng, pools = self.rng, self.pools
        random_, choice, randint, sample = rng.random, rng.choice, rng.randint, rng.sample
        getrandbits, prep_uuid = rng.getrandbits, self.prep_uuid
        person = self.person.rows.append
        profile = self.profile.rows.append
        contact = self.contact.rows.append
        address = self.address.rows.append
        education = self.education.rows.append
        experience = self.experience.rows.append
        language = self.language.rows.append
        skill = self.skill.rows.append
        name_key, slugs, month = self.name_key, pools.slugs, self.month
        functions, employers, cities = pools.functions, pools.employers, pools.cities
        email_kind, mobile_kind = self.kinds
        now_month = THIS_YEAR * 12 + 5
        for pid in ids:
            lang = "nl" if random_() < 0.58 else "fr"
            r = random_()
            gender = "f" if r < 0.49 else "m" if r < 0.98 else "x"
            firsts = pools.first_female if r < 0.49 or 0.98 <= r < 0.99 else pools.first_male
            first = choice(firsts[lang])
            last = choice(pools.last[lang])
            birth, birth_year, birth_day = choice(self.birth)
            ended, kept = self.retention(birth_day)
            speaks = "en" if random_() < 0.02 else lang
            pseudonym = prep_uuid(uuid.UUID(int=getrandbits(128), version=4))
            person(
                (pid, pseudonym, first, last, f"{name_key[first]} {name_key[last]}", birth,
                 gender, choice(self.civil), choice(self.nationalities), speaks,
                 choice(self.channels), True, ended, kept)
            )  # fmt: skip

            email = f"{slugs[first]}.{slugs[last]}.{pid}@{GENERATOR_DOMAINS[pid % 3]}"
            mobile = belgian_mobile(pid, GENERATOR_PREFIXES)
            contact((pid, email_kind, email, email, True))
            contact((pid, mobile_kind, mobile, mobile, False))

            city = choice(cities)
            address(
                (pid, choice(pools.streets[lang]), str(randint(1, 250)),
                 str(randint(1, 30)) if random_() < 0.15 else "", self.postcode[city], city,
                 "BE")
            )  # fmt: skip

            school_year = birth_year + 18
            education(
                (pid, self.study, choice(pools.institutions), choice(FIELDS_OF_STUDY),
                 choice(DIPLOMA_BY_LEVEL["secondary"]), "secondary",
                 self.school_start[school_year - 6], self.school_end[school_year])
            )  # fmt: skip
            if random_() < 0.5:
                level = choice(("bachelor", "bachelor", "master", "certificate"))
                end = min(school_year + randint(3, 6), THIS_YEAR)
                education(
                    (pid, self.training if level == "certificate" else self.study,
                     choice(pools.institutions), choice(FIELDS_OF_STUDY),
                     choice(DIPLOMA_BY_LEVEL[level]), level,
                     self.school_start[end - randint(1, 4)], self.school_end[end])
                )  # fmt: skip

            # 2-3 jobs back to back from the start of the career; the last one is current.
            start = min(birth_year + randint(19, 25), THIS_YEAR - 3) * 12 + randint(0, 11)
            jobs = randint(2, 3)
            starts = [start, *sorted(sample(range(start + 1, now_month), jobs - 1))]
            function = employer = ""
            for k, begin in enumerate(starts):
                ends = month[starts[k + 1]] if k + 1 < jobs else None
                function, employer = choice(functions), choice(employers)
                experience((pid, employer, function, month[begin], ends))

            profile(
                (pid, choice(functions) if random_() < 0.7 else function, function, employer,
                 choice(self.available) if random_() < 0.4 else None)
            )  # fmt: skip

            other = choice([c for c in ("nl", "fr", "en", "de") if c != lang])
            language((pid, lang, "native"))
            language((pid, other, choice(self.cefr)))
            for name in sample(SKILLS, randint(2, 3)):
                skill((pid, name))

    def seal_births(self, n: int) -> None:
        """Encrypt the birth dates of the ``n`` person rows just built, each with its new
        person's key (the keys created in one statement per 1,000 people), as the application
        stores them."""
        if not crypto.encryption_enabled():
            return
        rows, columns = self.person.rows, self.person.columns
        at, key = columns.index("birth_date"), columns.index("pseudonym")
        first_row = len(rows) - n
        fresh = [uuid.UUID(str(row[key])) for row in rows[first_row:]]
        crypto.keys_create(fresh)
        for i, pseudonym in enumerate(fresh, start=first_row):
            row = rows[i]
            token = crypto.seal(
                row[at], context="people_person.birth_date", pseudonym=pseudonym, new_person=True
            )
            rows[i] = (*row[:at], token, *row[at + 1 :])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fill the database with synthetic candidates.")
    parser.add_argument("--count", type=int, default=1_000_000, help="candidates to create")
    parser.add_argument("--seed", type=int, default=42, help="random seed (same seed, same data)")
    parser.add_argument("--chunk", type=int, default=10_000, help="candidates per transaction")
    parser.add_argument(
        "--due-share",
        type=float,
        default=0.01,
        help="share of candidates past their retention date (default 0.01)",
    )
    args = parser.parse_args(argv)
    if args.count < 1 or args.chunk < 1:
        parser.error("--count and --chunk must be positive")

    db = connection.settings_dict
    print(f"database: {connection.vendor} {db['NAME']}")
    call_command("migrate", verbosity=0)

    started = time.perf_counter()
    rng = random.Random(args.seed)
    pools = build_pools(args.seed)
    source = ProvenanceSpec(
        kind=SourceKind.MEDIUM,
        name="benchmark generator",
        channel=Channel.DEMO,
        reference=f"bench/generate.py --count {args.count} --seed {args.seed}",
    )
    with transaction.atomic():
        provenance = source.row()
    loader = Loader()
    builder = Builder(pools, rng, provenance.pk, due_share=args.due_share, seed=args.seed)
    prepared = time.perf_counter()

    done = 0
    with progress(args.count, unit="cand", desc="generate") as bar:
        while done < args.count:
            n = min(args.chunk, args.count - done)
            with transaction.atomic():
                builder.build(loader.reserve_ids(builder.person, "id", n))
                builder.seal_births(n)
                for table in builder.tables:
                    loader.write(table)
            done += n
            bar.update(n)
    loaded = time.perf_counter()

    with transaction.atomic():
        audit_record(
            actor=Actor.system("bench"),
            action="bench.generate",
            object_type="people.provenance",
            object_id=provenance.pk,
            detail={"count": args.count},
        )
    loader.finish()
    finished = time.perf_counter()

    rows = sum(t.written for t in builder.tables)
    total = finished - started
    for table in builder.tables:
        print(f"  {table.label:<28} {table.written:>12,} rows")
    print(f"  {'all tables':<28} {rows:>12,} rows")
    print(
        f"pools {prepared - started:.1f}s, load {loaded - prepared:.1f}s, "
        f"analyze {finished - loaded:.1f}s"
    )
    print(
        f"generated {args.count:,} candidates ({rows:,} rows) in {total:.1f}s: "
        f"{args.count / total:,.0f} candidates/s, {rows / total:,.0f} rows/s; "
        f"database size {database_size() / 1e6:,.0f} MB"
    )


if __name__ == "__main__":
    main()
