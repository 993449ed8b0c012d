from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "candor.audit"
    label = "audit"
    verbose_name = "Audit trail"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from candor.audit import declarations  # noqa: F401  (registers the registry entries)
