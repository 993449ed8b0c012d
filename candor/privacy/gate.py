"""The purpose gate (DESIGN invariant 2, R3.1, R6.7, R6.8, R6.10).

Every use of a person's data asks one question: ``may(person, purpose)``. The answer comes from
the policy (legal basis, the roles a purpose concerns, the contract that grounds it) and from the
person's state: erased, restricted, objecting, consenting. Features that select many people do
not loop over ``may``; they build their query sets with ``scope`` (or filter a list of ids with
``allowed_ids``), which apply the same rules in SQL — so a restricted or objecting person cannot
appear by accident.

When you add a feature that uses personal data: add it to ``FEATURES`` and ``[features]`` in the
policy, and select its people with ``scope(..., feature=...)``; never with a bare query set.
When you add a rule: change ``_decide`` and ``_rules_q`` together; ``tests/test_gate.py`` checks
that they agree for every purpose and state.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from candor.core import clock
from candor.people.models import Person
from candor.privacy.models import Consent, Objection, ObjectionStatus, Restriction
from candor.privacy.policy import LegalBasis, Purpose, policy

ROLE_FLAGS = {
    "candidate": "is_candidate",
    "client_contact": "is_client_contact",
    "supplier_contact": "is_supplier_contact",
    "site_user": "is_site_user",
}


@dataclass(frozen=True, slots=True)
class Decision:
    """The gate's answer: allowed or not, and why (shown to staff on the dossier)."""

    purpose: Purpose
    allowed: bool
    code: str  # erased, not_concerned, restricted, no_contract, objection, consent_missing, ...
    reasons: tuple[str, ...]

    def __bool__(self) -> bool:
        return self.allowed


def _purpose(purpose: str | Purpose) -> Purpose:
    return purpose if isinstance(purpose, Purpose) else policy().purpose(purpose)


def _live_consents(today: dt.date) -> QuerySet[Consent]:
    return Consent.objects.filter(withdrawn_at=None).filter(
        Q(expires_on=None) | Q(expires_on__gte=today)
    )


def _contract_exists(purpose: Purpose) -> Exists | None:
    from django.apps import apps

    if purpose.requires == "trajectory":
        return Exists(
            apps.get_model("guidance", "Trajectory").objects.filter(person=OuterRef("pk"))
        )
    if purpose.requires == "organisation":
        return Exists(
            apps.get_model("relations", "ContactPerson").objects.filter(person=OuterRef("pk"))
        )
    return None


def _rules_q(purpose: Purpose, today: dt.date) -> Q:
    """The gate's rules for ``purpose`` as a condition on ``Person`` rows."""
    # Q and Exists combine into one condition; typed loosely as the stubs do not follow that.
    condition: Any = Q(erased_at=None)
    roles = Q()
    for role in purpose.roles:
        roles |= Q(**{ROLE_FLAGS[role]: True})
    condition &= roles
    condition &= ~Exists(Restriction.objects.filter(person=OuterRef("pk"), lifted_at=None))
    contract = _contract_exists(purpose)
    if contract is not None:
        condition &= contract
    if purpose.objectable:
        condition &= ~Exists(
            Objection.objects.filter(
                person=OuterRef("pk"), purpose=purpose.key, status=ObjectionStatus.ACTIVE
            )
        )
    if purpose.needs_consent:
        condition &= Exists(
            _live_consents(today).filter(person=OuterRef("pk"), purpose=purpose.key)
        )
    return condition


def scope[M: Model](
    queryset: QuerySet[M], *, feature: str = "", purpose: str = "", path: str = ""
) -> QuerySet[M]:
    """``queryset`` narrowed to the people the gate allows for ``feature`` (or ``purpose``).

    ``path`` leads from the query set's model to ``Person`` (``""`` for a Person query set,
    ``"person"`` for applications, ``"trajectory__person"`` for sessions).
    """
    chosen = policy().purpose_for(feature) if feature else _purpose(purpose)
    rules = _rules_q(chosen, clock.today())
    if not path:  # the rules on the rows themselves: a page reads only the rows it shows
        return queryset.filter(rules)
    return queryset.filter(Exists(Person.objects.filter(rules, pk=OuterRef(path))))


