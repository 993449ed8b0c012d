from django.apps import AppConfig


class ImporterConfig(AppConfig):
    name = "candor.importer"
    label = "importer"
    verbose_name = "Importer"
    default_auto_field = "django.db.models.BigAutoField"
