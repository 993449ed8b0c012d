from django.apps import AppConfig


class RelationsConfig(AppConfig):
    name = "candor.relations"
    label = "relations"
    verbose_name = "Relations"
    default_auto_field = "django.db.models.BigAutoField"
