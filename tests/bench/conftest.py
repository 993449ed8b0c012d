"""The benchmark scripts are run as ``python bench/<script>.py``, which puts ``bench/`` first on
the import path; the tests of their helpers import them the same way."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