def allowed_ids(
    ids: Iterable[int], *, feature: str = "", purpose: str = "", indexed: bool = False
) -> list[int]:
    """``ids`` (person ids) without those the gate refuses, in the same order; one query
    whatever the number of ids.

    ``indexed``: the caller vouches that every id is a candidate who is not erased — what the
    search index holds, since erasure leaves it in the same transaction. For a purpose whose
    other conditions are all refusals (restriction, objection), only the small tables of
    refusals are read then, instead of every person row."""
    ordered = list(ids)
    if not ordered:
        return []
    chosen = policy().purpose_for(feature) if feature else _purpose(purpose)
    if indexed and _only_refusals(chosen):
        refused = _refused_among(ordered, chosen)
        return [pk for pk in ordered if pk not in refused]
    sql, params = _allowed_sql(chosen.key, clock.today())
    with connection.cursor() as cursor:
        cursor.execute(sql, [_ids_param(ordered), *params])
        kept = {row[0] for row in cursor.fetchall()}
    return [pk for pk in ordered if pk in kept]


def refusals(*, feature: str = "", purpose: str = "") -> int | None:
    """How many people at most the gate refuses for a purpose whose only refusals are
    restrictions and objections (None for other purposes): an upper bound read from the two
    small tables, so a count of live candidates can be capped without asking the gate per row."""
    chosen = policy().purpose_for(feature) if feature else _purpose(purpose)
    if not _only_refusals(chosen):
        return None
    # One statement for both counts: the candidate list asks this on every page.
    restricted = f"SELECT COUNT(*) FROM {Restriction._meta.db_table} WHERE lifted_at IS NULL"  # noqa: S608
    objecting = (
        f"SELECT COUNT(*) FROM {Objection._meta.db_table} "  # noqa: S608
        "WHERE purpose = %s AND status = %s"
    )
    with connection.cursor() as cursor:
        if not chosen.objectable:
            cursor.execute(restricted)
            return int(cursor.fetchone()[0])
        cursor.execute(
            f"SELECT ({restricted}) + ({objecting})", [chosen.key, ObjectionStatus.ACTIVE.value]
        )
        return int(cursor.fetchone()[0])


def _only_refusals(purpose: Purpose) -> bool:
    """For a live candidate, can only a restriction or an objection refuse this purpose?"""
    return "candidate" in purpose.roles and not purpose.requires and not purpose.needs_consent


def _id_list() -> str:
    """One parameter holding a list of ids: binding 1,000 placeholders one by one costs more
    than the query itself."""
    if connection.vendor == "postgresql":
        return "= ANY(%s)"
    return "IN (SELECT value FROM json_each(%s))"


def _ids_param(ids: list[int]) -> Any:
    return ids if connection.vendor == "postgresql" else json.dumps(ids)


