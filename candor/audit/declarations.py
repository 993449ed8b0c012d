"""Registry entries for the audit tables: they hold pseudonymous references only."""

from candor.audit.models import AuditEvent, AuditHead
from candor.privacy.registry import declare

_CHAIN = "hash chain bookkeeping"

declare(
    AuditEvent,
    subject=None,
    fields={},
    not_personal={
        "id": "surrogate key",
        "seq": _CHAIN,
        "at": "time of the event",
        "actor": "pseudonymous staff or system reference, never a name",
        "action": "kind of event",
        "object_type": "model label",
        "object_id": "row key, meaningless once the row is gone",
        "subject": "pseudonymous person reference, unlinkable after erasure",
        "detail": "field names and counts only; services never put values in it",
        "prev_hash": _CHAIN,
        "hash": _CHAIN,
    },
    on_erasure="keep_row",
)
declare(
    AuditHead,
    subject=None,
    fields={},
    not_personal={"id": "singleton key", "seq": _CHAIN, "hash": _CHAIN},
    on_erasure="keep_row",
)
