"""The candidate search index: an FTS5 table on SQLite, tsvector + trigram tables on PostgreSQL.

Not a Django model (neither shape fits one): created here per database, filled by
``candor.search.services`` and ``candor search rebuild``.
"""

from typing import Any

from django.db import migrations

SQLITE = [  # the same statement as candor.search.backends.SQLITE_TABLE (migrations stay frozen)
    "CREATE VIRTUAL TABLE search_candidate USING fts5("
    "names, functions, skills, career, education, notes, facets, "
    "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')",
]
POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE TABLE search_candidate ("
    " person_id bigint PRIMARY KEY,"
    " names text NOT NULL DEFAULT '',"
    " document tsvector NOT NULL)",
    "CREATE INDEX search_candidate_document ON search_candidate USING gin (document)",
    "CREATE INDEX search_candidate_names ON search_candidate USING gin (names gin_trgm_ops)",
]


def create(apps: Any, schema_editor: Any) -> None:
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql)


def drop(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute("DROP TABLE IF EXISTS search_candidate")


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial"), ("recruitment", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
