"""Inserting many new rows of one model quickly, for the batch writers (import, intake).

``insert_rows`` does what ``Model.objects.bulk_create`` does for new rows, without building a
model instance per row or compiling the values through the ORM one by one: fields missing from
a row take the field's default (as ``Model(**row)`` would), ``auto_now``/``auto_now_add``
fields take the time of the call, and values are converted for the database by the field
itself, with a shortcut for values that need no conversion (``str`` for text fields, ``bool``,
``int`` keys); a field that encrypts with the key of the row's person (``seal_column``) is
given the whole column with the row's other values. SQLite gets INSERTs of many rows
each, PostgreSQL one ``COPY … FROM STDIN``; errors surface as Django's
``IntegrityError``/``DatabaseError``, like the ORM's. It returns nothing: a caller that needs
the new keys looks them up by a unique field it set (a pseudonym).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from collections.abc import Callable, Mapping, Sequence
from itertools import chain
from operator import itemgetter
from types import NoneType
from typing import Any

from django.db import connections, models
from django.utils import timezone

# Field classes (exactly these, not subclasses that may convert differently) whose database
# value is the Python value itself when it already has the given type.
_AS_IS: dict[type[models.Field[Any, Any]], type] = {
    models.CharField: str,
    models.TextField: str,
    models.BooleanField: bool,
    models.IntegerField: int,
    models.BigIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.SmallIntegerField: int,
    models.AutoField: int,
    models.BigAutoField: int,
    models.BinaryField: bytes,  # the drivers take bytes as they are (Django wraps them first)
}
_NOTHING = object()
_KEYS = (models.ForeignKey, models.OneToOneField)
_PLAIN_PRE_SAVE = {models.Field.pre_save, models.DateField.pre_save, models.DateTimeField.pre_save}


def _as_is_type(field: models.Field[Any, Any]) -> type | None:
    kind = _AS_IS.get(type(field))
    target = getattr(field, "target_field", None)
    if kind is None and type(field) in _KEYS and isinstance(target, models.Field):
        kind = _AS_IS.get(type(target))
    return kind


def _converter(field: models.Field[Any, Any], connection: Any) -> Callable[[Any], Any]:
    prep = field.get_db_prep_save
    if type(field) is models.DateField:
        adapt = connection.ops.adapt_datefield_value

        def date(value: Any) -> Any:  # what DateField.get_db_prep_save does with a date
            if value is None:
                return None
            return adapt(value) if type(value) is dt.date else prep(value, connection)

        return date
    if type(field) is models.UUIDField and not connection.features.has_native_uuid_field:

        def hex_text(value: Any) -> Any:  # what UUIDField stores where there is no uuid type
            return value.hex if type(value) is uuid.UUID else prep(value, connection)

        return hex_text
    last: list[Any] = [_NOTHING, None]  # one value shared by many rows (a batch's time)

    def converted(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, prep(value, connection)
        return last[1]

    return converted


def _defaults(
    fields: list[models.Field[Any, Any]], connection: Any
) -> tuple[dict[str, Any], dict[str, Any], list[tuple[str, Callable[[], Any]]]]:
    """(constant defaults, auto-timestamp values already converted, callable defaults) by
    attname, as ``Model(**row)`` then ``save`` would fill them."""
    now = timezone.now()
    defaults: dict[str, Any] = {}
    fixed: dict[str, Any] = {}  # auto_now / auto_now_add: the time of the call
    made: list[tuple[str, Callable[[], Any]]] = []  # callable defaults: one value per row
    for f in fields:
        if type(f).pre_save not in _PLAIN_PRE_SAVE and not hasattr(f, "seal_column"):
            raise TypeError(f"{f.model._meta.label}.{f.name} saves itself; use bulk_create")
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            fixed[f.attname] = f.get_db_prep_save(now, connection)
        elif f.has_default() and callable(f.default):
            made.append((f.attname, f.get_default))
        else:
            defaults[f.attname] = f.get_default()
    return defaults, fixed, made


def _complete(
    fields: list[models.Field[Any, Any]], rows: Sequence[Mapping[str, Any]], connection: Any
) -> tuple[list[dict[str, Any]], set[str]]:
    """Every row with every field, as ``Model(**row)`` then ``save`` would have it; and the
    auto-timestamp columns, whose values are already converted."""
    defaults, fixed, made = _defaults(fields, connection)
    complete = [{**defaults, **row, **fixed} for row in rows]
    for attname, make in made:
        for row, full in zip(rows, complete, strict=True):
            if attname not in row:
                full[attname] = make()
    return complete, set(fixed)


def _params(
    fields: list[models.Field[Any, Any]],
    rows: Sequence[Mapping[str, Any]],
    connection: Any,
    ready: Sequence[str] = (),
) -> list[Any]:
    """One sequence of database values per row, in ``fields`` order.

    Rows become tuples through C-level dict merges and an ``itemgetter``, then are converted
    column by column (``_converted``).
    """
    complete, converted = _complete(fields, rows, connection)
    if len(fields) == 1:
        table: list[Any] = [[full[fields[0].attname]] for full in complete]
    else:
        table = list(map(itemgetter(*(f.attname for f in fields)), complete))
    return _converted(fields, table, {*converted, *ready}, connection)


def _converted(
    fields: list[models.Field[Any, Any]], table: list[Any], done: set[str], connection: Any
) -> list[Any]:
    """A column is converted value by value only when it holds values the field would convert
    (dates, enum members, UUIDs…), and then exactly as the field converts them; the columns
    in ``done`` (attnames) already hold database values."""
    for index, f in enumerate(fields):
        seal = getattr(f, "seal_column", None)
        if seal is not None:  # a value encrypted per row (``candor.privacy.fields``)
            if table and isinstance(table[0], tuple):
                table = [list(values) for values in table]
            seal(fields, table, index)
            continue
        kind = _as_is_type(f)
        if f.attname in done or (
            kind is not None and set(map(type, map(itemgetter(index), table))) <= {kind, NoneType}
        ):
            continue  # every value already is what the database gets
        if isinstance(table[0], tuple):
            table = [list(values) for values in table]
        convert = _converter(f, connection)
        for values in table:
            value = values[index]
            if kind is None or (value is not None and type(value) is not kind):
                values[index] = convert(value)
    return table


def _params_from_tuples(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    connection: Any,
    ready: Sequence[str] = (),
) -> tuple[list[models.Field[Any, Any]], list[Any]] | None:
    """(fields, database values) for rows given as values in ``columns`` order, the other
    fields taking their defaults; None when a missing field has a callable default (one value
    per row: the caller goes through mappings instead)."""
    meta = model._meta
    by_attname = {f.attname: f for f in meta.concrete_fields}
    given = [by_attname[name] for name in columns]
    pk = meta.pk
    rest = [
        f
        for f in meta.concrete_fields
        if f.attname not in columns and not (f is pk and getattr(pk, "db_returning", False))
    ]
    defaults, fixed, made = _defaults(rest, connection)
    if made:
        return None
    # The same default in every row: converted once here, not once per row (an encrypted
    # field's is sealed per row, with the row's person key, by ``_converted``).
    constant: set[str] = set()
    tail: list[Any] = []
    for f in rest:
        value = fixed.get(f.attname, defaults.get(f.attname))
        if not hasattr(f, "seal_column"):
            constant.add(f.attname)
            if f.attname not in fixed:  # auto timestamps are converted already
                value = f.get_db_prep_save(value, connection)
        tail.append(value)
    table = [(*row, *tail) for row in rows] if tail else [tuple(row) for row in rows]
    fields = given + rest
    return fields, _converted(fields, table, {*constant, *ready}, connection)


def insert_rows(
    model: type[models.Model],
    rows: Sequence[Mapping[str, Any]] | Sequence[Sequence[Any]],
    *,
    columns: Sequence[str] | None = None,
    using: str = "default",
    ready: Sequence[str] = (),
) -> None:
    """INSERT ``rows`` (field attnames → values, e.g. ``person_id``) as new rows of ``model``.

    With ``columns`` (attnames), each row is instead a sequence of values in that order: the
    batch writers build them so, with no mapping per row. An automatic primary key is left to
    the database unless every row gives it. ``ready``: columns (with ``columns`` only) whose
    values already are what the database stores (JSON text the caller serialised, say), passed
    on unconverted. Run it inside the caller's transaction, like ``bulk_create``.
    """
    if not rows:
        return
    connection = connections[using]
    meta = model._meta
    names = set(columns) if columns is not None else set(rows[0])
    unknown = names - {f.attname for f in meta.concrete_fields}
    if unknown:  # a misspelt column would otherwise be dropped silently
        raise TypeError(f"{meta.label} has no column(s) {', '.join(sorted(unknown))}")
    built = None
    if ready and (columns is None or not set(ready) <= set(columns)):
        raise TypeError("ready columns must be among the columns given")
    if columns is not None:
        built = _params_from_tuples(model, columns, rows, connection, ready)  # type: ignore[arg-type]
        if built is None:
            rows = [dict(zip(columns, row, strict=True)) for row in rows]
    if built is not None:
        fields, params = built
    else:
        mappings: Sequence[Mapping[str, Any]] = rows  # type: ignore[assignment]
        pk = meta.pk
        numbered_by_db = (
            pk is not None
            and getattr(pk, "db_returning", False)
            and not all(row.get(pk.attname) is not None for row in mappings)
        )
        fields = [f for f in meta.concrete_fields if not (numbered_by_db and f is pk)]
        params = _params(fields, mappings, connection, ready)

    quote = connection.ops.quote_name
    sql_columns = ", ".join(quote(str(f.column)) for f in fields)
    target = f"{quote(str(meta.db_table))} ({sql_columns})"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {target} FROM STDIN") as copy,
            ):
                for values in params:
                    copy.write_row(values)
        else:
            _insert_sqlite(connection, cursor.cursor, target, len(fields), params)


ROWS_PER_STATEMENT = 1000  # SQLite: rows in one INSERT, fewer if its parameter limit is lower


def _insert_sqlite(
    connection: Any, cursor: Any, target: str, width: int, params: Sequence[Sequence[Any]]
) -> None:
    """INSERT the rows several hundred per statement. SQLite runs a statement's program once
    per execution, opening the table and each of its indexes and, with AUTOINCREMENT, reading
    and writing the table's counter: once per row through ``executemany``, once per few
    hundred rows here (half of the inserts' cost for a new candidate's 14 rows). Full chunks
    share one statement text, which the driver prepares once and keeps."""
    per = max(1, min(ROWS_PER_STATEMENT, connection.features.max_query_params // width))
    one = "(" + ", ".join(["?"] * width) + ")"

    def statement(rows: int) -> str:
        return f"INSERT INTO {target} VALUES " + ", ".join([one] * rows)  # noqa: S608

    full = statement(per)
    # The driver's own ``execute``: Django's cursor would search the whole text for ``%s``
    # placeholders to rewrite, thousands of characters per statement.
    execute = sqlite3.Cursor.execute
    with connection.wrap_database_errors:
        for start in range(0, len(params), per):
            chunk = params[start : start + per]
            sql = full if len(chunk) == per else statement(len(chunk))
            execute(cursor, sql, list(chain.from_iterable(chunk)))


class RowPreparer:
    """Turns rows of ``model`` (values in ``columns`` order) into what the database stores, value
    by value as ``insert_rows`` would, for a caller that builds rows ahead of the insert (an
    import's reading process) and inserts them with ``ready=preparer.ready``: dates, UUIDs and
    the like are converted; text, number and boolean columns are checked to hold exactly
    their type (or None) and converted where they do not, so ``insert_rows`` need not check
    them again. Only an encrypted column (``seal_column``) is left to ``insert_rows``. Needs no
    database connection."""

    def __init__(self, model: type[models.Model], columns: Sequence[str], using: str = "default"):
        connection = connections[using]
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        self.steps: list[tuple[int, Callable[[Any], Any]]] = []
        plain: list[tuple[int, type, Callable[[Any], Any]]] = []
        ready = []
        for index, name in enumerate(columns):
            f = by_attname[name]
            if hasattr(f, "seal_column"):
                continue
            ready.append(name)
            kind = _as_is_type(f)
            if kind is None:
                self.steps.append((index, _converter(f, connection)))
            else:
                plain.append((index, kind, _converter(f, connection)))
        self.ready = tuple(ready)
        self._plain = plain
        # One C-level comparison per row: the types of the plain columns, as they should be.
        self._kinds = tuple(kind for _i, kind, _c in plain)
        indexes = [index for index, _k, _c in plain]
        self._pick: Callable[[Sequence[Any]], Sequence[Any]] | None
        if indexes == list(range(len(columns))):
            self._pick = None  # every column is plain: the row itself
        elif len(indexes) == 1:
            self._pick = lambda row, i=indexes[0]: (row[i],)
        else:
            self._pick = itemgetter(*indexes) if indexes else lambda row: ()

    def __call__(self, values: Sequence[Any]) -> tuple[Any, ...]:
        if self.steps:
            row: Sequence[Any] = list(values)
            for index, convert in self.steps:
                value = row[index]
                if value is not None:
                    row[index] = convert(value)  # type: ignore[index]
        else:
            row = values
        plain = row if self._pick is None else self._pick(row)
        if tuple(map(type, plain)) != self._kinds:  # a None, or a value of another type
            row = list(row)
            for index, kind, convert in self._plain:
                value = row[index]
                if value is not None and type(value) is not kind:
                    row[index] = convert(value)
        return row if type(row) is tuple else tuple(row)
