"""Migration operations shared by several apps."""

from __future__ import annotations

import django.db.models.deletion
from django.db import migrations, models


def person_index_dropped(
    *, model_name: str, related_name: str, table: str, index: str
) -> migrations.SeparateDatabaseAndState:
    """A ``person`` foreign key loses its own index because a unique constraint starting with
    the person already serves every look-up by person (one index fewer to update per row
    written). The index is dropped by name: ``AlterField`` would rebuild the whole table on
    SQLite for it. The name is the one Django gave it, the same on SQLite and PostgreSQL."""
    return migrations.SeparateDatabaseAndState(
        state_operations=[
            migrations.AlterField(
                model_name=model_name,
                name="person",
                field=models.ForeignKey(
                    db_index=False,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name=related_name,
                    to="people.person",
                ),
            )
        ],
        database_operations=[
            migrations.RunSQL(
                f'DROP INDEX IF EXISTS "{index}"',
                reverse_sql=f'CREATE INDEX "{index}" ON "{table}" ("person_id")',
            )
        ],
    )
