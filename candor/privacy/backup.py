"""Backups and restores that keep erasures erased (R7.1, DESIGN "erasure that reaches backups").

A backup is one tar file:

- ``manifest.json``: when, database vendor, applied migrations, audit chain head, how many
  lines the erasure journal had and how many person keys existed;
- ``database.sqlite3`` (SQLite's online backup API, a consistent copy of the live database) or
  ``database.pgdump`` (``pg_dump -Fc``, one consistent snapshot);
- ``media/``: the stored files as they are on disk (a person's documents are encrypted).

``backup_restore`` puts the database and the files back, applies migrations the code has
since gained, then re-applies the erasure journal (``candor.privacy.journal``): every person
erased since the backup (or ever) who is back in the restored database is erased again, keys
included, with an audit event, before the restore marker is removed and the site serves again.

What to add here when you add a store of personal data outside the database and ``MEDIA_ROOT``:
back it up in the archive and restore it, or explain in docs/security.md why not.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.migrations.recorder import MigrationRecorder

from candor.audit.models import AuditHead
from candor.audit.services import audit_record
from candor.core import clock
from candor.core.actor import Actor
from candor.people.models import Person
from candor.privacy import crypto
from candor.privacy.erasure import people_erase
from candor.privacy.journal import (
    journal_entries,
    journal_size,
    restore_mark,
    restore_pending,
    restore_unmark,
)
from candor.privacy.models import PersonKey

FORMAT = "candor-backup/1"
DUMPS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(RuntimeError):
    """A backup or restore cannot go on; the message says why and what to do."""


@dataclass(slots=True)
class RestoreReport:
    manifest: dict[str, Any]
    journaled: int = 0
    erased_again: list[str] = field(default_factory=list)
    keys_destroyed: int = 0


def _pg_env(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = []
    if settings_dict.get("HOST"):
        args += ["-h", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["-p", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["-U", str(settings_dict["USER"])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    found = shutil.which(command[0])
    if found is None:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL client tools are needed)")
    done = subprocess.run(  # noqa: S603 - a fixed tool and an argument list, never a shell
        [found, *command[1:]], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[:2000]}")


def _dump(target: Path) -> None:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
    elif connection.vendor == "postgresql":
        args, env = _pg_env(connection.settings_dict)
        _run(["pg_dump", "-Fc", "--no-owner", *args, "-f", str(target),
              str(connection.settings_dict["NAME"])], env)  # fmt: skip
    else:  # pragma: no cover - only the two supported databases
        raise BackupError(f"no backup method for {connection.vendor}")


def _manifest() -> dict[str, Any]:
    applied: dict[str, list[str]] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        applied.setdefault(app, []).append(name)
    head = AuditHead.objects.filter(pk=1).values("seq", "hash").first() or {"seq": 0, "hash": ""}
    return {
        "format": FORMAT,
        "created_at": clock.now().isoformat(),
        "vendor": connection.vendor,
        "database": DUMPS[connection.vendor],
        "migrations": {app: sorted(names) for app, names in sorted(applied.items())},
        "audit_head": head,
        "journal_lines": journal_size(),
        "person_keys": PersonKey.objects.count(),
    }


def backup_create(*, actor: Actor, output: Path | None = None) -> tuple[Path, dict[str, Any]]:
    """Write a backup archive (see the module header) and record a ``backup`` audit event.
    Returns the archive's path and its manifest."""
    if connection.vendor not in DUMPS:  # pragma: no cover
        raise BackupError(f"no backup method for {connection.vendor}")
    stamp = clock.now().strftime("%Y%m%dT%H%M%SZ")
    if output is None:
        output = Path(settings.DATA_DIR) / "backups" / f"candor-{stamp}.tar"
    elif output.is_dir():
        output = output / f"candor-{stamp}.tar"
    output.parent.mkdir(parents=True, exist_ok=True)
    manifest = _manifest()
    with tempfile.TemporaryDirectory(prefix="candor-backup-") as tmp:
        dump = Path(tmp) / manifest["database"]
        _dump(dump)
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w") as archive:
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            info.mtime = int(clock.now().timestamp())
            archive.addfile(info, _bytes(data))
            archive.add(dump, arcname=manifest["database"])
            media = Path(settings.MEDIA_ROOT)
            if media.exists():
                archive.add(media, arcname="media")
        with open(partial, "rb") as f:
            os.fsync(f.fileno())
        partial.replace(output)
    output.chmod(0o600)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="backup",
            object_type="backup",
            object_id=output.name,
            detail={"vendor": manifest["vendor"], "audit_seq": manifest["audit_head"]["seq"]},
        )
    return output, manifest