def _refused_among(ids: list[int], purpose: Purpose) -> set[int]:
    restriction = connection.ops.quote_name(Restriction._meta.db_table)
    match = _id_list()
    sql = f"SELECT person_id FROM {restriction} WHERE lifted_at IS NULL AND person_id {match}"  # noqa: S608 - table name from _meta, values as parameters
    params: list[Any] = [_ids_param(ids)]
    if purpose.objectable:
        objection = connection.ops.quote_name(Objection._meta.db_table)
        sql += (
            f" UNION ALL SELECT person_id FROM {objection} "  # noqa: S608 - as above
            f"WHERE status = %s AND purpose = %s AND person_id {match}"
        )
        params += [ObjectionStatus.ACTIVE.value, purpose.key, _ids_param(ids)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


_MARK = -987_654_321  # a person id no row has: marks where the list of ids goes


@lru_cache(maxsize=64)
def _allowed_sql(purpose_key: str, today: dt.date) -> tuple[str, tuple[Any, ...]]:
    """The SQL of ``_rules_q`` for one purpose, compiled by the ORM once a day per purpose (the
    search asks it on every page), split where the list of ids goes."""
    query = (
        Person.objects.filter(pk__in=[_MARK])
        .filter(_rules_q(policy().purpose(purpose_key), today))
        .values_list("pk")
    )
    sql, params = query.query.sql_with_params()
    column = f"{connection.ops.quote_name(Person._meta.db_table)}.{connection.ops.quote_name('id')}"
    marker = f"{column} IN (%s)"
    if sql.count(marker) != 1 or params[0] != _MARK:
        raise AssertionError(f"unexpected SQL for the gate: {sql}")  # pragma: no cover
    head, tail = sql.split(marker)
    return f"{head}{column} {_id_list()}{tail}", tuple(params[1:])


@dataclass(frozen=True, slots=True)
class _State:
    """Everything the gate reads about one person, for the purposes asked about."""

    erased_at: dt.datetime | None
    roles: frozenset[str]
    restricted: bool
    contracts: frozenset[str]  # "trajectory", "organisation": the contracts the person has
    objections: dict[str, tuple[str, dt.datetime]]  # purpose → (status, when), the latest
    consents: dict[str, Consent]  # purpose → the latest consent row, live or not


@lru_cache(maxsize=1)
def _state_sql() -> tuple[str, str, str]:
    """Three plain statements (person with restriction and contracts, objections, consents):
    ``may()`` runs on every use of a person and must cost well under a millisecond, so its SQL
    is written once here instead of being compiled by the ORM on each call."""
    from django.apps import apps

    def table(model: type[Model]) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    trajectory = table(apps.get_model("guidance", "Trajectory"))
    contact = table(apps.get_model("relations", "ContactPerson"))
    # Table names come from the models' _meta, every value is a parameter.
    person = (
        "SELECT p.erased_at, p.is_candidate, p.is_client_contact, p.is_supplier_contact, "  # noqa: S608
        "p.is_site_user, "
        f"EXISTS(SELECT 1 FROM {table(Restriction)} r "
        "WHERE r.person_id = p.id AND r.lifted_at IS NULL), "
        f"EXISTS(SELECT 1 FROM {trajectory} t WHERE t.person_id = p.id), "
        f"EXISTS(SELECT 1 FROM {contact} c WHERE c.person_id = p.id) "
        f"FROM {table(Person)} p WHERE p.id = %s"
    )
    objections = (
        f"SELECT purpose, status, decided_at, received_at FROM {table(Objection)} "  # noqa: S608
        "WHERE person_id = %s AND status IN ('active', 'overridden') ORDER BY received_at, id"
    )
    consents = (
        "SELECT id, purpose, given_at, given_via, text_version, expires_on, withdrawn_at "  # noqa: S608
        f"FROM {table(Consent)} WHERE person_id = %s ORDER BY given_at, id"
    )
    return person, objections, consents


def _aware(value: Any) -> Any:
    if isinstance(value, str):  # SQLite without a declared type on an expression
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime) and timezone.is_naive(value):
        return timezone.make_aware(value, dt.UTC)
    return value


