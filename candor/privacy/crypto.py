"""Encryption at rest with a key per person, for crypto-shredding (DESIGN "beyond", R7.1).

Key hierarchy:

- **Master keys** come from the environment, never from the database: ``CANDOR_MASTER_KEYS``
  (``id1:base64key,id2:base64key``; the first is current, the others only unwrap) or
  ``CANDOR_MASTER_KEY`` (one base64 key, id ``main``); each may also be given as ``NAME_FILE``.
  Keys are 32 random bytes, base64-encoded (``openssl rand -base64 32``).
  Outside production a development key derived from ``SECRET_KEY`` is used when none is set.
- **Person keys**: one random AES-256 key per person (``privacy.PersonKey``, keyed by the
  person's pseudonym), stored wrapped (AES-256-GCM) by a master key. ``candor keys rotate``
  re-wraps them under the current master key without touching any data.
- **Values**: a field registered ``sensitive=True`` is stored as a token
  ``enc:v1:<pseudonym hex>:<base64url(nonce || ciphertext)>``, AES-256-GCM under the person's
  key, with ``table.column`` and the pseudonym as associated data: a token copied to another
  column or re-labelled with another person's pseudonym does not decrypt.

Erasure deletes the person's key row (``keys_destroy``): every token and stored document of that
person, in the database and in every backup, is from then on ciphertext without a key. Reading a
token whose key is gone gives ``None`` (the fields turn it into their empty value), never an
exception.

Caches: unwrapped keys are kept in memory per process (bounded). A key created or read inside a
transaction is trusted only while no savepoint has rolled back since, and joins the process
cache only when the transaction commits (a rolled-back key is never reused);
the person id → pseudonym lookups of related rows are cached for one transaction only, because
ids can be reused after a rollback or a restore.

When you add an encrypted field: see ``candor.privacy.fields``.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections, models

from candor.core import clock
from candor.core.env import ConfigurationError, env_secret, env_str

log = logging.getLogger(__name__)

TOKEN = re.compile(r"^enc:v1:([0-9a-f]{32}):([A-Za-z0-9_-]+)$")
PREFIX = "enc:v1:"
NONCE = 12
CACHE_MAX = 50_000  # unwrapped keys kept per process (32 bytes each plus the cipher object)
LOOKUP_RANGE = 256  # ids read around a missing one: imports and lists read neighbours next
KEY_WINDOW = 128  # keys read with a missing one, in creation order (see ``key_for``)
DEV_KEY_ID = "dev"


# --- master keys -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MasterKeys:
    current: str
    keys: dict[str, bytes]


def _decode_key(key_id: str, text: str) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except ValueError:
        raise ConfigurationError(f"master key {key_id!r} is not valid base64") from None
    if len(raw) != 32:
        raise ConfigurationError(f"master key {key_id!r} must be 32 bytes, it is {len(raw)}")
    return raw


def configured_master_keys() -> MasterKeys | None:
    """The master keys the environment names, or None; ``ConfigurationError`` when malformed."""
    listed = env_secret("CANDOR_MASTER_KEYS", default="")
    if listed.strip():
        keys: dict[str, bytes] = {}
        for item in listed.split(","):
            key_id, sep, text = item.strip().partition(":")
            if not sep or not re.fullmatch(r"[A-Za-z0-9_.-]{1,40}", key_id):
                raise ConfigurationError(
                    "CANDOR_MASTER_KEYS must read id1:base64key,id2:base64key "
                    "(ids of letters, digits, '_', '.', '-')"
                )
            if key_id in keys:
                raise ConfigurationError(f"CANDOR_MASTER_KEYS names {key_id!r} twice")
            keys[key_id] = _decode_key(key_id, text)
        return MasterKeys(current=next(iter(keys)), keys=keys)
    single = env_secret("CANDOR_MASTER_KEY", default="")
    if single.strip():
        return MasterKeys(current="main", keys={"main": _decode_key("main", single)})
    return None


def master_keys() -> MasterKeys:
    """The master keys in force. In production a missing key is a configuration error; elsewhere
    a development key derived from ``SECRET_KEY`` stands in (never valid in production)."""
    found = configured_master_keys()
    if found is not None:
        return found
    if settings.PRODUCTION:
        raise ImproperlyConfigured(
            "CANDOR_MASTER_KEY (or CANDOR_MASTER_KEYS) must be set in production: it protects "
            "the per-person keys of the encrypted personal data."
        )
    dev = hashlib.sha256(b"candor-development-master-key:" + settings.SECRET_KEY.encode())
    return MasterKeys(current=DEV_KEY_ID, keys={DEV_KEY_ID: dev.digest()})


def master_key_problems() -> list[str]:
    """What is wrong with the encryption configuration for production (for ``check --deploy``
    and start-up); an empty list when it is sound."""
    problems = []
    try:
        found = configured_master_keys()
    except ConfigurationError as exc:
        return [str(exc)]
    if found is None and settings.PRODUCTION:
        problems.append(
            "CANDOR_MASTER_KEY (or CANDOR_MASTER_KEYS) is not set: personal data cannot be "
            "encrypted. Generate 32 random bytes, base64-encoded, and keep them outside the "
            "database and its backups."
        )
    if not encryption_enabled() and settings.PRODUCTION:
        problems.append("CANDOR_ENCRYPTION=off is for benchmarks only, never for production.")
    return problems


def encryption_enabled() -> bool:
    """``CANDOR_ENCRYPTION=off`` stores sensitive fields as plain text: the plain path of
    ``bench/encryption_cost.py``, nothing else. Values already encrypted still decrypt."""
    return env_str("CANDOR_ENCRYPTION", "on").strip().lower() not in {"off", "0", "false", "no"}


def _wrap_aad(pseudonym: uuid.UUID) -> bytes:
    return b"candor:personkey:" + pseudonym.bytes


def wrap(
    data_key: bytes, pseudonym: uuid.UUID, masters: MasterKeys, *, master: AESGCM | None = None
) -> tuple[str, bytes]:
    """``master``: the current master key's cipher, when the caller wraps many keys."""
    nonce = os.urandom(NONCE)
    master = master or AESGCM(masters.keys[masters.current])
    sealed = master.encrypt(nonce, data_key, _wrap_aad(pseudonym))
    return masters.current, nonce + sealed