def _bytes(data: bytes) -> Any:
    import io

    return io.BytesIO(data)


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        with tarfile.open(path) as archive:
            member = archive.extractfile("manifest.json")
            if member is None:
                raise KeyError("manifest.json")
            manifest: dict[str, Any] = json.loads(member.read())
    except (OSError, KeyError, tarfile.TarError, ValueError) as exc:
        raise BackupError(f"{path} is not a Candor backup: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: unknown backup format {manifest.get('format')!r}")
    return manifest


def database_in_use() -> bool:
    """Does the configured database already hold a Candor installation?"""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    return "django_migrations" in tables


def _load_database(dump: Path, vendor: str) -> None:
    for conn in connections.all():
        conn.close()
    if vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(dump)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        connection.close()
        return
    args, env = _pg_env(connection.settings_dict)
    name = str(connection.settings_dict["NAME"])
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA IF EXISTS public CASCADE")
        cursor.execute("CREATE SCHEMA public")
    connection.close()
    _run(["pg_restore", "--no-owner", "--exit-on-error", *args, "-d", name, str(dump)], env)


def _load_media(archive: tarfile.TarFile) -> None:
    media = Path(settings.MEDIA_ROOT)
    if media.exists():
        shutil.rmtree(media)
    media.mkdir(parents=True, exist_ok=True)
    members = [m for m in archive.getmembers() if m.name.startswith("media/")]
    for member in members:
        member.name = member.name[len("media/") :]
    archive.extractall(media, members=members, filter="data")


def backup_restore(*, actor: Actor, path: Path, force: bool = False) -> RestoreReport:
    """Restore ``path`` into the configured database and media folder, then re-apply the
    erasure journal (``journal_reapply``). Refuses a database already in use unless ``force``.
    A marker file makes the site refuse requests from the start until the journal is applied."""
    manifest = read_manifest(path)
    if manifest["vendor"] != connection.vendor:
        raise BackupError(
            f"this backup is of a {manifest['vendor']} database; the configured one is "
            f"{connection.vendor}"
        )
    if database_in_use() and not force:
        raise BackupError(
            "the configured database is not empty; restoring replaces everything in it. "
            "Run again with --yes to replace it."
        )
    restore_mark({"backup": str(path), "created_at": manifest["created_at"]})
    crypto.forget_all()
    with (
        tempfile.TemporaryDirectory(prefix="candor-restore-") as tmp,
        tarfile.open(path) as archive,
    ):
        archive.extract(manifest["database"], tmp, filter="data")
        _load_database(Path(tmp) / manifest["database"], manifest["vendor"])
        _load_media(archive)
    call_command("migrate", verbosity=0, interactive=False)
    report = journal_reapply(actor=actor, manifest=manifest)
    return report


def journal_reapply(*, actor: Actor, manifest: dict[str, Any] | None = None) -> RestoreReport:
    """Erase again everyone in the erasure journal who is present and not erased in the
    database, destroy any key of a journaled pseudonym, write a ``restore`` audit event, then
    lift the restore marker. Safe to run again."""
    pending = restore_pending() or {}
    report = RestoreReport(manifest=manifest or pending)
    pseudonyms = list(dict.fromkeys(e.pseudonym for e in journal_entries()))
    report.journaled = len(pseudonyms)
    crypto.forget_all()
    with transaction.atomic():
        present: dict[int, str] = {}
        for start in range(0, len(pseudonyms), 900):
            chunk = pseudonyms[start : start + 900]
            present.update(
                (pk, str(p))
                for pk, p in Person.objects.filter(pseudonym__in=chunk, erased_at=None)
                .order_by()
                .values_list("pk", "pseudonym")
            )
        if present:
            people_erase(
                actor=actor, person_ids=sorted(present), reason="restore:journal", journal=False
            )
        report.erased_again = sorted(present.values())
        report.keys_destroyed = crypto.keys_destroy(pseudonyms)
        audit_record(
            actor=actor,
            action="restore",
            object_type="backup",
            object_id=Path(str(pending.get("backup", ""))).name,
            detail={
                "backup_created_at": report.manifest.get("created_at", ""),
                "journaled": report.journaled,
                "erased_again": len(report.erased_again),
            },
        )
    restore_unmark()
    return report
