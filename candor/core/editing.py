"""Refusing stale edits: a form carries the ``updated_at`` it loaded, the service compares it
with the stored row under a lock, inside its write transaction, before changing anything."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models


class StaleEdit(Exception):
    """Someone saved the record after the editor loaded it: nothing was written, so their change
    is not overwritten. ``current`` is the record as it is now stored, so a page can show what
    changed."""

    def __init__(self, current: Any) -> None:
        super().__init__(f"{current._meta.label_lower} {current.pk} changed since it was loaded")
        self.current = current


def locked_unless_stale[M: models.Model](
    rows: models.Manager[M] | models.QuerySet[M], pk: Any, expected_updated_at: dt.datetime | None
) -> M:
    """The stored row, locked for this transaction; ``StaleEdit`` when it was saved after
    ``expected_updated_at`` (``None``: the caller does not check)."""
    current = rows.select_for_update().get(pk=pk)
    if expected_updated_at is not None and current.updated_at != expected_updated_at:  # type: ignore[attr-defined]
        raise StaleEdit(current)
    return current
