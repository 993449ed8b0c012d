from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "candor.search"
    label = "search"
    verbose_name = "Candidate search"

    def ready(self) -> None:
        from candor.search import signals  # noqa: F401 - connects the index upkeep
