from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "candor.rights"
    label = "rights"
    verbose_name = "Data subject rights"
    default_auto_field = "django.db.models.BigAutoField"
