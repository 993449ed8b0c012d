from django.apps import AppConfig


class GuidanceConfig(AppConfig):
    name = "candor.guidance"
    label = "guidance"
    verbose_name = "Guidance"
    default_auto_field = "django.db.models.BigAutoField"
