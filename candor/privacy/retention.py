"""Retention (R5.1): how long each person is kept, from the policy's rules per role.

Each person carries ``kept_until``: the latest date any of their roles needs them.

- Candidate: during the active career — until the career end recorded by a consultant or the
  person, or else the Belgian statutory pension date computed from the birth date — plus the
  policy's grace period; never later than ``max_years`` after collection.
- Client or supplier contact: the bookkeeping period after the last contract of their
  organisations ends (after collection when there is none; an open-ended contract keeps them).
- Site account with no other role: ``inactive_years`` after the last sign-in or registration.

``retention_refresh`` recomputes and stores the date for some people (call it in the transaction
that changes a fact it depends on); ``candor retention sweep`` erases whoever is past it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Max, Q

from candor.core import clock
from candor.people.models import Person
from candor.privacy.policy import Policy, add_months, policy

OPEN_ENDED = dt.date(9999, 12, 31)  # an organisation with a contract that has no end date


@dataclass(frozen=True, slots=True)
class Facts:
    """What the retention date depends on, for one person."""

    collected_on: dt.date
    is_candidate: bool = False
    is_contact: bool = False
    is_site_user: bool = False
    birth_date: dt.date | None = None
    career_ended_on: dt.date | None = None
    last_contract_end: dt.date | None = None  # OPEN_ENDED for a running contract
    last_sign_in: dt.date | None = None


def add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


def pension_date(birth_date: dt.date, rules: Policy) -> dt.date:
    """The first day of the month after the person reaches the statutory pension age."""
    age = rules.retention.candidate.pension_age_for(birth_date.year)
    reached = add_years(birth_date, age)
    return add_months(reached.replace(day=1), 1)


def kept_until(facts: Facts, rules: Policy | None = None) -> tuple[dt.date, str]:
    """The retention date and the rule that gave it (``candidate``, ``candidate_max``,
    ``contract_party``, ``site_user`` or ``collected``)."""
    rules = rules or policy()
    found: list[tuple[dt.date, str]] = []
    if facts.is_candidate:
        candidate = rules.retention.candidate
        cap = add_years(facts.collected_on, candidate.max_years)
        career_end = facts.career_ended_on or (
            pension_date(facts.birth_date, rules) if facts.birth_date else None
        )
        if career_end is None:
            found.append((cap, "candidate_max"))
        else:
            end = add_months(career_end, candidate.after_career_end_months)
            found.append((end, "candidate") if end < cap else (cap, "candidate_max"))
    if facts.is_contact:
        years = rules.retention.contract_party.bookkeeping_years
        base = facts.last_contract_end or facts.collected_on
        found.append(
            (OPEN_ENDED if base == OPEN_ENDED else add_years(base, years), "contract_party")
        )
    if facts.is_site_user and not found:
        base = max(facts.last_sign_in or facts.collected_on, facts.collected_on)
        found.append((add_years(base, rules.retention.site_user.inactive_years), "site_user"))
    if not found:  # a person with no role left: nothing justifies keeping them past collection
        found.append((facts.collected_on, "collected"))
    return max(found)


def candidate_kept_until(birth_date: dt.date | None, collected_on: dt.date) -> dt.date:
    """A new candidate's retention date, computed as their row is built (imports and forms).
    An import asks it for thousands of people born on the same days: the answers are kept
    for the policy in force (``_NEW_CANDIDATES``)."""
    rules = policy()
    known = _NEW_CANDIDATES
    if known.rules is not rules or len(known.dates) >= known.LIMIT:
        known.rules, known.dates = rules, {}
    key = (birth_date, collected_on)
    kept = known.dates.get(key)
    if kept is None:
        facts = Facts(collected_on=collected_on, is_candidate=True, birth_date=birth_date)
        kept = known.dates[key] = kept_until(facts, rules)[0]
    return kept


class _Known:
    """New candidates' retention dates by (birth date, collection date), for one policy (a
    policy loaded again, as tests do, starts afresh: it is held here, so it is compared by
    identity, never mistaken for another)."""

    LIMIT = 100_000

    def __init__(self) -> None:
        self.rules: Policy | None = None
        self.dates: dict[tuple[dt.date | None, dt.date], dt.date] = {}


_NEW_CANDIDATES = _Known()


def _facts(person_ids: list[int]) -> dict[int, Facts]:
    # Through the app registry: people's services call this module, and people may not import
    # the relations app (import-linter contract).
    user_model = apps.get_model("accounts", "User")
    contact_model = apps.get_model("relations", "ContactPerson")
    contract_model = apps.get_model("relations", "Contract")

    rows = Person.objects.filter(pk__in=person_ids).values(
        "pk",
        "created_at",
        "is_candidate",
        "is_client_contact",
        "is_supplier_contact",
        "is_site_user",
        "birth_date",
        "career_ended_on",
    )
    contacts = [r["pk"] for r in rows if r["is_client_contact"] or r["is_supplier_contact"]]
    contract_end: dict[int, dt.date] = {}
    if contacts:
        links = contact_model.objects.filter(person_id__in=contacts).values_list(
            "person_id", "organisation_id"
        )
        by_org: dict[int, list[int]] = {}
        for person_id, org_id in links:
            by_org.setdefault(org_id, []).append(person_id)
        ends = (
            contract_model.objects.filter(organisation_id__in=by_org)
            .values("organisation_id")
            .annotate(last=Max("ends_on"), open=Max("pk", filter=Q(ends_on=None)))
        )
        for end in ends:
            last = OPEN_ENDED if end["open"] is not None else end["last"]
            for person_id in by_org[end["organisation_id"]]:
                if last and last > contract_end.get(person_id, dt.date.min):
                    contract_end[person_id] = last
    sign_ins = dict(
        user_model.objects.filter(person_id__in=[r["pk"] for r in rows if r["is_site_user"]])
        .values_list("person_id", "last_login")
        .order_by()
    )
    return {
        r["pk"]: Facts(
            collected_on=clock.localdate(r["created_at"]),
            is_candidate=r["is_candidate"],
            is_contact=r["is_client_contact"] or r["is_supplier_contact"],
            is_site_user=r["is_site_user"],
            birth_date=r["birth_date"],
            career_ended_on=r["career_ended_on"],
            last_contract_end=contract_end.get(r["pk"]),
            last_sign_in=_local(sign_ins.get(r["pk"])),
        )
        for r in rows
    }


def _local(moment: dt.datetime | None) -> dt.date | None:
    return clock.localdate(moment) if moment is not None else None


def retention_refresh(person_ids: Iterable[int], rules: Policy | None = None) -> int:
    """Recompute and store ``kept_until`` for these people; returns how many changed."""
    ids = list(person_ids)
    changed = 0
    for start in range(0, len(ids), 1000):
        facts = _facts(ids[start : start + 1000])
        current = dict(
            Person.objects.filter(pk__in=facts).values_list("pk", "kept_until").order_by()
        )
        by_date: dict[dt.date, list[int]] = {}
        for pk, person_facts in facts.items():
            date, _rule = kept_until(person_facts, rules)
            if current.get(pk) != date:
                by_date.setdefault(date, []).append(pk)
        for date, pks in by_date.items():
            changed += Person.objects.filter(pk__in=pks).update(kept_until=date)
    return changed


def retention_of(person_id: int) -> tuple[dt.date, str] | None:
    """The retention date as the rules give it today, and the rule that gave it."""
    return retention_dates([person_id]).get(person_id)


def describe_rule(rule: str) -> str:
    """The rule behind a retention date, in words (for the dossier and the review queue)."""
    from django.utils.translation import gettext as _

    rules = policy().retention
    texts = {
        "candidate": _("end of the active career (recorded, or the statutory pension date)"),
        "candidate_max": _("%(years)s years after collection, the longest a candidate is kept")
        % {"years": rules.candidate.max_years},
        "contract_party": _("%(years)s years of bookkeeping after the last contract ends")
        % {"years": rules.contract_party.bookkeeping_years},
        "site_user": _("%(years)s years after the last sign-in")
        % {"years": rules.site_user.inactive_years},
        "collected": _("no role left that needs the data"),
    }
    return texts.get(rule, rule)


def retention_dates(
    person_ids: Iterable[int], rules: Policy | None = None
) -> dict[int, tuple[dt.date, str]]:
    """Each person's retention date as the policy computes it today, with the rule that gave it
    (what the sweep and the review queue report); reads, writes nothing."""
    ids = list(person_ids)
    found: dict[int, tuple[dt.date, str]] = {}
    for start in range(0, len(ids), 1000):
        for pk, person_facts in _facts(ids[start : start + 1000]).items():
            found[pk] = kept_until(person_facts, rules)
    return found
