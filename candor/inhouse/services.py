"""Supervised in-house access (R4.2): postings, sessions, and what a client user does in one.

A client's user (role ``inhouse_client``) reaches the candidate database only inside a
supervision session that the consultant posted at their organisation opened for them: time-boxed
(the policy's ``[inhouse]`` hours), scoped (the client's vacancies it may search for and the
search filters it may use), closable by the consultant at any time. Outside an open session of
their own every page refuses (``NoSession``, logged) and discloses nothing.

Inside it, every search and every dossier view writes a ``SessionView`` (the consultant's live
page reads them) and an audit event naming the consultant and the client user by their staff
refs and the person by pseudonym, in the same transaction.

What counts as a disclosure: a dossier view shows the client user an anonymous profile (career
and education, as the policy's ``inhouse.categories`` allow): it is recorded in the ledger with
``disclose`` (recipient: the client organisation, channel ``portal``, reference
``session:<id>``). A search result list shows only each candidate's reference code and desired
function, so it is not a ledger entry per candidate; the session trail keeps the ids it listed,
and only a candidate a search of the same session listed may be opened.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from candor.accounts.models import Role, User
from candor.audit.services import audit_record
from candor.core import clock
from candor.core.actor import Actor
from candor.disclosure.profiles import (
    DERIVED,
    SHOWN,
    Profile,
    Rendered,
    build_profiles,
    render_profile,
)
from candor.disclosure.services import Recipient, disclose
from candor.inhouse.models import Posting, SessionView, SupervisionSession, ViewKind
from candor.people.models import Person
from candor.privacy.gate import allowed_ids
from candor.privacy.policy import policy
from candor.privacy.registry import declaration_for
from candor.recruitment.models import Vacancy
from candor.relations.models import Organisation, OrganisationKind
from candor.search.services import CandidateSearch, search_candidates

log = logging.getLogger(__name__)

# The search filters a session may allow. No free text and no name: a client user looks for a
# profile, not for someone they know.
SEARCH_FILTERS = ("function", "skills", "language", "min_level", "province")
SEARCH_FEATURE = "search"
SHARING_FEATURE = "client_sharing"
RESULTS_PER_PAGE = 20


class InhouseRefused(Exception):
    """A request the rules refuse; ``str()`` is the message for the user. Nothing was shown."""


class NoSession(InhouseRefused):
    """The client user has no open session of their own: nothing is visible."""


def _refuse(exc: InhouseRefused, *, user: Any, where: str) -> InhouseRefused:
    log.warning("in-house access refused for user %s at %s: %s", user.pk, where, exc)
    return exc


# -- postings ----------------------------------------------------------------------------------


def posting_create(
    *,
    actor: Actor,
    consultant: User,
    organisation: Organisation,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
) -> Posting:
    """Record that ``consultant`` is posted at the client ``organisation``."""
    errors: dict[str, list[str]] = {}
    if consultant.role != Role.CONSULTANT or not consultant.is_active:
        errors["consultant"] = [_("Choose an active consultant.")]
    if organisation.kind not in {OrganisationKind.CLIENT, OrganisationKind.BOTH}:
        errors["organisation"] = [_("%(name)s is not a client.") % {"name": organisation.name}]
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = [_("The end date lies before the start date.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        posting = Posting.objects.create(
            consultant=consultant,
            organisation=organisation,
            starts_on=starts_on,
            ends_on=ends_on,
            created_by_id=actor.user_id,
        )
        audit_record(
            actor=actor,
            action="inhouse.posting",
            object_type="posting",
            object_id=posting.pk,
            detail={
                "consultant": f"staff:{consultant.pk}",
                "organisation": organisation.pk,
                "starts_on": starts_on.isoformat(),
                "ends_on": ends_on.isoformat() if ends_on else None,
            },
        )
    return posting


def postings_of(consultant: Any, *, on: dt.date | None = None) -> QuerySet[Posting]:
    """The consultant's postings in force on ``on`` (today)."""
    day = on or clock.today()
    return (
        Posting.objects.filter(consultant=consultant, starts_on__lte=day)
        .filter(Q(ends_on=None) | Q(ends_on__gte=day))
        .select_related("organisation")
    )


