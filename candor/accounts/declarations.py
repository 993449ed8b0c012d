"""Registry entries for Django's own models, which we cannot decorate."""

from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session

from candor.privacy.registry import DELETE, PD, Category, declare

declare(
    Permission,
    subject=None,
    fields={},
    not_personal={
        "id": "key",
        "name": "permission name",
        "content_type": "model",
        "codename": "code",
    },
)
declare(
    Group,
    subject=None,
    fields={},
    not_personal={"id": "key", "name": "group name", "permissions": "grants"},
)
declare(
    ContentType,
    subject=None,
    fields={},
    not_personal={"id": "key", "app_label": "model label", "model": "model name"},
)
declare(
    Session,
    subject=None,
    fields={
        "session_data": PD(Category.TECHNICAL, erasure=DELETE, description="signed-in user id"),
    },
    not_personal={"session_key": "random key", "expire_date": "expiry time"},
    description="Web sessions (expire; deleted on erasure of the account)",
)
declare(
    LogEntry,
    subject=None,
    fields={
        "object_repr": PD(
            Category.IDENTITY, erasure=DELETE, description="superuser admin log: object's name"
        ),
        "change_message": PD(Category.TECHNICAL, erasure=DELETE),
    },
    not_personal={
        "id": "key",
        "action_time": "time",
        "user": "staff member who acted",
        "content_type": "model",
        "object_id": "row key",
        "action_flag": "add/change/delete",
    },
    description="Django admin log (superusers only)",
)
