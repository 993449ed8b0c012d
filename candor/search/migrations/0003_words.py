"""PostgreSQL: the list of indexed words (``search_word``), filled from the existing entries.

A search of several terms turns each prefix word into the indexed words it stands for, because
GIN answers exact words ANDed together far faster than prefix matches (see
``candor.search.backends.PostgresBackend``). SQLite's FTS5 needs no such list.
"""

from typing import Any

from django.db import migrations

POSTGRES = [
    'CREATE TABLE IF NOT EXISTS search_word (word text COLLATE "C" PRIMARY KEY)',  # see 0002
    "INSERT INTO search_word (word) SELECT DISTINCT w FROM search_candidate,"
    " unnest(tsvector_to_array(document)) w WHERE NOT starts_with(w, '0f')"
    " ON CONFLICT DO NOTHING",
]


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for sql in POSTGRES:
            schema_editor.execute(sql)


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TABLE IF EXISTS search_word")


class Migration(migrations.Migration):
    dependencies = [("search", "0002_filter_tokens")]
    operations = [migrations.RunPython(create, drop)]