class KeyMaker:
    """New person keys in numbers (an import's reading process makes one per new person): the
    master key is read and its cipher built once. Each ``new`` gives the person's cipher and
    the key's stored form, (master key id, wrapped key), for ``keys_store``."""

    def __init__(self) -> None:
        self.masters = master_keys()
        self.master = AESGCM(self.masters.keys[self.masters.current])

    def new(self, pseudonym: uuid.UUID) -> tuple[AESGCM, tuple[str, bytes]]:
        data_key = AESGCM.generate_key(bit_length=256)
        return AESGCM(data_key), wrap(data_key, pseudonym, self.masters, master=self.master)


def unwrap(key_id: str, wrapped: bytes, pseudonym: uuid.UUID, masters: MasterKeys) -> bytes:
    master = masters.keys.get(key_id)
    if master is None:
        raise ImproperlyConfigured(
            f"a person key is wrapped by master key {key_id!r}, which is not configured; add it "
            "to CANDOR_MASTER_KEYS (after the current one) until `candor keys rotate` has run"
        )
    wrapped = bytes(wrapped)
    return AESGCM(master).decrypt(wrapped[:NONCE], wrapped[NONCE:], _wrap_aad(pseudonym))


# --- the caches --------------------------------------------------------------------------------

_keys: dict[uuid.UUID, AESGCM] = {}  # committed keys, per process
_local = threading.local()


@dataclass(slots=True, eq=False)
class _Txn:
    """What is cached for one transaction: keys it created, subject lookups it made."""

    index: int = -1
    done: bool = False
    # key → (cipher, where its on-commit callback sits): trusted while that callback is still
    # pending as registered (Django rebuilds the list when a savepoint rolls back)
    keys: dict[uuid.UUID, tuple[AESGCM, tuple[int, Any]]] = field(default_factory=dict)
    pseudonyms: dict[tuple[str, str, Any], uuid.UUID] = field(default_factory=dict)

    def committed(self) -> None:
        self.done = True

    def alive(self, conn: Any) -> bool:
        # Django drops on-commit callbacks of a rolled-back savepoint or transaction: when ours
        # is no longer where we put it, what this transaction created may be gone.
        pending = conn.run_on_commit
        return (
            not self.done
            and conn.in_atomic_block
            and 0 <= self.index < len(pending)
            and getattr(pending[self.index][1], "__self__", None) is self
        )


