"""Run a generator in a second process and consume its items here, so two cores share the work.

``read_ahead(produce)`` forks a child that iterates ``produce()`` and sends its items back in
pickled chunks through a pipe. The child pickles while the consumer works; a thread of the
consumer empties the pipe into a queue of up to ``BUFFERED`` chunks, so the child keeps going
while the consumer is busy with a long piece of work, and the consumer finds the next chunk
ready; a full queue makes the child wait, so memory stays bounded. The child must not
touch the database: it only reads files and computes. An exception in the child is raised again
in the consumer, where the items stop. Where forking is unavailable or unsafe the generator
runs here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing
import operator
import pickle
import queue
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator
from typing import Any

CHUNK = 250
PIPE_BYTES = 1 << 20  # Linux's default ceiling for an unprivileged process
BUFFERED = 400  # chunks received and not yet used: 100,000 records at most


def sent_by_fields[C: type](cls: C) -> C:
    """Class decorator for a dataclass whose instances travel between the processes: pickle
    it as its class called with its field values in order. A slotted dataclass otherwise
    pickles its state through Python-level ``__getstate__``/``__setstate__``, which made
    unpickling a cleaned record cost three times as much; ``copy.copy`` takes the same path.
    Every field must be an ``__init__`` argument."""
    names = [f.name for f in dataclasses.fields(cls)]
    if not all(f.init for f in dataclasses.fields(cls)) or len(names) < 2:
        raise TypeError(f"{cls.__name__}: every field must be an __init__ argument (two or more)")
    values = operator.attrgetter(*names)

    def reduce(self: Any) -> tuple[Any, ...]:
        return (cls, values(self))

    cls.__reduce__ = reduce  # type: ignore[method-assign, assignment]
    return cls


class ReadAheadFailed(RuntimeError):
    """The child stopped without finishing, or failed with an exception that cannot travel."""


def _produce(produce: Callable[[], Iterable[Any]], out: Any, chunk: int) -> None:
    pending: list[Any] = []
    try:
        for item in produce():
            pending.append(item)
            if len(pending) >= chunk:
                out.send(("items", pending))
                pending = []
        out.send(("items", pending))
        out.send(("done", None))
    except BaseException as exc:  # everything goes back to the consumer, items first
        try:
            out.send(("items", pending))
            out.send(("error", exc))
        except (pickle.PicklingError, TypeError, AttributeError):
            out.send(("error", ReadAheadFailed(traceback.format_exc())))
    finally:
        out.close()


def _enlarge(connection: Any) -> None:
    with contextlib.suppress(ImportError, AttributeError, OSError):
        import fcntl

        fcntl.fcntl(connection.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)


class _Drain:
    """A thread that empties the pipe as fast as the child fills it (reading releases the GIL),
    so the child never waits while the consumer is busy with a long stretch of work (a batch
    written to the database). The chunks wait in ``chunks``, still pickled, up to ``BUFFERED``
    of them; None marks the end of the stream."""

    def __init__(self, receive: Any) -> None:
        self.receive = receive
        self.chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=BUFFERED)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="read-ahead", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            while not self.stop.is_set():
                self.chunks.put(self.receive.recv_bytes())
        except (EOFError, OSError):
            pass
        finally:
            self.chunks.put(None)

    def close(self) -> None:
        """Once the child has exited: let a thread blocked on a full queue finish."""
        self.stop.set()
        with contextlib.suppress(queue.Empty):
            while True:
                self.chunks.get_nowait()
        self.thread.join()
        self.receive.close()


def read_ahead[T](
    produce: Callable[[], Iterable[T]], *, chunk: int = CHUNK, fork: bool | None = None
) -> Iterator[T]:
    """``fork=None`` forks only where that is safe: a process with other threads running (a
    threaded web server, a test live server) could fork while one of them holds a lock the
    child then waits for forever, so there the generator runs here instead."""
    if fork is None:
        fork = threading.active_count() == 1
    try:
        context = multiprocessing.get_context("fork") if fork else None
    except ValueError:  # no fork on this platform
        context = None
    if context is None:  # same result, one core
        yield from produce()
        return
    receive, send = context.Pipe(duplex=False)
    _enlarge(send)
    child = context.Process(target=_produce, args=(produce, send, chunk), daemon=True)
    child.start()
    send.close()  # the child holds the only writing end: its exit ends the stream
    drain = _Drain(receive)
    try:
        while True:
            raw = drain.chunks.get()
            if raw is None:
                child.join()
                raise ReadAheadFailed(
                    f"the reading process stopped unexpectedly (exit code {child.exitcode})"
                )
            kind, payload = pickle.loads(raw)  # noqa: S301 - our own child's output
            if kind == "items":
                yield from payload
            elif kind == "done":
                break
            else:
                raise payload
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
        drain.close()
