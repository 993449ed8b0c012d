"""SQLite: FTS5 merges 16 segments at a level instead of 4 (see
``candor.search.backends.SQLITE_CONFIG``, the same statements; migrations stay frozen).
PostgreSQL's index has no such setting."""

from typing import Any

from django.db import migrations

SQLITE = [
    "INSERT INTO search_candidate (search_candidate, rank) VALUES ('automerge', 16)",
    "INSERT INTO search_candidate (search_candidate, rank) VALUES ('crisismerge', 32)",
]
SQLITE_DEFAULTS = [
    "INSERT INTO search_candidate (search_candidate, rank) VALUES ('automerge', 4)",
    "INSERT INTO search_candidate (search_candidate, rank) VALUES ('crisismerge', 16)",
]


def apply(statements: list[str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "sqlite":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0003_words")]
    operations = [migrations.RunPython(apply(SQLITE), apply(SQLITE_DEFAULTS))]
