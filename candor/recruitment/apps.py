from django.apps import AppConfig


class RecruitmentConfig(AppConfig):
    name = "candor.recruitment"
    label = "recruitment"
    verbose_name = "Recruitment"
    default_auto_field = "django.db.models.BigAutoField"