def _txn(create: bool = True) -> _Txn | None:
    conn = connections[DEFAULT_DB_ALIAS]
    if not conn.in_atomic_block:
        return None
    txn: _Txn | None = getattr(_local, "txn", None)
    if txn is not None and txn.alive(conn):
        return txn
    if not create:
        return None
    txn = _Txn()
    conn.on_commit(txn.committed)
    txn.index = len(conn.run_on_commit) - 1
    _local.txn = txn
    return txn


def _remember(keys: dict[uuid.UUID, AESGCM]) -> None:
    """Cache keys for the process: at once outside a transaction, else when (and only if) the
    part of the transaction that created or read them commits."""
    if not keys:
        return
    txn = _txn()
    if txn is None:
        if len(_keys) + len(keys) > CACHE_MAX:
            _keys.clear()
        _keys.update(keys)
        return
    conn = connections[DEFAULT_DB_ALIAS]
    kept = dict(keys)
    conn.on_commit(lambda: _remember(kept))
    marker = (len(conn.run_on_commit) - 1, conn.run_on_commit[-1])
    for p, cipher in keys.items():
        txn.keys[p] = (cipher, marker)


def forget(pseudonyms: Iterable[uuid.UUID]) -> None:
    """Drop keys from the caches (erasure, restore)."""
    txn = getattr(_local, "txn", None)
    for p in pseudonyms:
        _keys.pop(p, None)
        if txn is not None:
            txn.keys.pop(p, None)


def forget_all() -> None:
    _keys.clear()
    _local.txn = None


# --- person keys -------------------------------------------------------------------------------


def _person_key_model() -> type[models.Model]:
    from candor.privacy.models import PersonKey

    return PersonKey


def _cached(pseudonym: uuid.UUID) -> AESGCM | None:
    found = _keys.get(pseudonym)
    if found is not None:
        return found
    txn = _txn(create=False)
    if txn is None or (entry := txn.keys.get(pseudonym)) is None:
        return None
    cipher, (index, registered) = entry
    pending = connections[DEFAULT_DB_ALIAS].run_on_commit
    return cipher if index < len(pending) and pending[index] is registered else None


def keys_load(pseudonyms: Iterable[uuid.UUID]) -> dict[uuid.UUID, AESGCM]:
    """The keys of these people that exist, read in one query per 900 and cached."""
    found: dict[uuid.UUID, AESGCM] = {}
    wanted = []
    for p in dict.fromkeys(pseudonyms):
        cached = _cached(p)
        if cached is None:
            wanted.append(p)
        else:
            found[p] = cached
    if wanted:
        masters = master_keys()
        model = _person_key_model()
        loaded: dict[uuid.UUID, AESGCM] = {}
        for start in range(0, len(wanted), 900):
            rows = model._base_manager.filter(pseudonym__in=wanted[start : start + 900])
            for p, key_id, wrapped in rows.values_list("pseudonym", "master_key_id", "wrapped"):
                loaded[p] = AESGCM(unwrap(key_id, wrapped, p, masters))
        _remember(loaded)
        found.update(loaded)
    return found


def key_for(pseudonym: uuid.UUID) -> AESGCM | None:
    """The person's key, or None when it does not exist (never created, or destroyed).

    A miss also reads the keys created just before and after this one (``KEY_WINDOW`` rows each
    way, in key order): people are mostly read near the order they were written (an import's
    re-run, a list, a batch), so one query then serves the next rows instead of one each."""
    cached = _cached(pseudonym)
    if cached is not None:
        return cached
    model = _person_key_model()
    found_pk = model._base_manager.filter(pseudonym=pseudonym).values_list("pk", flat=True)
    pk = next(iter(found_pk), None)
    if pk is None:
        return None
    rows = model._base_manager.filter(pk__gte=pk - KEY_WINDOW, pk__lte=pk + KEY_WINDOW).values_list(
        "pseudonym", "master_key_id", "wrapped"
    )
    masters = master_keys()
    found = {p: AESGCM(unwrap(key_id, wrapped, p, masters)) for p, key_id, wrapped in rows}
    _remember(found)
    return found.get(pseudonym)


