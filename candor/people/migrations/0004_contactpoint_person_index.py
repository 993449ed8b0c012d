from django.db import migrations

from candor.core.migration_ops import person_index_dropped


class Migration(migrations.Migration):
    dependencies = [("people", "0003_encrypt_sensitive_fields")]

    operations = [
        person_index_dropped(
            model_name="contactpoint",
            related_name="contact_points",
            table="people_contactpoint",
            index="people_contactpoint_person_id_d28ae76a",
        ),
    ]
