"""Hostile search input (R7.1): any string typed into any search field — quotes, parentheses,
full-text operators (AND, OR, NOT, NEAR, ``*``, ``^``, ``:``, ``&``, ``|``, ``!``, ``<->``),
SQL, unicode, NUL — gives a page of results or a clear message, never a server error, on SQLite
FTS5 and PostgreSQL tsquery alike.

Property-based (Hypothesis, profile in ``candor/testing/hypothesis_profiles.py``).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from candor.api.tests.factories import make_candidate
from candor.core.actor import Actor
from candor.search.services import CandidateSearch, search_candidates

pytestmark = [pytest.mark.django_db, pytest.mark.req("R7.1")]

OPERATORS = [
    '"', "'", "(", ")", "*", "^", ":", "-", "+", "&", "|", "!", "<->", "<2>", "NEAR(", "AND",
    "OR", "NOT", "\\", "%", "_", ";", "--", "/*", "\x00", "\u202e", "ǅ", "ﬁ", "İ", "Ⅻ", "🙂",
    "lefèvre", "0f", "0flang", " ", "\t", "\n",
]  # fmt: skip
query = st.one_of(
    st.text(max_size=60),
    st.lists(st.one_of(st.sampled_from(OPERATORS), st.text(max_size=4)), max_size=12).map("".join),
    st.lists(st.sampled_from(OPERATORS), max_size=8).map(" ".join),
)


@pytest.fixture
def indexed(consultant: Any) -> None:
    actor = Actor.for_user(consultant)
    for _ in range(3):
        make_candidate(actor)


@given(text=query, function=query, skills=query)
def test_any_search_words_give_a_page_of_results(indexed, text, function, skills):
    page = search_candidates(CandidateSearch(text=text, function=function, skills=skills))

    assert page.total >= 0
    assert all(person.is_candidate for person in page.people)


@given(postcode=query, source=query, language=query, stage=query, education=query)
def test_any_filter_values_give_a_page_of_results(
    *, indexed, postcode, source, language, stage, education
):
    search = CandidateSearch(
        text="a", postcode=postcode, source=source, language=language, stage=stage
    )
    search.education = education if education in {"bachelor", "master", ""} else ""

    assert search_candidates(search).total >= 0


FIELDS = ("q", "function", "skills", "postcode", "available_by", "source_name", "page")


@given(st.dictionaries(st.sampled_from(FIELDS), query, min_size=1))
def test_the_candidate_search_page_answers_any_query_string(indexed, client, consultant, params):
    client.force_login(consultant)
    response = client.get("/candidates/", params)

    assert response.status_code == 200


@given(q=query, source=query, page=st.one_of(query, st.integers()))
def test_the_candidate_list_api_answers_any_query_string(
    *, indexed, api_client, consultant, q, source, page
):
    response = api_client(consultant).get(
        "/api/v1/candidates", {"q": q, "source": source, "page": page}
    )

    assert response.status_code in {200, 422}, response.content
    if response.status_code == 422:
        assert response.json()["detail"]