def key_ensure(pseudonym: uuid.UUID, *, new: bool = False) -> AESGCM:
    """The person's key, created when missing (``new``: the person is being inserted, so skip
    the read). One INSERT ... ON CONFLICT DO NOTHING per new person: two writers racing for the
    same person end up with the one key that reached the database."""
    if not new:
        found = key_for(pseudonym)
        if found is not None:
            return found
    elif (cached := _cached(pseudonym)) is not None:
        return cached
    model = _person_key_model()
    conn = connections[DEFAULT_DB_ALIAS]
    data_key = AESGCM.generate_key(bit_length=256)
    key_id, wrapped = wrap(data_key, pseudonym, master_keys())
    table = model._meta.db_table
    f = {field.name: field for field in model._meta.concrete_fields}.__getitem__
    params = [
        f("pseudonym").get_db_prep_save(pseudonym, conn),
        key_id,
        f("wrapped").get_db_prep_save(wrapped, conn),
        f("created_at").get_db_prep_save(clock.now(), conn),
    ]
    with conn.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (pseudonym, master_key_id, wrapped, created_at) "  # noqa: S608 - table name from the model
            "VALUES (%s, %s, %s, %s) ON CONFLICT (pseudonym) DO NOTHING",
            params,
        )
        inserted = cursor.rowcount == 1
    if not inserted:
        found = keys_load([pseudonym]).get(pseudonym)
        if found is None:  # pragma: no cover - the conflicting row vanished in between
            raise RuntimeError("person key disappeared while being created")
        return found
    cipher = AESGCM(data_key)
    _remember({pseudonym: cipher})
    return cipher


def keys_create(pseudonyms: list[uuid.UUID]) -> dict[uuid.UUID, AESGCM]:
    """Keys for people about to be inserted (bulk loaders): one multi-row INSERT (``COPY`` on
    PostgreSQL) for the lot, cached like ``key_ensure``'s; returns them."""

    if not pseudonyms:
        return {}
    maker = KeyMaker()
    made: dict[uuid.UUID, AESGCM] = {}
    rows = []
    for p in pseudonyms:
        made[p], stored = maker.new(p)
        rows.append((p, *stored))
    keys_store(rows)
    _remember(made)
    return made


def keys_store(rows: list[tuple[uuid.UUID, str, bytes]]) -> None:
    """Insert keys made by ``KeyMaker.new`` for people inserted in the same transaction:
    (pseudonym, master key id, wrapped key) each, one multi-row INSERT (``COPY`` on
    PostgreSQL). Their ciphers are not cached: they are read back when first needed."""
    from candor.core.bulk import insert_rows

    if rows:
        now = clock.now()
        insert_rows(
            _person_key_model(),
            [(*row, now) for row in rows],
            columns=["pseudonym", "master_key_id", "wrapped", "created_at"],
        )


def keys_destroy(pseudonyms: Iterable[uuid.UUID]) -> int:
    """Crypto-shredding: delete these people's keys (in the caller's transaction). Every value
    and document encrypted for them, wherever a copy lives, can no longer be read."""
    wanted = list(dict.fromkeys(pseudonyms))
    forget(wanted)
    deleted = 0
    model = _person_key_model()
    for start in range(0, len(wanted), 900):
        n, _ = model._base_manager.filter(pseudonym__in=wanted[start : start + 900]).delete()
        deleted += n
    return deleted


# --- values ------------------------------------------------------------------------------------


def _aad(context: str, pseudonym: uuid.UUID) -> bytes:
    return f"candor:v1:{context}:{pseudonym.hex}".encode()


def seal(plain: str, *, context: str, pseudonym: uuid.UUID, new_person: bool = False) -> str:
    """The token for ``plain`` under the person's key (created when missing)."""
    return seal_with(key_ensure(pseudonym, new=new_person), plain, context, pseudonym)


def seal_with(cipher: AESGCM, plain: str, context: str, pseudonym: uuid.UUID) -> str:
    nonce = os.urandom(NONCE)
    sealed = cipher.encrypt(nonce, plain.encode(), _aad(context, pseudonym))
    return (
        f"{PREFIX}{pseudonym.hex}:{base64.urlsafe_b64encode(nonce + sealed).decode().rstrip('=')}"
    )


