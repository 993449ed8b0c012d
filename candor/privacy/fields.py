"""Model fields whose values are stored encrypted with the person's key (see ``crypto``).

``EncryptedTextField``, ``EncryptedDateField`` and ``EncryptedDecimalField`` behave like their
plain Django parents for forms, validation and Python code (the model attribute holds the plain
value), but the column is text holding a token. The value is encrypted in ``pre_save`` (which
``save()`` and ``bulk_create`` both call) with the key of the row's subject (the registry's
``subject`` path), and decrypted in ``from_db_value``, so ``values()``/``values_list()`` give
plain values too. ``bulk_update`` works through ``EncryptedQuerySet`` (the models' manager).

What the database can no longer do with these columns: filter, compare or sort on them. A lookup
other than ``isnull`` (or equality with the empty value) raises ``FieldError`` naming the field,
so code that tried is found by its tests, not by wrong results. Filter in Python after narrowing
on a clear column (``name_key``, ``person``...).

Empty values (``None``, ``""``) are stored as such: whether a value exists is not secret here.

When you add an encrypted field: register it ``sensitive=True`` in the registry (the registry
check fails otherwise), make sure the model's ``subject`` path reaches the person, give the model
``objects = EncryptedManager()`` if anything ``bulk_update``s it, and write a migration that
changes the column to text and encrypts the existing rows (``encrypt_existing``).
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import FieldError
from django.db import models, transaction
from django.db.models import Value

from candor.privacy import crypto

ALLOWED_LOOKUPS = {"isnull", "exact", "in"}


class EncryptedMixin:
    """What the encrypted fields share; ``plain`` turns stored text back into a Python value."""

    encrypted = True

    def get_internal_type(self) -> str:
        return "TextField"

    def db_type(self, connection: Any) -> str | None:
        return connection.data_types["TextField"]

    def rel_db_type(self, connection: Any) -> str | None:  # pragma: no cover - never a target
        return connection.data_types["TextField"]

    @property
    def context(self) -> str:
        return f"{self.model._meta.db_table}.{self.column}"  # type: ignore[attr-defined]

    def to_text(self, value: Any) -> str:
        return str(value)

    def plain(self, text: str) -> Any:
        return self.to_python(text)  # type: ignore[attr-defined]

    def empty(self) -> Any:
        return None

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)  # type: ignore[attr-defined]
        return self.seal_for(model_instance, value, add=add)

    def seal_for(self, instance: models.Model, value: Any, *, add: bool = False) -> Any:
        if value is None or value == "" or crypto.is_token(value):
            return value
        text = self.to_text(self.to_python(value))  # type: ignore[attr-defined]
        if not crypto.encryption_enabled():
            return text
        new_person = add and getattr(instance._meta, "label_lower", "") == "people.person"
        return crypto.seal(
            text,
            context=self.context,
            pseudonym=crypto.subject_pseudonym(instance),
            new_person=new_person,
        )

    def seal_column(self, fields: Sequence[Any], table: list[Any], index: int) -> None:
        """Encrypt column ``index`` of rows about to be inserted without model instances
        (``candor.core.bulk.insert_rows``): each value with the key of its row's person, found
        from the row's own pseudonym (a Person) or its first foreign key on the subject path."""
        from candor.privacy.registry import declaration_for

        declaration = declaration_for(self.model)  # type: ignore[attr-defined]
        path = declaration.subject if declaration is not None else None
        if path is None:
            raise FieldError(f"{self.context}: encrypted, but no subject path in the registry")
        first, _, rest = path.partition("__")
        names = [f.name for f in fields]
        source = names.index("pseudonym" if path == "" else first)
        related = None if path == "" else self.model._meta.get_field(first).related_model  # type: ignore[attr-defined]
        enabled = crypto.encryption_enabled()
        if related is None and enabled:
            # new people: their keys in one statement per 1,000 (the ones that exist, read first)
            fresh = [
                ref if isinstance(ref, uuid.UUID) else uuid.UUID(str(ref))
                for values in table
                if (ref := values[source]) is not None
                and values[index] not in (None, "")
                and not crypto.is_token(values[index])
            ]
            ciphers = crypto.keys_load(fresh)
            ciphers.update(
                crypto.keys_create([p for p in dict.fromkeys(fresh) if p not in ciphers])
            )
            context = self.context
            for values in table:
                value = values[index]
                if value is None or value == "" or crypto.is_token(value):
                    continue
                ref = values[source]
                pseudonym = ref if isinstance(ref, uuid.UUID) else uuid.UUID(str(ref))
                text = self.to_text(self.to_python(value))  # type: ignore[attr-defined]
                values[index] = crypto.seal_with(ciphers[pseudonym], text, context, pseudonym)
            return
        for values in table:
            value = values[index]
            if value is None or value == "" or crypto.is_token(value):
                continue
            text = self.to_text(self.to_python(value))  # type: ignore[attr-defined]
            if not enabled:
                values[index] = text
                continue
            ref = values[source]
            if related is None:
                pseudonym = ref if isinstance(ref, uuid.UUID) else uuid.UUID(str(ref))
            else:
                pseudonym = crypto.subject_of(related, ref, rest)
            values[index] = crypto.seal(
                text, context=self.context, pseudonym=pseudonym, new_person=related is None
            )

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value if value is None else self.empty_text()
        if isinstance(value, str) and value.startswith(crypto.PREFIX) and crypto.is_token(value):
            text = crypto.unseal(value, context=self.context)
            return self.empty() if text is None else self.plain(text)
        return self.plain(str(value))  # written before encryption, or with encryption off

    def empty_text(self) -> Any:
        return self.empty()

    def get_prep_value(self, value: Any) -> Any:
        if value is None or hasattr(value, "resolve_expression") or value == "":
            return value  # expressions (Case of tokens from bulk_update, Value, F) pass
        if isinstance(value, str) and crypto.is_token(value):
            return value
        if not crypto.encryption_enabled():
            return self.to_text(self.to_python(value))  # type: ignore[attr-defined]
        raise FieldError(
            f"{self.context} is encrypted with its person's key: the database cannot compare, "
            "filter or update it with a plain value; save the model instead"
        )

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        return value if prepared else self.get_prep_value(value)

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        return self.get_db_prep_value(value, connection)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in ALLOWED_LOOKUPS:
            raise FieldError(
                f"{self.context} is encrypted: it cannot be searched with '{lookup_name}'"
            )
        return super().get_lookup(lookup_name)  # type: ignore[misc]

    def get_transform(self, lookup_name: str) -> Any:
        raise FieldError(f"{self.context} is encrypted: no '{lookup_name}' on it")


