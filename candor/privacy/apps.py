from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import request_started


class PrivacyConfig(AppConfig):
    name = "candor.privacy"
    label = "privacy"
    verbose_name = "Privacy"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # An invalid policy file stops start-up here, naming the key and the problem: nothing
        # may run on purposes or retention periods nobody can read.
        from candor.privacy.policy import policy

        policy()
        # In production, no master key means no encryption of personal data: refuse to start.
        from django.conf import settings

        from candor.privacy.crypto import master_key_problems

        if settings.PRODUCTION and (problems := master_key_problems()):
            raise ImproperlyConfigured(" ".join(problems))
        checks.register(restore_check)
        request_started.connect(refuse_during_restore, dispatch_uid="candor.restore_pending")


def restore_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A restored database is not served until the erasure journal has been re-applied."""
    from candor.privacy.journal import marker_path, restore_pending

    if restore_pending() is None:
        return []
    return [
        checks.Error(
            "A restore has not finished: the erasure journal has not been re-applied.",
            hint=f"Run `candor restore` again (it resumes), or remove {marker_path().name} "
            "only after erasing the journaled people.",
            id="privacy.E101",
        )
    ]


def refuse_during_restore(sender: Any = None, **kwargs: Any) -> None:
    from candor.privacy.journal import restore_pending

    if restore_pending() is not None:
        raise ImproperlyConfigured(
            "A restore is under way: people erased since the backup are erased again before "
            "anything is served."
        )
