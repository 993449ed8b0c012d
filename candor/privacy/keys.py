"""Person keys as an operator sees them: status and rotation of the master key (R7.1).

Rotation re-wraps every person key under the current master key (the first of
``CANDOR_MASTER_KEYS``); no value or document is decrypted or re-encrypted. It runs in batches,
each in its own transaction with its audit event, so it can be stopped and run again: it picks
up the keys still wrapped by an older master key. When ``candor keys status`` shows none left,
the old master key can be removed from the environment (and destroyed: see docs/security.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count

from candor.audit.services import audit_record
from candor.core import clock
from candor.core.actor import Actor
from candor.privacy.crypto import encryption_enabled, master_keys, unwrap, wrap
from candor.privacy.models import PersonKey


@dataclass(slots=True)
class KeyStatus:
    current: str
    configured: list[str]
    by_master: dict[str, int] = field(default_factory=dict)
    encryption: bool = True

    @property
    def total(self) -> int:
        return sum(self.by_master.values())

    @property
    def to_rotate(self) -> int:
        return sum(n for key_id, n in self.by_master.items() if key_id != self.current)

    @property
    def missing_masters(self) -> list[str]:
        """Master key ids that wrap keys but are not configured: those people's data cannot
        be read until the key is given back."""
        return sorted(set(self.by_master) - set(self.configured))


def keys_status() -> KeyStatus:
    masters = master_keys()
    counts = PersonKey.objects.values("master_key_id").annotate(n=Count("pk")).order_by()
    return KeyStatus(
        current=masters.current,
        configured=list(masters.keys),
        by_master={row["master_key_id"]: row["n"] for row in counts},
        encryption=encryption_enabled(),
    )


def keys_rotate(
    *, actor: Actor, batch_size: int = 500, on_batch: Callable[[int], None] | None = None
) -> int:
    """Re-wrap the person keys not yet under the current master key, ``batch_size`` per
    transaction, each batch with a ``rotate_keys`` audit event; returns how many were re-wrapped.
    A key whose master key is not configured stops the rotation with the id named."""
    masters = master_keys()
    done = 0
    while True:
        with transaction.atomic():
            batch = list(
                PersonKey.objects.select_for_update()
                .exclude(master_key_id=masters.current)
                .order_by("pk")[:batch_size]
            )
            if not batch:
                return done
            now = clock.now()
            moved: dict[str, int] = {}
            for key in batch:
                data_key = unwrap(key.master_key_id, bytes(key.wrapped), key.pseudonym, masters)
                moved[key.master_key_id] = moved.get(key.master_key_id, 0) + 1
                key.master_key_id, key.wrapped = wrap(data_key, key.pseudonym, masters)
                key.rewrapped_at = now
            PersonKey.objects.bulk_update(batch, ["master_key_id", "wrapped", "rewrapped_at"])
            audit_record(
                actor=actor,
                action="rotate_keys",
                object_type="privacy.personkey",
                detail={"count": len(batch), "from": moved, "to": masters.current},
            )
        done += len(batch)
        if on_batch is not None:
            on_batch(len(batch))
