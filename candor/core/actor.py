"""Who is acting: a staff user, a person on the portal, or the system itself.

Every service takes a required ``actor``; the audit trail stores ``actor.ref``, a stable
pseudonymous reference that never contains a name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Actor:
    ref: str
    user_id: int | None = None
    role: str = "system"

    @classmethod
    def system(cls, task: str) -> Actor:
        return cls(ref=f"system:{task}")

    @classmethod
    def for_user(cls, user: Any) -> Actor:
        return cls(ref=f"staff:{user.pk}", user_id=user.pk, role=getattr(user, "role", "unknown"))