def _day_of(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _state(person_id: int, purposes: list[Purpose]) -> _State | None:
    """At most three queries, whatever the number of purposes: the person with their
    restriction and contracts, their objections, their consents."""
    person_sql, objections_sql, consents_sql = _state_sql()
    with connection.cursor() as cursor:
        cursor.execute(person_sql, [person_id])
        row = cursor.fetchone()
        if row is None:
            return None
        objections: dict[str, tuple[str, dt.datetime]] = {}
        if any(p.objectable for p in purposes):
            cursor.execute(objections_sql, [person_id])
            for purpose_key, status, decided_at, received_at in cursor.fetchall():
                objections[purpose_key] = (status, _aware(decided_at or received_at))  # latest
        consents: dict[str, Consent] = {}
        if any(p.needs_consent for p in purposes):
            cursor.execute(consents_sql, [person_id])
            for pk, key, given_at, via, version, expires_on, withdrawn_at in cursor.fetchall():
                consents[key] = Consent(
                    pk=pk,
                    person_id=person_id,
                    purpose=key,
                    given_at=_aware(given_at),
                    given_via=via,
                    text_version=version,
                    expires_on=_day_of(expires_on),
                    withdrawn_at=_aware(withdrawn_at),
                )
    erased_at, *flags, restricted, has_trajectory, has_organisation = row
    return _State(
        erased_at=_aware(erased_at),
        roles=frozenset(role for role, on in zip(ROLE_FLAGS, flags, strict=True) if on),
        restricted=bool(restricted),
        contracts=frozenset(
            name
            for name, on in (("trajectory", has_trajectory), ("organisation", has_organisation))
            if on
        ),
        objections=objections,
        consents=consents,
    )


def _day(moment: dt.datetime | dt.date) -> str:
    day = clock.localdate(moment) if isinstance(moment, dt.datetime) else moment
    return date_format(day, "SHORT_DATE_FORMAT")


def _basis_reason(purpose: Purpose) -> str:
    if purpose.legal_basis is LegalBasis.LEGITIMATE_INTEREST:
        return _("Legal basis: the agency's legitimate interest.")
    if purpose.legal_basis is LegalBasis.LEGAL_OBLIGATION:
        return _("Legal basis: a legal obligation.")
    if purpose.also_legal_obligation:
        return _("Legal basis: a contract with the person, or a legal obligation.")
    return _("Legal basis: a contract with the person.")


def _decide(purpose: Purpose, state: _State, today: dt.date) -> Decision:  # noqa: PLR0911 - one early answer per rule reads as the list of rules
    def deny(code: str, *reasons: str) -> Decision:
        return Decision(purpose, False, code, reasons)

    if state.erased_at is not None:
        return deny("erased", _("The person's data was erased on %s.") % _day(state.erased_at))
    if not state.roles & set(purpose.roles):
        return deny("not_concerned", _("This purpose does not concern this person's roles."))
    if state.restricted:
        return deny(
            "restricted",
            _("Processing is restricted: the data may only be stored until it is lifted."),
        )
    if purpose.requires and purpose.requires not in state.contracts:
        what = _("trajectory") if purpose.requires == "trajectory" else _("client or supplier")
        return deny("no_contract", _("No contract grounds it: the person has no %s.") % what)
    reasons: list[str] = []
    objection, objected_at = state.objections.get(purpose.key, ("", None))
    if objection == ObjectionStatus.ACTIVE:
        if purpose.direct_marketing:
            return deny(
                "objection",
                _("The person objected to direct marketing: it stops, always."),
            )
        return deny("objection", _("The person objected; no compelling grounds are documented."))
    if objection == ObjectionStatus.OVERRIDDEN and objected_at is not None:
        reasons.append(
            _("The person objected; compelling legitimate grounds were documented on %s.")
            % _day(objected_at)
        )
    if purpose.needs_consent:
        consent = state.consents.get(purpose.key)
        if consent is None:
            return deny("consent_missing", _("Based on consent, and the person has not given it."))
        if consent.withdrawn_at is not None:
            return deny(
                "consent_withdrawn",
                _("Consent was withdrawn on %s.") % _day(consent.withdrawn_at),
            )
        if consent.expires_on is not None and consent.expires_on < today:
            return deny("consent_expired", _("Consent expired on %s.") % _day(consent.expires_on))
        reasons.append(
            _("Consent given on %(day)s (%(via)s, text version %(version)s).")
            % {
                "day": _day(consent.given_at),
                "via": consent.get_given_via_display(),
                "version": consent.text_version,
            }
        )
        if consent.expires_on is not None:
            reasons.append(_("It expires on %s.") % _day(consent.expires_on))
        return Decision(purpose, True, "consent", tuple(reasons))
    reasons.insert(0, _basis_reason(purpose))
    return Decision(purpose, True, "basis", tuple(reasons))


def may(person: Person | int, purpose: str | Purpose) -> Decision:
    """May the agency process this person's data for ``purpose``, and why (or why not)."""
    chosen = _purpose(purpose)
    person_id = person if isinstance(person, int) else person.pk
    state = _state(person_id, [chosen])
    if state is None:
        return Decision(chosen, False, "unknown", (_("No such person."),))
    return _decide(chosen, state, clock.today())


def may_feature(person: Person | int, feature: str) -> Decision:
    return may(person, policy().purpose_for(feature))


def overview(person: Person | int) -> list[Decision]:
    """Every purpose of the policy with the gate's answer for this person (the dossier panel),
    in three queries."""
    purposes = list(policy().purposes.values())
    person_id = person if isinstance(person, int) else person.pk
    state = _state(person_id, purposes)
    if state is None:
        return []
    today = clock.today()
    return [_decide(purpose, state, today) for purpose in purposes]