class EncryptedTextField(EncryptedMixin, models.TextField):
    def empty(self) -> Any:
        return ""

    def plain(self, text: str) -> Any:
        return text


class EncryptedDateField(EncryptedMixin, models.DateField):
    def to_text(self, value: Any) -> str:
        return value.isoformat() if isinstance(value, dt.date) else str(value)

    def plain(self, text: str) -> Any:
        return dt.date.fromisoformat(text[:10])

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        # DateField.pre_save handles auto_now; an encrypted date never has it.
        return EncryptedMixin.pre_save(self, model_instance, add)


class EncryptedDecimalField(EncryptedMixin, models.DecimalField):  # type: ignore[misc]
    """Values come back with the field's decimal places, as from a ``numeric`` column."""

    def _quantized(self, value: decimal.Decimal) -> decimal.Decimal:
        return value.quantize(decimal.Decimal(1).scaleb(-(self.decimal_places or 0)))

    def to_text(self, value: Any) -> str:
        return str(self._quantized(decimal.Decimal(value)))

    def plain(self, text: str) -> Any:
        return self._quantized(decimal.Decimal(text))

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        return self.get_db_prep_value(value, connection)


class NewPersonSealer:
    """Encrypts, ahead of the insert, the encrypted columns of a new person's row with a key
    made for them (``crypto.KeyMaker``): no database needed, so an import's reading process
    does it beside the writer. ``columns`` are the row's attnames in order; the caller
    inserts the key ``seal`` returns (``crypto.keys_store``) with the row, in one transaction.
    ``bulk.insert_rows`` leaves values that already are tokens as they are."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        self.sealed: list[tuple[int, Any]] = [
            (i, by_attname[name])
            for i, name in enumerate(columns)
            if hasattr(by_attname[name], "seal_column")
        ]
        self.maker: crypto.KeyMaker | None = None
        if self.sealed and crypto.encryption_enabled():
            self.maker = crypto.KeyMaker()

    def seal(self, values: list[Any], pseudonym: uuid.UUID) -> tuple[str, bytes] | None:
        """Seal ``values`` in place; the person's stored key, or None when no value needed one
        (no key is made for a person with nothing encrypted, as ``seal_column`` does) or
        encryption is off (``seal_column`` then stores the plain text)."""
        if self.maker is None:
            return None
        cipher = stored = None
        for index, f in self.sealed:
            value = values[index]
            if value is None or value == "":
                continue
            if cipher is None:
                cipher, stored = self.maker.new(pseudonym)
            text = f.to_text(f.to_python(value))
            values[index] = crypto.seal_with(cipher, text, f.context, pseudonym)
        return stored


def encrypted_fields(model: type[models.Model]) -> list[Any]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedMixin)]


class EncryptedQuerySet(models.QuerySet[Any]):
    """``bulk_update`` encrypts what it writes: Django's reads the plain attribute, so each
    encrypted value is handed over as a ready token and the attribute restored afterwards."""

    def bulk_update(
        self, objs: Iterable[Any], fields: Iterable[str], batch_size: int | None = None
    ) -> int:
        objs, fields = list(objs), list(fields)
        sealed = [
            f for f in encrypted_fields(self.model) if f.name in fields or f.attname in fields
        ]
        if not sealed or not objs:
            return super().bulk_update(objs, fields, batch_size=batch_size)
        kept: list[tuple[models.Model, str, Any]] = []
        try:
            for obj in objs:
                for f in sealed:
                    value = getattr(obj, f.attname)
                    kept.append((obj, f.attname, value))
                    setattr(
                        obj,
                        f.attname,
                        Value(f.seal_for(obj, value), output_field=models.TextField()),
                    )
            return super().bulk_update(objs, fields, batch_size=batch_size)
        finally:
            for obj, attname, value in kept:
                setattr(obj, attname, value)

    def update(self, **kwargs: Any) -> int:
        """An update that writes a plain value into an encrypted field saves row by row (each
        row has its own person's key); other updates stay one statement."""
        names = {f.name for f in encrypted_fields(self.model)} | {
            f.attname for f in encrypted_fields(self.model)
        }
        sealed = {
            k: v
            for k, v in kwargs.items()
            if k in names
            and v is not None
            and v != ""
            and not crypto.is_token(v)
            and not hasattr(v, "resolve_expression")
        }
        if not sealed:
            return super().update(**kwargs)
        rest = {k: v for k, v in kwargs.items() if k not in sealed}
        with transaction.atomic(using=self.db):
            pks = list(self.values_list("pk", flat=True))
            base = self.model._base_manager.using(self.db)
            if rest:
                base.filter(pk__in=pks).update(**rest)
            for obj in base.filter(pk__in=pks):
                for k, v in sealed.items():
                    setattr(obj, k, v)
                obj.save(update_fields=list(sealed))
        return len(pks)


class EncryptedManager(models.Manager.from_queryset(EncryptedQuerySet)):  # type: ignore[misc]
    pass


def encrypt_existing(app_label: str, model_name: str, names: Sequence[str]) -> Any:
    """A ``RunPython`` pair for a migration that turned ``names`` into encrypted fields: the
    rows written before (their column now holds the plain text) are encrypted, each with its
    person's key; backwards, the plain text is written back so the column can change type again."""

    def rows(apps: Any) -> tuple[type[models.Model], Any]:
        model = apps.get_model(app_label, model_name)
        filled = models.Q()
        for name in names:
            filled |= models.Q(**{f"{name}__isnull": False}) & ~models.Q(**{name: ""})
        return model, model._base_manager.filter(filled).order_by("pk")

    def forwards(apps: Any, schema_editor: Any) -> None:
        _model, qs = rows(apps)
        for obj in qs.iterator(chunk_size=500):
            obj.save(update_fields=list(names))

    def backwards(apps: Any, schema_editor: Any) -> None:
        model, qs = rows(apps)
        for obj in qs.iterator(chunk_size=500):
            plain = {}
            for name in names:
                f = model._meta.get_field(name)
                value = getattr(obj, name)
                text = None if value is None else f.to_text(value)  # type: ignore[union-attr]
                plain[name] = Value(text, output_field=models.TextField())
            model._base_manager.filter(pk=obj.pk).update(**plain)

    return forwards, backwards
