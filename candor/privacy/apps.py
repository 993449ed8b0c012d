from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "candor.privacy"
    label = "privacy"
    verbose_name = "Privacy"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # An invalid policy file stops start-up here, naming the key and the problem: nothing
        # may run on purposes or retention periods nobody can read.
        from candor.privacy.policy import policy

        policy()
