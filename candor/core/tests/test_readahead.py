"""The read-ahead process hands over every item in order, and its failures reach the consumer."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from candor.core.readahead import ReadAheadFailed
from candor.core.readahead import read_ahead as read_ahead_here_or_forked

# These tests are about the child process: they fork even when the test run has other threads
# (a browser test's live server), which the automatic choice would avoid.
pytestmark = pytest.mark.filterwarnings(
    "ignore:This process .* is multi-threaded:DeprecationWarning"
)


def read_ahead(produce: Any, **options: Any) -> Any:
    return read_ahead_here_or_forked(produce, fork=True, **options)


def test_with_other_threads_running_the_generator_runs_here() -> None:
    started, stop = threading.Event(), threading.Event()
    worker = threading.Thread(target=lambda: (started.set(), stop.wait(5)))
    worker.start()
    try:
        started.wait(5)
        pids = list(read_ahead_here_or_forked(lambda: iter([os.getpid()])))
    finally:
        stop.set()
        worker.join()
    assert pids == [os.getpid()]


class Unreadable(Exception):
    pass


def test_items_arrive_complete_and_in_order_across_chunks() -> None:
    assert list(read_ahead(lambda: range(1_003), chunk=10)) == list(range(1_003))


def test_the_items_are_made_in_another_process() -> None:
    assert list(read_ahead(lambda: iter([os.getpid()]))) != [os.getpid()]


def test_an_empty_source_gives_nothing() -> None:
    assert list(read_ahead(lambda: iter(()))) == []


def test_the_child_sees_the_files_the_parent_named(tmp_path: Path) -> None:
    path = tmp_path / "lines.txt"
    path.write_text("één\ndeux\nthree\n", encoding="utf-8")

    def lines() -> Iterator[str]:
        with path.open(encoding="utf-8") as handle:
            yield from (line.rstrip("\n") for line in handle)

    assert list(read_ahead(lines)) == ["één", "deux", "three"]


def test_an_exception_in_the_child_is_raised_after_the_items_before_it() -> None:
    def produce() -> Iterator[int]:
        yield from range(5)
        raise Unreadable("line 6 is not UTF-8")

    received: list[int] = []
    with pytest.raises(Unreadable, match="line 6 is not UTF-8"):
        received.extend(read_ahead(produce, chunk=2))
    assert received == [0, 1, 2, 3, 4]


def test_an_exception_that_cannot_be_pickled_still_arrives_with_its_traceback() -> None:
    class Local(Exception):  # defined in a function: pickle cannot find it by name
        pass

    def produce() -> Iterator[int]:
        raise Local("unpicklable failure")
        yield 0

    with pytest.raises(ReadAheadFailed, match="unpicklable failure"):
        list(read_ahead(produce))


def test_a_child_that_dies_without_a_word_is_reported_not_waited_for() -> None:
    def produce() -> Iterator[int]:
        yield 1
        os._exit(3)

    with pytest.raises(ReadAheadFailed, match="exit code 3"):
        list(read_ahead(produce, chunk=1))


def test_a_consumer_that_stops_early_does_not_leave_the_child_running() -> None:
    stream = read_ahead(lambda: iter(range(10_000_000)), chunk=100)
    assert next(stream) == 0
    stream.close()  # runs the generator's clean-up: the child is terminated and reaped

    assert multiprocessing.active_children() == []


def test_the_child_finishes_reading_while_the_consumer_is_busy(tmp_path: Path) -> None:
    """More items than the pipe holds (about 4 MB pickled) are made while the consumer works
    on the first one: they wait in this process, so the reader never idles behind a writer
    busy with a batch."""
    done = tmp_path / "done"

    def produce() -> Iterator[str]:
        yield from (f"{i:01000d}" for i in range(4_000))  # distinct: pickled in full
        done.write_text("all made")

    stream = read_ahead(produce, chunk=100)
    assert next(stream) == "0" * 1_000
    deadline = 200
    while not done.exists() and deadline:  # the consumer takes no further item meanwhile
        threading.Event().wait(0.05)
        deadline -= 1
    assert done.exists(), "the child waited for the consumer"
    assert sum(1 for _ in stream) == 3_999
