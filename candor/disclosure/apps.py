from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "candor.disclosure"
    label = "disclosure"
    verbose_name = "Disclosure"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The record of processing activities lists what the ledger recorded and the processor
        # register; privacy does not import this app, so it is connected through ropa's hooks.
        from candor.disclosure import register
        from candor.privacy import ropa

        if register.recorded_recipients not in ropa.recipient_sources:
            ropa.recipient_sources.append(register.recorded_recipients)
        if register.processor_entries not in ropa.processor_sources:
            ropa.processor_sources.append(register.processor_entries)
