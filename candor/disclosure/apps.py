from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "candor.disclosure"
    label = "disclosure"
    verbose_name = "Disclosure"
    default_auto_field = "django.db.models.BigAutoField"
