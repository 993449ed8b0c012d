"""The read-ahead process hands over every item in order, and its failures reach the consumer."""

from __future__ import annotations

import json
import multiprocessing
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from candor.core.readahead import (
    EVERYTHING,
    Codec,
    ReadAheadFailed,
    Share,
    read_ahead_shared,
)
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


# -- several children sharing the work ---------------------------------------------------------


def shared(produce: Any, **options: Any) -> Any:
    return read_ahead_shared(produce, fork=True, **options)


def own_items(total: int) -> Any:
    """A source of ``total`` items that makes only the share's own, tagged with who made it."""

    def produce(share: Share) -> Iterator[tuple[int, int]]:
        return ((i, os.getpid()) for i in range(total) if i in share)

    return produce


@pytest.mark.parametrize("processes", [2, 3])
@pytest.mark.parametrize("total", [0, 1, 9, 10, 11, 20, 35, 1_003])
def test_shared_items_arrive_complete_and_in_order(processes: int, total: int) -> None:
    received = list(shared(own_items(total), processes=processes, chunk=10))

    assert [i for i, _pid in received] == list(range(total))


def test_the_chunks_are_made_by_the_children_in_turn() -> None:
    received = list(shared(own_items(40), processes=2, chunk=10))

    makers = [pid for _i, pid in received]
    assert os.getpid() not in makers
    assert makers[0] != makers[10]  # chunks 0 and 1: two children
    assert makers[0:10] == [makers[0]] * 10
    assert makers[20:30] == [makers[0]] * 10  # chunk 2: the first child again
    assert makers[30:40] == [makers[10]] * 10


def test_a_share_holds_its_chunks_and_together_they_hold_everything() -> None:
    shares = [Share(index, 3, 4) for index in range(3)]

    assert [i for i in range(12) if i in shares[1]] == [4, 5, 6, 7]
    assert all(sum(i in share for share in shares) == 1 for i in range(100))
    assert all(i in EVERYTHING for i in range(100))


def test_a_failure_in_one_child_stops_the_items_where_it_happened() -> None:
    """Item 25 fails in the child making chunk 2: the items made after it by the other child
    (chunk 3) never reach the consumer."""

    def produce(share: Share) -> Iterator[int]:
        for i in range(40):
            if i in share:
                if i == 25:
                    raise Unreadable("item 25 is broken")
                yield i

    received: list[int] = []
    with pytest.raises(Unreadable, match="item 25 is broken"):
        received.extend(shared(produce, processes=2, chunk=10))
    assert received == list(range(25))


def test_the_children_run_at_the_lower_priority_asked_for() -> None:
    mine = os.getpriority(os.PRIO_PROCESS, 0)

    def produce(share: Share) -> Iterator[int]:
        return iter([os.getpriority(os.PRIO_PROCESS, 0)] if share.index == 0 else [])

    assert list(shared(produce, processes=2, chunk=1, nice=5)) == [min(mine + 5, 19)]
    assert os.getpriority(os.PRIO_PROCESS, 0) == mine


def test_without_forking_the_whole_source_runs_here() -> None:
    received = list(read_ahead_shared(own_items(25), processes=2, chunk=10, fork=False))

    assert received == [(i, os.getpid()) for i in range(25)]


def test_the_chunks_travel_in_the_codec_given() -> None:
    """Encoded in the child (its process id written beside the items), decoded here."""

    def encode(items: list[int]) -> bytes:
        return json.dumps({"by": os.getpid(), "items": items}).encode()

    def decode(raw: Any) -> list[int]:
        sent = json.loads(bytes(raw))
        assert sent["by"] != os.getpid()
        return [-i for i in sent["items"]]

    codec = Codec(encode=encode, decode=decode)
    received = list(shared(own_items_plain(25), processes=2, chunk=10, codec=codec))

    assert received == [-i for i in range(25)]


def own_items_plain(total: int) -> Any:
    def produce(share: Share) -> Iterator[int]:
        return (i for i in range(total) if i in share)

    return produce
