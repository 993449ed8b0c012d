"""Hostile query strings on every page (R7.1): whatever a link or a person puts after ``?`` —
quotes, SQL, a NUL character, numbers where words are expected — a page answers with content or a
clear refusal, never a server error. Every page of the role matrix is opened by every role that
may open it, with every query parameter the pages read.

Found and fixed by it: ``?page=²`` on a dossier's history, ``?vacancy=²`` on the in-house
search (``"²".isdigit()`` is true, ``int("²")`` fails), ``?sponsor=99999999999999999999`` on
the trajectory list (too large for SQLite), and a NUL anywhere on PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest

from candor.inhouse.services import SEARCH_FILTERS
from candor.site.tests.conftest import ANONYMOUS, ROLE_NAMES
from candor.site.tests.test_authorization_matrix import (
    SITE_EXPECTATIONS,
    _fill,
    samples,  # noqa: F401 - the matrix's fixture: real objects for every id
)

pytestmark = [pytest.mark.django_db, pytest.mark.req("R7.1")]

# Every name the pages read from the query string (grep request.GET), and the search forms'.
NAMES = {
    "page", "show", "language", "vacancy", "queue", "summary", "stage", "status", "kind",
    "role", "sponsor", "mine", "person", "q", "function", "skills", "source", "source_name",
    "postcode", "available_by", "min_level", "education", "province", "next", *SEARCH_FILTERS,
}  # fmt: skip
HOSTILE = ["\x00", "' OR 1=1 --\")(", "99999999999999999999", "²"]  # ² is a digit to isdigit()


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("role", [r for r in ROLE_NAMES if r != ANONYMOUS])
def test_no_query_string_makes_a_page_fail(
    role: str,
    value: str,
    users_by_role: Any,
    staff_client: Any,
    samples: dict[str, int],  # noqa: F811
) -> None:
    client = staff_client(users_by_role[role])
    problems = []
    for route, (allowed, _status) in sorted(SITE_EXPECTATIONS.items()):
        if role not in allowed or route.startswith("api/"):
            continue
        response = client.get(_fill(route, samples), dict.fromkeys(NAMES, value))
        if response.status_code >= 500:
            problems.append(f"/{route}?…={value!r} as {role}: {response.status_code}")

    assert problems == []


def test_a_nul_in_the_query_string_gets_a_clear_page_in_the_visitors_language(
    client: Any, consultant: Any
) -> None:
    # It was a 500 on PostgreSQL for pages reading filters straight from the query string.
    client.force_login(consultant)

    response = client.get("/disclosure/introductions/", {"status": "open\x00"})

    assert response.status_code == 400
    assert "not allowed (NUL)" in response.content.decode()
    assert 'lang="en"' in response.content.decode()
