from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "candor.demo"
    label = "demo"
    verbose_name = "Demo data"
