from django.db import migrations

from candor.core.migration_ops import person_index_dropped


class Migration(migrations.Migration):
    dependencies = [("privacy", "0003_person_keys")]

    operations = [
        person_index_dropped(
            model_name="noticeduty",
            related_name="notice_duties",
            table="privacy_noticeduty",
            index="privacy_noticeduty_person_id_542a99ad",
        ),
    ]
