"""Server time and SQL queries of a person's "my data" page (``/public/my/``, R6.4) for a
candidate with a long history.

    uv run python bench/my_data_page.py [--applications 60] [--history 2000] [--runs 30]
        [--section recruitment.procedurestep]

Migrates, then builds (once; re-runs reuse it) a site account ``bench-self@example.com``
linked to a candidate with ``--applications`` applications (each with two procedure steps),
as many documents, several consents given and withdrawn, ``--applications`` downloads of
their data (disclosure ledger rows to the person) and ``--history`` extra audit events about
them — all through the services, except the documents' rows and the extra audit events,
which are written directly. Then renders the page ``--runs`` times in-process with Django's
test client (DEBUG off) and reports median / p95 milliseconds, the median CPU time of the
process during a request (``time.process_time``: less sensitive to other processes' load than
wall time; it counts this process only, so it leaves out the database server's own work on
PostgreSQL) and the number of SQL queries. ``--section MODEL`` also measures the page that
shows every row of one kind (``/public/my/data/MODEL/``).
Point it at a scratch database (``CANDOR_DATA_DIR`` or ``DATABASE_URL``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time
from collections.abc import Sequence

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "candor.settings")
os.environ["CANDOR_DEBUG"] = "false"
os.environ.setdefault("CANDOR_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

import django

django.setup()

from django.core.files.base import ContentFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from candor.accounts.models import Role, User  # noqa: E402
from candor.audit.services import Event, audit_record_many  # noqa: E402
from candor.core import clock  # noqa: E402
from candor.core.actor import Actor  # noqa: E402
from candor.people.models import Channel, Document, Person, SourceKind  # noqa: E402
from candor.people.services import ProvenanceSpec  # noqa: E402
from candor.privacy.services import consent_give, consent_withdraw  # noqa: E402
from candor.recruitment.intake import candidates_write  # noqa: E402
from candor.recruitment.records import CandidateRecord, clean_candidate  # noqa: E402
from candor.recruitment.services import (  # noqa: E402
    application_create,
    procedure_step_record,
    vacancy_create,
)
from candor.relations.services import organisation_create  # noqa: E402
from candor.rights.portability import portability_deliver  # noqa: E402
from candor.selfservice.accounts import site_actor  # noqa: E402

EMAIL = "bench-self@example.com"
PASSWORD = "bench-password-not-secret"  # noqa: S105 - a scratch database's bench accounts


def _staff() -> User:
    user = User.objects.filter(username="bench-consultant").first()
    if user is None:
        user = User.objects.create_user("bench-consultant", password=PASSWORD, role=Role.CONSULTANT)
    return user


def build(applications: int, history: int) -> User:
    account = User.objects.filter(email=EMAIL).first()
    if account is not None and account.person_id is not None:
        return account
    staff = _staff()
    actor = Actor.for_user(staff)
    record = clean_candidate(
        CandidateRecord(
            first_name="Bench",
            last_name="Zelfbediening",
            emails=[EMAIL],
            mobiles=["0470 99 00 11"],
            desired_function="Boekhouder",
            languages={"nl": "native", "fr": "B2", "en": "C1"},
            skills=["Excel", "SAP", "Boekhouding"],
        ),
        today=clock.today(),
    )
    source = ProvenanceSpec(kind=SourceKind.SUBJECT, channel=Channel.PORTAL)
    written = candidates_write(actor=actor, source=source, records=[record])[0]
    if written.person_id is None:
        raise SystemExit(f"the bench candidate was not written: {written.message}")
    person = Person.objects.get(pk=written.person_id)
    account = User.objects.create_user(
        EMAIL, email=EMAIL, password=PASSWORD, role=Role.SITE,
        first_name="Bench", last_name="Zelfbediening", language="nl", person=person,
    )  # fmt: skip
    client = organisation_create(actor=actor, data={"kind": "client", "name": "Bench Klant NV"})
    step_at = clock.now() - dt.timedelta(days=30)
    for number in range(applications):
        vacancy = vacancy_create(
            actor=actor,
            data={
                "client": client,
                "reference": f"BENCH-SELF-{number:04d}",
                "title": f"Boekhouder {number}",
                "consultant_id": staff.pk,
                "opened_on": clock.today() - dt.timedelta(days=60),
            },
        )
        application = application_create(
            actor=actor, person=person, vacancy=vacancy, source=source, motivation="Graag."
        )
        for kind in ("interview", "selection_test"):
            procedure_step_record(
                actor=actor, application=application, kind=kind, scheduled_at=step_at,
                outcome="positive", report="Sterk in cijfers.",
            )  # fmt: skip
        Document.objects.create(
            person=person,
            provenance=source.row(),
            kind="cv",
            file=ContentFile(b"%PDF-1.4 bench", name="cv.pdf"),
            original_name=f"cv-{number}.pdf",
            content_type="application/pdf",
            size=14,
            sha256="0" * 64,
        )
        portability_deliver(actor=site_actor(account), person_id=person.pk, formats=["json"])
    for _round in range(5):
        for purpose in ("job_alerts", "talent_pool"):
            consent_give(actor=actor, person=person, purpose=purpose, via="portal")
            consent_withdraw(actor=actor, person=person, purpose=purpose, via="portal")
    consent_give(actor=actor, person=person, purpose="talent_pool", via="portal")
    with transaction.atomic():
        audit_record_many(
            actor=Actor.system("bench"),
            events=[
                Event("view", "people.person", str(person.pk), str(person.pseudonym), {"n": i})
                for i in range(history)
            ],
        )
    return account


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=60)
    parser.add_argument("--history", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--section",
        action="append",
        default=[],
        metavar="MODEL",
        help="also measure the page with every row of this kind (recruitment.procedurestep)",
    )
    args = parser.parse_args(argv)
    call_command("migrate", verbosity=0)
    account = build(args.applications, args.history)
    client = Client()
    client.force_login(account)
    for path in ("/public/my/", *(f"/public/my/data/{model}/" for model in args.section)):
        _measure(client, path, args)


def _measure(client: Client, path: str, args: argparse.Namespace) -> None:
    client.get(path)  # warm-up
    times, cpu, queries = [], [], 0
    for _ in range(args.runs):
        with CaptureQueriesContext(connection) as captured:
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            cpu.append((time.process_time() - start_cpu) * 1000)
            times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        queries = len(captured)
    times.sort()
    print(
        f"{connection.vendor}: {path} of a candidate with {args.applications} applications, "
        f"{2 * args.applications} steps, {args.applications} documents and downloads, "
        f"{args.history}+ audit events: median {statistics.median(times):.1f} ms, "
        f"p95 {times[round(0.95 * (len(times) - 1))]:.1f} ms, "
        f"CPU median {statistics.median(cpu):.1f} ms, {queries} queries, "
        f"{len(response.content) // 1024} KiB"
    )


if __name__ == "__main__":
    main()
