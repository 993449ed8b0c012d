"""The append-only, hash-chained audit trail (DESIGN invariant 4).

Rows are only ever inserted by ``candor.audit.services``. The database refuses UPDATE and
DELETE on the event table (triggers installed by migration 0002); the hash chain and the head
row let ``candor audit verify`` detect anyone who bypassed that with direct SQL.

People are named only by pseudonymous references (``Person.pseudonym``, ``staff:<id>``), and no
foreign key points from here to a domain table, so nothing cascades away and no name lingers
after an erasure.
"""

from __future__ import annotations

from django.db import models


class AuditEvent(models.Model):
    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.CharField(max_length=64)
    action = models.CharField(max_length=32)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    subject = models.CharField(max_length=64, blank=True, db_index=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class AuditHead(models.Model):
    """The last event's number and hash: detects removal of events at the end of the chain and
    serialises writers (its row is locked while an event is appended). A database trigger moves
    it with every inserted event (migration 0003)."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"head #{self.seq}"