def is_token(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX) and TOKEN.match(value) is not None


def token_pseudonym(token: str) -> uuid.UUID | None:
    m = TOKEN.match(token)
    return uuid.UUID(m.group(1)) if m else None


def unseal(token: str, *, context: str) -> str | None:
    """The plain text of a token, or None when the person's key is gone (erased) or the token
    does not belong here (copied from another column). Never raises for a well-formed token."""
    m = TOKEN.match(token)
    if m is None:
        raise ValueError("not an encrypted value")
    pseudonym = uuid.UUID(m.group(1))
    cipher = key_for(pseudonym)
    if cipher is None:
        return None
    raw = base64.urlsafe_b64decode(m.group(2) + "=" * (-len(m.group(2)) % 4))
    try:
        return cipher.decrypt(raw[:NONCE], raw[NONCE:], _aad(context, pseudonym)).decode()
    except InvalidTag:
        log.warning("an encrypted value in %s does not decrypt with its person's key", context)
        return None


def unseal_many(tokens: list[str], *, context: str) -> list[str | None]:
    """``unseal`` for many tokens of many people: their keys are read in one query per 900."""
    keys_load(p for t in tokens if (p := token_pseudonym(t)) is not None)
    return [unseal(t, context=context) if is_token(t) else t for t in tokens]


def seal_bytes(data: bytes, *, context: str, pseudonym: uuid.UUID) -> bytes:
    cipher = key_ensure(pseudonym)
    nonce = os.urandom(NONCE)
    return nonce + cipher.encrypt(nonce, data, _aad(context, pseudonym))


def unseal_bytes(data: bytes, *, context: str, pseudonym: uuid.UUID) -> bytes | None:
    cipher = key_for(pseudonym)
    if cipher is None:
        return None
    try:
        return cipher.decrypt(data[:NONCE], data[NONCE:], _aad(context, pseudonym))
    except InvalidTag:
        log.warning("an encrypted file %s does not decrypt with its person's key", context)
        return None


# --- whose key: the row's subject --------------------------------------------------------------


def subject_pseudonym(instance: models.Model) -> uuid.UUID:
    """The pseudonym of the person a row is about, following the registry's ``subject`` path
    through related objects already loaded, else with one query per ``LOOKUP_RANGE`` ids."""
    from candor.privacy.registry import declaration_for

    declaration = declaration_for(type(instance))
    if declaration is None or declaration.subject is None:
        raise ImproperlyConfigured(
            f"{type(instance).__name__} has encrypted fields but no subject path in the registry"
        )
    return _walk(instance, declaration.subject)


def _walk(obj: Any, path: str) -> uuid.UUID:
    while path:
        first, _, rest = path.partition("__")
        f = obj._meta.get_field(first)
        if f.is_cached(obj):
            obj, path = getattr(obj, first), rest
            continue
        return _lookup(f.related_model, getattr(obj, f.attname), rest)
    value = obj.pseudonym
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def subject_of(model: type[models.Model], pk: Any, rest: str) -> uuid.UUID:
    """The pseudonym reached from row ``pk`` of ``model`` along ``rest`` (``""``: a Person)."""
    return _lookup(model, pk, rest)


def _lookup(model: type[models.Model], pk: Any, rest: str) -> uuid.UUID:
    label = model._meta.label_lower
    txn = _txn()
    if txn is not None and (found := txn.pseudonyms.get((label, rest, pk))) is not None:
        return found
    target = f"{rest}__pseudonym" if rest else "pseudonym"
    rows = model._base_manager.order_by()
    if isinstance(pk, int):
        rows = rows.filter(pk__gte=pk, pk__lt=pk + LOOKUP_RANGE)
    else:
        rows = rows.filter(pk=pk)
    pairs = dict(rows.values_list("pk", target))
    if txn is not None:
        txn.pseudonyms.update({(label, rest, k): v for k, v in pairs.items() if v is not None})
    if pairs.get(pk) is None:
        raise ImproperlyConfigured(f"{label} {pk}: no person to encrypt for")
    return pairs[pk]
