"""File storage that encrypts a person's files with their key (crypto-shredding for documents).

Files under ``documents/<pseudonym>/`` and ``rights/<pseudonym>/`` (CVs, reports, copies of
exports handed to the person) are written as ``CANDOR-ENC1`` + nonce + AES-256-GCM ciphertext
under the person's key, with the file's name as associated data; they are decrypted when opened.
Other files are stored as given. A file written before encryption (no header) is read as is.

Erasure deletes the files and the key; a copy of a file in an old backup is ciphertext whose
key no longer exists. Opening a file whose key is gone raises ``FileNotFoundError`` (the file
is, for every purpose, gone).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage

from candor.privacy import crypto

MAGIC = b"CANDOR-ENC1\n"
TAG = 16
PERSON_FOLDERS = ("documents", "rights")


def owner(name: str) -> uuid.UUID | None:
    """The pseudonym of the person whose folder ``name`` is in, or None."""
    parts = name.replace("\\", "/").lstrip("/").split("/")
    if len(parts) < 3 or parts[0] not in PERSON_FOLDERS:
        return None
    try:
        return uuid.UUID(parts[1])
    except ValueError:
        return None


class EncryptedFileSystemStorage(FileSystemStorage):
    def _context(self, name: str) -> str:
        return "file:" + name.replace("\\", "/").lstrip("/")

    def _save(self, name: str, content: File) -> str:
        pseudonym = owner(name)
        if pseudonym is None or not crypto.encryption_enabled():
            return super()._save(name, content)  # type: ignore[misc]  # not in the stubs
        content.seek(0)
        data = content.read()
        if isinstance(data, str):
            data = data.encode()
        sealed = crypto.seal_bytes(data, context=self._context(name), pseudonym=pseudonym)
        return super()._save(name, ContentFile(MAGIC + sealed))  # type: ignore[misc]

    def _open(self, name: str, mode: str = "rb") -> File:
        stored = super()._open(name, "rb")  # type: ignore[misc]  # not in the stubs
        with stored:
            data = stored.read()
        if not data.startswith(MAGIC):
            return _file(data, name)  # written before encryption: as stored
        pseudonym = owner(name)
        plain = (
            None
            if pseudonym is None
            else crypto.unseal_bytes(
                data[len(MAGIC) :], context=self._context(name), pseudonym=pseudonym
            )
        )
        if plain is None:
            raise FileNotFoundError(f"{name}: the key of this file's person no longer exists")
        return _file(plain, name)

    def size(self, name: str) -> int:
        stored = super().size(name)
        with open(self.path(name), "rb") as f:
            head = f.read(len(MAGIC))
        return stored - len(MAGIC) - crypto.NONCE - TAG if head == MAGIC else stored

    def is_encrypted(self, name: str) -> bool:
        with open(self.path(name), "rb") as f:
            return f.read(len(MAGIC)) == MAGIC


def _file(data: bytes, name: str) -> Any:
    return ContentFile(data, name=name)
