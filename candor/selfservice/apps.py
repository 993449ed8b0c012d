from django.apps import AppConfig


class SelfServiceConfig(AppConfig):
    name = "candor.selfservice"
    label = "selfservice"
    verbose_name = "Self-service for data subjects"
    default_auto_field = "django.db.models.BigAutoField"
