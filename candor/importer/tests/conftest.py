"""Fixtures for the import tests: write a CSV, run ``candor import`` and read what it printed.

Only synthetic Belgian people and reserved domains (example.com, .invalid, .test).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation

from candor.importer.tests.support import Run


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # Reasons are asserted in English, whatever LANGUAGE_CODE says.
    with translation.override("en"):
        yield


@pytest.fixture
def run_import(db: Any) -> Callable[..., Run]:
    """``candor import PATH`` through Django's command machinery; returns stdout and stderr."""

    def run(
        path: Path,
        *,
        fmt: str = "csv",
        source: str = "self",
        actor: str = "",
        batch_size: int | None = None,
    ) -> Run:
        out, err = io.StringIO(), io.StringIO()
        options: dict[str, Any] = {"format": fmt, "source": source, "stdout": out, "stderr": err}
        if actor:
            options["actor"] = actor
        if batch_size is not None:
            options["batch_size"] = batch_size
        call_command("import", str(path), **options)
        return Run(out.getvalue(), err.getvalue())

    return run


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write rows (dicts keyed by column) under ``header``; returns the file's path."""

    def write(
        rows: Sequence[dict[str, str]],
        *,
        header: Sequence[str] | None = None,
        name: str = "people.csv",
        delimiter: str = ",",
    ) -> Path:
        columns = list(header or dict.fromkeys(k for row in rows for k in row))
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
        path = tmp_path / name
        path.write_text(buffer.getvalue(), encoding="utf-8")
        return path

    return write
