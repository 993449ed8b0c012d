"""A progress bar on a terminal, silence elsewhere (logs, CI, pipes)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tqdm import tqdm

tqdm.monitor_interval = 0  # no watchdog thread: the bars here are updated often enough


@contextmanager
def progress(total: int | None, *, unit: str, desc: str, stream: Any = None) -> Iterator[Any]:
    stream = stream or sys.stderr
    bar = tqdm(
        total=total,
        unit=unit,
        desc=desc,
        file=stream,
        disable=not getattr(stream, "isatty", lambda: False)(),
        dynamic_ncols=True,
        smoothing=0.1,
    )
    try:
        yield bar
    finally:
        bar.close()
