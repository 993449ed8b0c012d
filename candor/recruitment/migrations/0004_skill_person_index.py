from django.db import migrations

from candor.core.migration_ops import person_index_dropped


class Migration(migrations.Migration):
    dependencies = [("recruitment", "0003_encrypt_sensitive_fields")]

    operations = [
        person_index_dropped(
            model_name="languageskill",
            related_name="languages",
            table="recruitment_languageskill",
            index="recruitment_languageskill_person_id_01b9d582",
        ),
        person_index_dropped(
            model_name="skill",
            related_name="skills",
            table="recruitment_skill",
            index="recruitment_skill_person_id_cdab4901",
        ),
    ]
