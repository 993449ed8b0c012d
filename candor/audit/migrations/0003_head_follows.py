"""The head follows every appended event inside the database: the writer no longer updates it
(one statement less per audited change or view), and it cannot forget to."""

from typing import Any

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER audit_head_follows AFTER INSERT ON audit_auditevent
       BEGIN
         UPDATE audit_audithead SET seq = NEW.seq, hash = NEW.hash
         WHERE id = 1 AND seq < NEW.seq;
       END""",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION audit_head_follow() RETURNS trigger AS $$
       BEGIN
         UPDATE audit_audithead h SET seq = last.seq, hash = last.hash
         FROM (SELECT seq, hash FROM added ORDER BY seq DESC LIMIT 1) last
         WHERE h.id = 1 AND h.seq < last.seq;
         RETURN NULL;
       END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_head_follows AFTER INSERT ON audit_auditevent
       REFERENCING NEW TABLE AS added FOR EACH STATEMENT
       EXECUTE FUNCTION audit_head_follow()""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS audit_head_follows"]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS audit_head_follows ON audit_auditevent",
    "DROP FUNCTION IF EXISTS audit_head_follow()",
]


def _run(schema_editor: Any, sqlite: list[str], postgres: list[str]) -> None:
    for sql in postgres if schema_editor.connection.vendor == "postgresql" else sqlite:
        schema_editor.execute(sql)


# Whatever wrote events before the trigger existed, the head starts from the last event.
SYNC = [
    """UPDATE audit_audithead SET
         seq = (SELECT seq FROM audit_auditevent ORDER BY seq DESC LIMIT 1),
         hash = (SELECT hash FROM audit_auditevent ORDER BY seq DESC LIMIT 1)
       WHERE id = 1 AND EXISTS (SELECT 1 FROM audit_auditevent)""",
]


def forwards(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, SYNC + SQLITE, SYNC + POSTGRES)


def backwards(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, SQLITE_DROP, POSTGRES_DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]
    operations = [migrations.RunPython(forwards, backwards)]
