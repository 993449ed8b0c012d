from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "candor.accounts"
    label = "accounts"
    verbose_name = "Accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from candor import checks  # noqa: F401  (the deploy checks register themselves)
        from candor.accounts import declarations  # noqa: F401  (registry entries for Django's models)
