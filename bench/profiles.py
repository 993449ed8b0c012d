"""Time anonymous profiles and an anonymous mailing (R4.1) on a generated database.

    uv run python bench/generate.py --count 10000
    uv run python bench/profiles.py [--profiles 200] [--clients 200] [--per-mailing 10]

1. Renders the anonymous profile (built from the database, text and HTML) of ``--profiles``
   candidates one at a time, as ``candor profile`` and the profile page do: p50, p95, max.
   Target: ≤ 50 ms each.
2. Makes sure ``--clients`` client organisations with one contact person each exist (created
   through the real services, not timed), then times preparing and queueing one mailing of
   ``--per-mailing`` candidates to all of them (the gate's selection, the mailing, its
   candidates and recipients written in bulk). Target: ≤ 5 s for 200 clients × 10 profiles.
3. Times the worker sending it (``mailing_send``: one e-mail per contact, text + HTML, and one
   ledger entry per profile per e-mail, each with its audit event), with a progress bar on a
   terminal. Mail goes to Django's dummy backend unless ``CANDOR_EMAIL_URL`` says otherwise.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Sequence

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "candor.settings")
os.environ.setdefault("CANDOR_EMAIL_URL", "dummy://")  # measure Candor, not a mail server
django.setup()

from django.db import connection  # noqa: E402

from candor.audit.models import AuditEvent  # noqa: E402
from candor.core.actor import Actor  # noqa: E402
from candor.core.progress import progress  # noqa: E402
from candor.disclosure.mailings import mailing_prepare, mailing_queue, mailing_send  # noqa: E402
from candor.disclosure.models import Disclosure  # noqa: E402
from candor.disclosure.profiles import build_profiles, render_profile  # noqa: E402
from candor.people.models import Person  # noqa: E402
from candor.people.services import ProvenanceSpec  # noqa: E402
from candor.privacy.gate import allowed_ids  # noqa: E402
from candor.relations.models import Organisation  # noqa: E402
from candor.relations.services import contact_person_create, organisation_create  # noqa: E402

PREFIX = "Bench client "


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _clients(actor: Actor, count: int) -> list[int]:
    """``count`` client organisations with one contact each, created once and reused."""
    have = list(
        Organisation.objects.filter(name__startswith=PREFIX)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    source = ProvenanceSpec.parse("self", channel="demo", recorded_by_id=None)
    started = time.perf_counter()
    for n in range(len(have), count):
        organisation = organisation_create(
            actor=actor, data={"kind": "client", "name": f"{PREFIX}{n:04d}", "sector": "logistiek"}
        )
        contact_person_create(
            actor=actor,
            organisation=organisation,
            source=source,
            first_name="Contact",
            last_name=f"Bench{n:04d}",
            email=f"contact.{n:04d}@bench-client.example.com",
        )
        have.append(organisation.pk)
    if len(have) > count or time.perf_counter() - started > 1:
        print(f"clients ready: {count} (set-up {time.perf_counter() - started:.1f}s, not timed)")
    return have[:count]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Time anonymous profiles and a mailing.")
    parser.add_argument("--profiles", type=int, default=200, help="profiles to render one by one")
    parser.add_argument("--clients", type=int, default=200, help="client organisations mailed")
    parser.add_argument("--per-mailing", type=int, default=10, help="profiles in the mailing")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    actor = Actor.system("bench")
    rng = random.Random(args.seed)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    people = Person.objects.filter(is_candidate=True, erased_at=None).count()
    print(f"candidates: {people:,}")
    last = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    sample = sorted({rng.randint(1, last) for _ in range(args.profiles * 3)})
    chosen = allowed_ids(sample, feature="client_sharing")[: args.profiles]
    if len(chosen) < args.per_mailing:
        raise SystemExit("not enough candidates: run bench/generate.py first")

    started = time.perf_counter()  # the first: templates compiled, common schools read
    render_profile(build_profiles([chosen[0]])[chosen[0]], language="nl")
    print(f"first profile (cold): {(time.perf_counter() - started) * 1000:.1f} ms")
    timings = []
    chars = 0
    for pk in chosen:
        started = time.perf_counter()
        profile = build_profiles([pk])[pk]
        rendered = render_profile(profile, language="nl")
        timings.append((time.perf_counter() - started) * 1000)
        chars += len(rendered.text)
    print(
        f"profile (build + text + HTML), {len(timings)} candidates one by one: "
        f"p50 {statistics.median(timings):.1f} ms, p95 {_percentile(timings, 0.95):.1f} ms, "
        f"max {max(timings):.1f} ms, {chars / len(timings):.0f} characters of text on average"
    )

    clients = _clients(actor, args.clients)
    ledger_before, audit_before = Disclosure.objects.count(), AuditEvent.objects.count()
    started = time.perf_counter()
    prepared = mailing_prepare(
        actor=actor,
        subject="Bench: profielen",
        person_ids=chosen[: args.per_mailing],
        organisation_ids=clients,
    )
    mailing = mailing_queue(actor=actor, mailing=prepared.mailing)
    queued_s = time.perf_counter() - started
    print(
        f"mailing queued: {prepared.candidates} profiles to {prepared.recipients} contacts of "
        f"{len(clients)} clients in {queued_s:.2f} s ({prepared.left_out} candidates left out)"
    )

    with progress(mailing.total, unit="e-mail", desc="sending") as bar:
        started = time.perf_counter()
        counts = mailing_send(actor=actor, mailing=mailing, on_progress=bar.update)
        sent_s = time.perf_counter() - started
    ledger = Disclosure.objects.count() - ledger_before
    events = AuditEvent.objects.count() - audit_before
    print(
        f"mailing sent by the worker: {counts} in {sent_s:.1f} s "
        f"({counts['sent'] / max(sent_s, 1e-9):.1f} e-mails/s), {ledger:,} ledger entries, "
        f"{events:,} audit events"
    )


if __name__ == "__main__":
    main()
