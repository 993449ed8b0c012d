"""SQLite: the FTS5 index without word positions or column sizes (see
``candor.search.backends.SQLITE_TABLE``, the same statement; migrations stay frozen). The
entries are copied into the new table, so no rebuild is needed. PostgreSQL is unchanged."""

from typing import Any

from django.db import migrations

COLUMNS = "names, functions, skills, career, education, notes, facets"
OPTIONS = {
    "new": "detail = column, columnsize = 0",
    "old": "",
}
MERGE_POLICY = [  # as 0004 set it
    "INSERT INTO search_candidate (search_candidate, rank) VALUES ('automerge', 16)",
    "INSERT INTO search_candidate (search_candidate, rank) VALUES ('crisismerge', 32)",
]


def recreate(options: str) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "sqlite":
            return
        extra = f", {options}" if options else ""
        for sql in [
            "ALTER TABLE search_candidate RENAME TO search_candidate_before",
            "CREATE VIRTUAL TABLE search_candidate USING fts5("
            f"{COLUMNS}, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'{extra})",
            *MERGE_POLICY,
            f"INSERT INTO search_candidate (rowid, {COLUMNS}) "
            f"SELECT rowid, {COLUMNS} FROM search_candidate_before",
            "DROP TABLE search_candidate_before",
        ]:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0004_merge_policy")]
    operations = [migrations.RunPython(recreate(OPTIONS["new"]), recreate(OPTIONS["old"]))]
