from django.apps import AppConfig


class InhouseConfig(AppConfig):
    name = "candor.inhouse"
    label = "inhouse"
    verbose_name = "In-house partnership"
    default_auto_field = "django.db.models.BigAutoField"
