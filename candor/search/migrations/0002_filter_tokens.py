"""Filter tokens now start with ``0f``: rebuild the index so existing entries carry them."""

from typing import Any

from django.db import migrations


def rebuild(apps: Any, schema_editor: Any) -> None:
    from candor.search.services import search_rebuild

    search_rebuild()


class Migration(migrations.Migration):
    dependencies = [("search", "0001_index")]
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