def client_users_of(organisation_ids: Sequence[int]) -> QuerySet[User]:
    return User.objects.filter(
        role=Role.INHOUSE_CLIENT, is_active=True, client_id__in=list(organisation_ids)
    ).order_by("last_name", "first_name", "username")


# -- sessions ----------------------------------------------------------------------------------


def _open_q(now: dt.datetime) -> Q:
    return Q(closed_at=None, opened_at__lte=now, ends_at__gt=now)


def session_is_open(session: SupervisionSession) -> bool:
    now = clock.now()
    return session.closed_at is None and session.opened_at <= now < session.ends_at


def open_session_of(user: Any) -> SupervisionSession | None:
    """The client user's open, unexpired session, if any (at most one is open at a time)."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.INHOUSE_CLIENT:
        return None
    return (
        SupervisionSession.objects.filter(_open_q(clock.now()), client_user=user)
        .select_related("posting__organisation", "opened_by", "client_user")
        .first()
    )


def _still_supervised(session: SupervisionSession, user: Any) -> bool:
    """The session's conditions still hold: the user is active and still works for the client,
    the consultant is still active and still posted there today."""
    posting, today = session.posting, clock.today()
    return (
        user.is_active
        and user.client_id == posting.organisation_id
        and session.opened_by.is_active
        and posting.starts_on <= today
        and (posting.ends_on is None or posting.ends_on >= today)
    )


def require_session(user: Any, *, where: str) -> SupervisionSession:
    """The client user's open session, or ``NoSession`` (logged): outside a session an in-house
    client user sees nothing."""
    session = open_session_of(user)
    if session is None or not _still_supervised(session, user):
        raise _refuse(
            NoSession(
                _(
                    "You have no open supervision session. The candidate database is only "
                    "available while the consultant posted at your organisation supervises a "
                    "session for you; ask them to open one."
                )
            ),
            user=user,
            where=where,
        )
    return session


@transaction.atomic
def session_open(
    *,
    actor: Actor,
    consultant: User,
    client_user: User,
    vacancy_ids: Sequence[int] = (),
    filters: Sequence[str] = (),
    hours: int | None = None,
) -> SupervisionSession:
    """Open a session for ``client_user``, by the consultant posted at the user's organisation
    today. ``ValidationError`` (nothing written) when the consultant is not posted there, the
    user is not an active in-house user of a client, a vacancy is another client's, a filter is
    unknown, the length exceeds the policy's maximum, or the user already has an open session."""
    rules = policy().inhouse
    hours = rules.session_hours if hours is None else hours
    errors: dict[str, list[str]] = {}
    organisation_id = client_user.client_id
    if client_user.role != Role.INHOUSE_CLIENT or not client_user.is_active:
        errors["client_user"] = [_("Choose an active in-house client user.")]
    elif organisation_id is None:
        errors["client_user"] = [_("This client user belongs to no client organisation.")]
    posting = (
        postings_of(consultant).filter(organisation_id=organisation_id).first()
        if organisation_id
        else None
    )
    if posting is None and "client_user" not in errors:
        errors["client_user"] = [_("You are not posted at this user's organisation.")]
    if not 1 <= hours <= rules.max_session_hours:
        errors["hours"] = [
            _("A session lasts from 1 to %(max)d hours.") % {"max": rules.max_session_hours}
        ]
    unknown = sorted(set(filters) - set(SEARCH_FILTERS))
    if unknown:
        errors["filters"] = [
            _("Unknown search filters: %(names)s.") % {"names": ", ".join(unknown)}
        ]
    wanted = list(dict.fromkeys(int(pk) for pk in vacancy_ids))
    vacancies = list(Vacancy.objects.filter(pk__in=wanted, client_id=organisation_id))
    if len(vacancies) != len(wanted):
        errors["vacancies"] = [_("A session may only cover vacancies of the user's own client.")]
    if not wanted:
        errors["vacancies"] = [_("Choose at least one vacancy of the client.")]
    if (
        not errors
        and SupervisionSession.objects.filter(
            _open_q(clock.now()), client_user=client_user
        ).exists()
    ):
        errors["client_user"] = [_("This user already has an open session; close it first.")]
    if errors:
        log.warning("supervision session refused for %s: %s", client_user.pk, errors)
        raise ValidationError(errors)
    if posting is None:  # pragma: no cover - an error above already refused it
        raise ValidationError(
            {"client_user": [_("You are not posted at this user's organisation.")]}
        )
    now = clock.now()
    session = SupervisionSession.objects.create(
        posting=posting,
        client_user=client_user,
        opened_by=consultant,
        opened_at=now,
        ends_at=now + dt.timedelta(hours=hours),
        filters=[name for name in SEARCH_FILTERS if name in set(filters)],
    )
    session.vacancies.set(vacancies)
    audit_record(
        actor=actor,
        action="inhouse.session_open",
        object_type="supervision_session",
        object_id=session.pk,
        detail={
            "consultant": f"staff:{consultant.pk}",
            "client_user": f"staff:{client_user.pk}",
            "organisation": organisation_id,
            "ends_at": session.ends_at.isoformat(),
            "vacancies": sorted(v.pk for v in vacancies),
            "filters": session.filters,
        },
    )
    return session


