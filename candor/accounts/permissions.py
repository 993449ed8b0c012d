"""Who may do what: one table, read by views and API alike (R7.1, need to know).

Administrators configure the system but do not read dossiers; in-house client users get scoped
access only through supervised sessions (``candor.inhouse``: an open session of their own, not a
role, is what lets them in), so they hold no permission here.
"""

from __future__ import annotations

from typing import Any

from candor.accounts.models import Role

PERMISSIONS: dict[str, frozenset[str]] = {
    "person.view": frozenset({Role.CONSULTANT, Role.DPO}),
    "person.change": frozenset({Role.CONSULTANT}),
    "candidate.view": frozenset({Role.CONSULTANT, Role.DPO}),
    "candidate.create": frozenset({Role.CONSULTANT}),
    "organisation.view": frozenset({Role.CONSULTANT, Role.DPO}),
    "organisation.change": frozenset({Role.CONSULTANT}),
    "vacancy.view": frozenset({Role.CONSULTANT}),
    "vacancy.change": frozenset({Role.CONSULTANT}),
    "application.view": frozenset({Role.CONSULTANT}),
    "application.change": frozenset({Role.CONSULTANT}),
    "trajectory.view": frozenset({Role.CONSULTANT, Role.DPO}),
    "trajectory.change": frozenset({Role.CONSULTANT}),
    "registry.view": frozenset({Role.DPO, Role.ADMINISTRATOR}),
    "audit.verify": frozenset({Role.DPO, Role.ADMINISTRATOR}),
    "backoffice.enter": frozenset({Role.CONSULTANT, Role.DPO, Role.ADMINISTRATOR}),
    # staff log-in: an administrator resets a colleague's two-factor log-in (a lost phone)
    "second_factor.reset": frozenset({Role.ADMINISTRATOR}),
    # privacy: consents, objections and restrictions are recorded by whoever the person tells;
    # overriding an objection, lifting a restriction and the DPO's queues are the DPO's.
    "privacy.record": frozenset({Role.CONSULTANT, Role.DPO}),
    "privacy.decide": frozenset({Role.DPO}),
    "privacy.dashboard": frozenset({Role.DPO}),
    "retention.review": frozenset({Role.DPO}),
    "notices.manage": frozenset({Role.DPO}),
    "statement.manage": frozenset({Role.DPO}),
    "ropa.view": frozenset({Role.DPO, Role.ADMINISTRATOR}),
    # disclosure: consultants send anonymous profiles; the DPO follows mailings and keeps the
    # processor register, which administrators (who run the IT providers) may read.
    "mailing.view": frozenset({Role.CONSULTANT, Role.DPO}),
    "mailing.send": frozenset({Role.CONSULTANT}),
    "profile.disclose": frozenset({Role.CONSULTANT}),
    "processor.view": frozenset({Role.DPO, Role.ADMINISTRATOR}),
    "processor.manage": frozenset({Role.DPO}),
    "processor.transfer": frozenset({Role.CONSULTANT}),  # e.g. a file for an external assessor
    # subject requests (R6.1): whoever the person reaches records the request (a phone call);
    # verifying, extending, deciding and the queues are the DPO's.
    "requests.open": frozenset({Role.CONSULTANT, Role.DPO}),
    "requests.manage": frozenset({Role.DPO}),
    # introductions on consent (R4.1): consultants ask the candidate and record the answer.
    # Client contacts (Role.CLIENT) hold no permission here: the portal checks their role and
    # scopes everything to their organisation.
    "introduction.manage": frozenset({Role.CONSULTANT}),
    # corrections a person proposes to verified data on their own pages (R6.5)
    "correction.review": frozenset({Role.CONSULTANT}),
    # in-house partnership (R4.2) and trajectory reports to the paying party (R4.3)
    "inhouse.supervise": frozenset({Role.CONSULTANT}),
    "posting.manage": frozenset({Role.ADMINISTRATOR}),  # who is posted at which client
    "report.share": frozenset({Role.CONSULTANT}),
    # page-view statistics of the public site (R1.5): counts only, nobody in them
    "statistics.view": frozenset({Role.CONSULTANT, Role.DPO, Role.ADMINISTRATOR}),
}


def can(user: Any, permission: str) -> bool:
    """True when an active user's role grants ``permission``. Unknown permissions are refused."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    allowed = PERMISSIONS.get(permission)
    if allowed is None:
        raise KeyError(f"unknown permission {permission!r}")
    return user.role in allowed
