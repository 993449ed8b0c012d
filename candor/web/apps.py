from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "candor.web"
    label = "web"
    verbose_name = "Public web site"
    default_auto_field = "django.db.models.BigAutoField"