@transaction.atomic
def session_close(*, actor: Actor, session: SupervisionSession) -> bool:
    """Close the session now (False when it was already closed or had ended by itself). The
    pages let only the consultant of the session's posting reach it (404 for anyone else)."""
    locked = SupervisionSession.objects.select_for_update().get(pk=session.pk)
    if locked.closed_at is not None or not session_is_open(locked):
        return False
    locked.closed_at, locked.closed_by_id = clock.now(), actor.user_id
    locked.save(update_fields=["closed_at", "closed_by"])
    session.closed_at, session.closed_by_id = locked.closed_at, locked.closed_by_id
    audit_record(
        actor=actor,
        action="inhouse.session_close",
        object_type="supervision_session",
        object_id=session.pk,
        detail={"client_user": f"staff:{locked.client_user_id}"},
    )
    return True


def sessions_supervised_by(consultant: Any) -> QuerySet[SupervisionSession]:
    """Sessions at the clients the consultant is (or was) posted at, newest first."""
    return (
        SupervisionSession.objects.filter(posting__consultant=consultant)
        .select_related("posting__organisation", "client_user", "opened_by", "closed_by")
        .order_by("-opened_at", "-pk")
    )


# -- inside a session --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResultRow:
    """What a result list shows of a candidate: the reference code and the desired function."""

    person_id: int
    code: str
    function: str


@dataclass(frozen=True, slots=True)
class SessionResults:
    rows: list[ResultRow]
    total: int
    notes: list[str]


def _names(session: SupervisionSession) -> dict[str, str]:
    return {
        "consultant": f"staff:{session.opened_by_id}",
        "client_user": f"staff:{session.client_user_id}",
    }


def _check_open(session: SupervisionSession, user: Any, where: str) -> None:
    fresh = require_session(user, where=where)
    if fresh.pk != session.pk:
        raise _refuse(NoSession(_("This session is not yours.")), user=user, where=where)


@transaction.atomic
def session_search(
    *,
    session: SupervisionSession,
    user: Any,
    vacancy_id: int | None,
    filters: Mapping[str, str],
) -> SessionResults:
    """Search the candidate database for a vacancy in the session's scope with the filters the
    session allows. Restricted, objecting and erased people never appear (the gate, feature
    ``search``). Recorded as a ``SessionView`` and an audit event."""
    _check_open(session, user, "search")
    if vacancy_id is None or not session.vacancies.filter(pk=vacancy_id).exists():
        raise _refuse(
            InhouseRefused(_("This vacancy is outside the scope of your session.")),
            user=user,
            where="search",
        )
    used = {name: str(value).strip() for name, value in filters.items() if str(value).strip()}
    beyond = sorted(set(used) - set(session.filters))
    if beyond:
        raise _refuse(
            InhouseRefused(
                _("Your session does not allow searching by %(names)s.")
                % {"names": ", ".join(beyond)}
            ),
            user=user,
            where="search",
        )
    query: dict[str, Any] = dict(used)
    found = search_candidates(CandidateSearch(**query), per_page=RESULTS_PER_PAGE)
    ids = allowed_ids([p.pk for p in found.people], feature=SEARCH_FEATURE)
    profiles = build_profiles(ids)
    rows = [
        ResultRow(pk, profiles[pk].code, profiles[pk].desired_function)
        for pk in ids
        if pk in profiles
    ]
    now = clock.now()
    view = SessionView.objects.create(
        session=session,
        kind=ViewKind.SEARCH,
        vacancy_id=vacancy_id,
        query=used,
        shown=[row.person_id for row in rows],
        at=now,
    )
    audit_record(
        actor=Actor.for_user(user),
        action="inhouse.search",
        object_type="supervision_session",
        object_id=session.pk,
        detail={
            **_names(session),
            "view": view.pk,
            "vacancy": vacancy_id,
            "filters": sorted(used),
            "shown": len(rows),
        },
    )
    return SessionResults(rows=rows, total=len(rows), notes=found.notes)


