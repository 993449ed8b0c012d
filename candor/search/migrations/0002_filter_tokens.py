"""Filter tokens now start with ``0f``: rebuild the index so existing entries carry them."""

from typing import Any

from django.db import migrations

CREATE_WORDS = 'CREATE TABLE IF NOT EXISTS search_word (word text COLLATE "C" PRIMARY KEY)'


def rebuild(apps: Any, schema_editor: Any) -> None:
    from candor.search.services import search_rebuild

    if schema_editor.connection.vendor == "postgresql":
        # The rebuild is today's code, which keeps the word list of 0003_words as well.
        schema_editor.execute(CREATE_WORDS)
    search_rebuild()


class Migration(migrations.Migration):
    dependencies = [("search", "0001_index")]
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
