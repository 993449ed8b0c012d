"""The candidate list page: search and filters together, bad input answered, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from candor.api.tests.factories import make_candidate
from candor.recruitment.records import AddressData

pytestmark = [pytest.mark.django_db, pytest.mark.req("R1.1")]


@pytest.fixture
def signed_in(client: Any, consultant: Any) -> Any:
    client.force_login(consultant)
    return client


@pytest.fixture
def candidates(actor: Any) -> None:
    make_candidate(
        actor,
        last_name="Janssens",
        desired_function="Boekhouder",
        languages={"fr": "C1"},
        address=AddressData(postcode="9000", city="Gent"),
    )
    make_candidate(
        actor, last_name="Peeters", desired_function="Boekhouder", languages={"fr": "A2"}
    )
    make_candidate(actor, last_name="Maes", desired_function="Lasser", languages={"fr": "C2"})


def names(response: Any) -> list[str]:
    return [p.last_name for p in response.context["results"].people]


def test_function_and_language_with_a_minimum_level_narrow_the_list(signed_in, candidates):
    response = signed_in.get(
        "/candidates/", {"function": "boekhouder", "language": "fr", "min_level": "B2"}
    )
    assert response.status_code == 200
    assert names(response) == ["Janssens"]
    page = response.content.decode()
    assert "1 candidate" in page
    assert '<option value="fr" selected>' in page  # the filters show what was asked
    assert '<option value="B2" selected>' in page
    assert 'name="function" id="id_function" value="boekhouder"' in page


def test_free_text_and_province_combine(signed_in, candidates):
    assert names(signed_in.get("/candidates/", {"q": "boekh", "province": "east_flanders"})) == [
        "Janssens"
    ]


def test_an_invalid_filter_is_shown_beside_its_field_and_nothing_is_listed(signed_in, candidates):
    response = signed_in.get("/candidates/", {"postcode": "90a0", "q": "boekhouder"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter the first two to four digits of a Belgian postcode." in page
    assert response.context["results"] is None
    assert 'value="boekhouder"' in page  # what was typed stays


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 10_000},
        {"q": '" * NEAR( -'},
        {"q": "'; DROP TABLE people_person; --"},
        {"page": "abc"},
        {"page": "-5"},
        {"page": "99999999999999999999"},
        {"available_by": "31/02/2026"},
        {"language": "xx"},
    ],
)
def test_hostile_input_gets_a_page_not_an_error(signed_in, candidates, params):
    assert signed_in.get("/candidates/", params).status_code == 200


def test_the_next_page_link_keeps_the_search(signed_in, actor):
    for n in range(26):
        make_candidate(actor, last_name=f"Claes{n}", desired_function="Magazijnier")
    response = signed_in.get("/candidates/", {"function": "magazijnier"})
    page = response.content.decode()
    assert len(names(response)) == 25
    assert "?function=magazijnier&amp;page=2" in page
    assert len(names(signed_in.get("/candidates/", {"function": "magazijnier", "page": 2}))) == 1


def test_the_filters_rendered_once_follow_the_language_and_what_was_asked(
    signed_in, consultant, candidates
):
    english = signed_in.get("/candidates/").content.decode()
    assert "<summary>Filters</summary>" in english
    chosen = signed_in.get("/candidates/", {"language": "fr"}).content.decode()
    assert '<option value="fr" selected>' in chosen
    assert '<option value="fr" selected>' not in signed_in.get("/candidates/").content.decode()

    consultant.language = "fr"
    consultant.save(update_fields=["language"])
    french = signed_in.get("/candidates/").content.decode()

    assert "<summary>Filtres</summary>" in french
    assert "<summary>Filters</summary>" not in french