def dossier_categories() -> list[str]:
    """The categories an in-house dossier draws on: the anonymous profile's allow-list without
    its derived fields (age band from the birth date, province from the address), read from the
    registry — career and education."""
    found: set[str] = set()
    for label, names in SHOWN.items():
        declaration = declaration_for(apps.get_model(label))
        if declaration is None:
            raise LookupError(f"{label} is shown in profiles but not declared in the registry")
        found.update(
            declaration.fields[name].category.value
            for name in names
            if f"{label}.{name}" not in DERIVED
        )
    return sorted(found)


def inhouse_profile(person_id: int) -> Profile:
    """The anonymous profile without the age band and the region: an in-house partner sees the
    career, education, languages and skills, nothing derived from demographic or contact data."""
    profile = build_profiles([person_id])[person_id]
    profile.age = profile.region = ""
    return profile


@transaction.atomic
def session_dossier(*, session: SupervisionSession, user: Any, person_id: int) -> Rendered:
    """The limited dossier of a candidate that a search of this session listed: the anonymous
    profile (the categories ``inhouse.categories`` allows), recorded as a ``SessionView``, an
    audit event and a ledger row (``DisclosureRefused`` when the gate now refuses the person:
    nothing shown, nothing recorded)."""
    _check_open(session, user, "dossier")
    listed = any(
        person_id in (shown or [])
        for shown in session.views.filter(kind=ViewKind.SEARCH).values_list("shown", flat=True)
    )
    person = Person.objects.filter(pk=person_id, is_candidate=True).first()
    if not listed or person is None:
        raise _refuse(
            InhouseRefused(_("This candidate is outside the scope of your session.")),
            user=user,
            where="dossier",
        )
    categories = dossier_categories()
    beyond = sorted(set(categories) - {str(c) for c in policy().inhouse.categories})
    if beyond:  # the policy narrowed what in-house users see below what a profile shows
        raise _refuse(
            InhouseRefused(_("The privacy policy does not allow showing profiles here.")),
            user=user,
            where="dossier",
        )
    profile = inhouse_profile(person_id)
    rendered = render_profile(profile)
    actor = Actor.for_user(user)
    disclose(
        actor=actor,
        recipient=Recipient.for_client(session.posting.organisation),
        contents={person_id: rendered.html},  # what the page shows, as it shows it
        categories=categories,
        purpose=policy().purpose_for(SHARING_FEATURE).key,
        channel="portal",
        reference=f"session:{session.pk}",
    )
    view = SessionView.objects.create(
        session=session, kind=ViewKind.DOSSIER, person=person, at=clock.now()
    )
    audit_record(
        actor=actor,
        action="inhouse.dossier_view",
        object_type="person",
        object_id=person.pk,
        subject=str(person.pseudonym),
        detail={**_names(session), "session": session.pk, "view": view.pk, "code": profile.code},
    )
    return rendered


def session_views(session: SupervisionSession, *, limit: int = 200) -> list[dict[str, Any]]:
    """What the client user searched and viewed, newest first, for the consultant's live page:
    searches with their filters and number of results, dossiers by reference code."""
    views = list(session.views.select_related("vacancy", "person")[:limit])
    codes = {
        pk: p.code for pk, p in build_profiles([v.person_id for v in views if v.person_id]).items()
    }
    return [
        {
            "at": view.at,
            "kind": view.kind,
            "kind_label": view.get_kind_display(),
            "vacancy": view.vacancy,
            "query": view.query,
            "shown": len(view.shown or []),
            "code": codes.get(view.person_id or 0, ""),
            "person_id": view.person_id,
        }
        for view in views
    ]
