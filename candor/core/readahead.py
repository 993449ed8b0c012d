"""Run a generator in a second process and consume its items here, so two cores share the work.

``read_ahead(produce)`` forks a child that iterates ``produce()`` and sends its items back in
chunks through a pipe, pickled (or in the form a ``Codec`` gives). The child encodes while the
consumer works; a thread of the
consumer empties the pipe into a queue of up to ``BUFFERED`` chunks, so the child keeps going
while the consumer is busy with a long piece of work, and the consumer finds the next chunk
ready; a full queue makes the child wait, so memory stays bounded. The child must not
touch the database: it only reads files and computes. An exception in the child is raised again
in the consumer, where the items stop. Where forking is unavailable or unsafe the generator
runs here.

``read_ahead_shared(produce, processes=N)`` forks N children that share the work: the items come
in chunks dealt in turn to the children (``Share``), each child makes only the items of its
chunks, and the consumer takes the chunks back in turn, so the items still arrive complete and
in their order. A consumer that keeps a core busy then always finds the next chunk made, even
while the machine gives a single child less than a core; with ``nice``, the children run on
what the consumer leaves.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import itertools
import multiprocessing
import operator
import os
import pickle
import queue
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator
from typing import Any

CHUNK = 250
PIPE_BYTES = 1 << 20  # Linux's default ceiling for an unprivileged process
BUFFERED = 400  # chunks received and not yet used: 100,000 records at most, all children together


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


@dataclasses.dataclass(frozen=True, slots=True)
class Share:
    """Which items one of several reading processes makes: the items, numbered from 0 in the
    order the source gives them, fall in chunks of ``chunk``, dealt in turn to ``of``
    processes; this one is number ``index``. ``i in share`` says whether item ``i`` is its own.
    A producer given a share yields exactly its own items, in order, one per item (a source
    that cannot skip cheaply may make every item and drop the others)."""

    index: int = 0
    of: int = 1
    chunk: int = CHUNK

    def __contains__(self, i: int) -> bool:
        return self.of == 1 or (i // self.chunk) % self.of == self.index


EVERYTHING = Share()


class ReadAheadFailed(RuntimeError):
    """The child stopped without finishing, or failed with an exception that cannot travel."""


@dataclasses.dataclass(frozen=True, slots=True)
class Codec:
    """How a chunk of items travels from a child: ``encode`` there, ``decode`` here (given a
    view of the bytes). Pickle by default; a producer whose items are plain data can send them
    in a cheaper form."""

    encode: Callable[[list[Any]], bytes]
    decode: Callable[[Any], list[Any]]


PICKLE = Codec(
    encode=functools.partial(pickle.dumps, protocol=pickle.HIGHEST_PROTOCOL),
    decode=pickle.loads,
)
# Each message is one of these bytes, then its body: a chunk of items (``Codec.encode``), the
# end, or a failure with the items made before it (pickled).
_ITEMS, _DONE, _FAILED = b"I", b"D", b"E"


def _produce(
    produce: Callable[[], Iterable[Any]], out: Any, chunk: int, nice: int, codec: Codec
) -> None:
    if nice:
        os.nice(nice)
    pending: list[Any] = []
    try:
        for item in produce():
            pending.append(item)
            if len(pending) >= chunk:
                out.send_bytes(_ITEMS + codec.encode(pending))
                pending = []
        out.send_bytes(_ITEMS + codec.encode(pending))
        out.send_bytes(_DONE)
    except BaseException as exc:  # everything goes back to the consumer, items first
        # One message in the place of the chunk being made: with several children, the
        # consumer meets the failure before any item made after it by another child.
        try:
            out.send_bytes(_FAILED + pickle.dumps((pending, exc)))
        except (pickle.PicklingError, TypeError, AttributeError):
            failure = ReadAheadFailed(traceback.format_exc())
            try:
                out.send_bytes(_FAILED + pickle.dumps((pending, failure)))
            except (pickle.PicklingError, TypeError, AttributeError):  # an item cannot travel
                out.send_bytes(_FAILED + pickle.dumps(([], failure)))
    finally:
        out.close()


def _enlarge(connection: Any) -> None:
    with contextlib.suppress(ImportError, AttributeError, OSError):
        import fcntl

        fcntl.fcntl(connection.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)


class _Drain:
    """A thread that empties the pipe as fast as the child fills it (reading releases the GIL),
    so the child never waits while the consumer is busy with a long stretch of work (a batch
    written to the database). The chunks wait in ``chunks``, still encoded, up to ``buffered``
    of them; None marks the end of the stream."""

    def __init__(self, receive: Any, buffered: int = BUFFERED) -> None:
        self.receive = receive
        self.chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=buffered)
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
    return read_ahead_shared(lambda _share: produce(), processes=1, chunk=chunk, fork=fork)


def _fork(
    context: Any,
    produce: Callable[[Share], Iterable[Any]],
    *,
    processes: int,
    chunk: int,
    nice: int,
    codec: Codec,
) -> tuple[list[Any], list[Any]]:
    """Start the children (all of them before this process starts a thread); their processes
    and the receiving ends of their pipes."""
    children, receivers = [], []
    for index in range(processes):
        receive, send = context.Pipe(duplex=False)
        _enlarge(send)
        share = Share(index, processes, chunk)
        child = context.Process(
            target=_produce,
            args=(functools.partial(produce, share), send, chunk, nice, codec),
            daemon=True,
        )
        child.start()
        send.close()  # the child holds the only writing end: its exit ends the stream
        children.append(child)
        receivers.append(receive)
    return children, receivers


def read_ahead_shared[T](
    produce: Callable[[Share], Iterable[T]],
    *,
    processes: int = 2,
    chunk: int = CHUNK,
    fork: bool | None = None,
    nice: int = 0,
    codec: Codec = PICKLE,
) -> Iterator[T]:
    """``produce(share)`` in each of ``processes`` children, their items in order (see
    ``Share``), sent with ``codec``; where forking is unsafe or unavailable,
    ``produce(EVERYTHING)`` here.

    ``nice``: how much lower the children's scheduling priority is than this process's. When
    the consumer is the slower side, readers that run at the same priority take a share of
    its core whenever they are ahead; lowered, they use what the consumer leaves."""
    if fork is None:
        fork = threading.active_count() == 1
    try:
        context = multiprocessing.get_context("fork") if fork else None
    except ValueError:  # no fork on this platform
        context = None
    if context is None:  # same result, one core
        yield from produce(EVERYTHING)
        return
    children, receivers = _fork(
        context, produce, processes=processes, chunk=chunk, nice=nice, codec=codec
    )
    drains = [_Drain(receive, BUFFERED // processes) for receive in receivers]
    try:
        # Chunk n of the whole stream is the child n % processes's next one; the first child
        # to say it is done has met the end of the source, and the others have nothing more.
        for child, drain in itertools.cycle(zip(children, drains, strict=True)):
            raw = drain.chunks.get()
            if raw is None:
                child.join()
                raise ReadAheadFailed(
                    f"the reading process stopped unexpectedly (exit code {child.exitcode})"
                )
            kind, body = raw[:1], memoryview(raw)[1:]
            if kind == _ITEMS:
                yield from codec.decode(body)
            elif kind == _DONE:
                break
            else:
                made, failure = pickle.loads(body)  # noqa: S301 - our own child's output
                yield from made
                raise failure
    finally:
        for child in children:
            if child.is_alive():
                child.terminate()
            child.join()
        for drain in drains:
            drain.close()
