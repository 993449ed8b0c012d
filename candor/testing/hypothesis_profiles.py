"""Hypothesis profiles for the property-based (hostile-input) tests.

``ci`` (the default) is derandomised: the same examples every run, so a red build is
reproducible and a green one stays green, with few enough examples that the property tests add
well under a minute. ``deep`` explores more and at random; run it by hand when a parser changes:
``HYPOTHESIS_PROFILE=deep uv run --frozen pytest -q -k properties``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=40,
    deadline=None,  # a shared CI machine; speed is not what these tests assert
    database=None,  # no example database in the working tree
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "deep",
    max_examples=1000,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
