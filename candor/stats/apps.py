from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "candor.stats"
    label = "stats"
    verbose_name = "Page-view statistics"
    default_auto_field = "django.db.models.BigAutoField"
