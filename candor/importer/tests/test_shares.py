"""Several reading processes share a file: each format reads only the items of its share, and
the shares dealt back in turn give exactly what one reader reads (R1.1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from candor.core.readahead import Share
from candor.importer.formats import FORMATS
from candor.importer.formats.base import Item
from candor.importer.tests.support import FIXTURES


def dealt_back(items_by_share: list[list[Item]], chunk: int) -> list[Item]:
    """The shares' items in the order the consumer takes them: a chunk from each in turn."""
    merged: list[Item] = []
    position = [0] * len(items_by_share)
    turn = 0
    while any(position[k] < len(items) for k, items in enumerate(items_by_share)):
        k = turn % len(items_by_share)
        merged += items_by_share[k][position[k] : position[k] + chunk]
        position[k] += chunk
        turn += 1
    return merged


def described(items: list[Item]) -> list[tuple[str, str, str]]:
    return [(i.where, i.error, i.record.last_name if i.record else "") for i in items]


@pytest.mark.req("R1.1")
@pytest.mark.parametrize(("processes", "chunk"), [(2, 1), (2, 2), (3, 2), (2, 50)])
def test_csv_shares_together_read_the_whole_file_in_order(
    tmp_path: Path, processes: int, chunk: int
) -> None:
    path = tmp_path / "people.csv"
    path.write_text(
        "first_name,last_name,email\n"
        "Emma,Claes,emma.claes@example.com\n"
        "\n"  # a blank line is not an item
        "Jonas,Maes,jonas.maes@example.com,surplus\n"
        "Sofie,Janssens,not-an-address\n"
        ",,\n"
        "Lotte,Peeters,lotte.peeters@example.com\n"
        "Ruben,Wouters,ruben.wouters@example.com\n",
        encoding="utf-8",
    )
    csv_format = FORMATS["csv"]
    whole = list(csv_format.read(path))
    shares = [list(csv_format.read(path, Share(k, processes, chunk))) for k in range(processes)]

    assert [i.where for i in whole] == [f"people.csv:{n}" for n in (2, 4, 5, 7, 8)]
    assert described(dealt_back(shares, chunk)) == described(whole)
    assert sum(map(len, shares)) == len(whole)  # no item read twice


@pytest.mark.req("R1.1")
def test_json_resume_shares_together_read_the_whole_folder_in_order() -> None:
    folder = FIXTURES / "resumes"
    resume = FORMATS["jsonresume"]
    whole = list(resume.read(folder))
    shares = [list(resume.read(folder, Share(k, 2, 2))) for k in range(2)]

    assert len(whole) >= 4
    assert all(shares)
    assert described(dealt_back(shares, 2)) == described(whole)
