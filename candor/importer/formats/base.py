"""What an import format is: a class that turns a file into located records or located errors.

To add a format: write one class in its own module in this package with a ``name`` and a
``read(path, share)`` generator, and list it in ``candor.importer.formats.FORMATS``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from candor.core.readahead import EVERYTHING, Share
from candor.recruitment.records import CandidateRecord


@dataclass(slots=True)
class Item:
    """One record read from a file, or the reason it could not be read."""

    where: str  # "people.csv:14" or "folder/jan.json"
    record: CandidateRecord | None = None
    error: str = ""
    # How to read the record again: a module-level function and its arguments, cheaper to send
    # to another process than the record (CSV: the row's header and values); or None.
    again: tuple[Callable[..., CandidateRecord], tuple[Any, ...]] | None = None


class FileRejected(Exception):
    """The file as a whole cannot be read (unknown columns, not JSON, unreadable)."""


class Format(Protocol):
    name: str

    def read(self, path: Path, share: Share = EVERYTHING) -> Iterator[Item]:
        """The items of ``path`` in order; with a ``share``, only the items it holds (records
        and errors alike are numbered in file order; blank lines are not items)."""
        ...

    def count(self, path: Path) -> int | None:
        """How many records to expect, for the progress bar; None when unknown."""
        ...


_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_BELGIAN_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def parse_date(value: str | None, *, field: str) -> dt.date | None:
    """ISO dates (also ``2014`` and ``2014-06``, read as the first day) and Belgian
    ``dd/mm/yyyy``."""
    text = (value or "").strip()
    if not text:
        return None
    if m := _PARTIAL_DATE.match(text):
        year, month, day = int(m[1]), int(m[2] or 1), int(m[3] or 1)
    elif m := _BELGIAN_DATE.match(text):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    else:
        raise ValueError(f"{field}: “{text}” is not a date (use YYYY-MM-DD or DD/MM/YYYY)")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"{field}: “{text}” is not a real date") from None
