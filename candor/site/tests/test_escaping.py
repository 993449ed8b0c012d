"""Free text with HTML or script is stored as typed and escaped wherever it is shown (R1.1)."""

from __future__ import annotations

import html

import pytest

from candor.people.models import Person

pytestmark = [pytest.mark.django_db, pytest.mark.req("R1.1")]

SCRIPT = "<script>alert(1)</script>"
IMAGE = '<img src="x" onerror="alert(2)">'


@pytest.fixture
def hostile_candidate(consultant, api_client):
    """Created through the API, as an outside system would."""
    response = api_client(consultant).post(
        "/api/v1/candidates",
        {
            "first_name": "Lotte",
            "last_name": f"Janssens {IMAGE}",
            "emails": ["lotte.janssens@example.com"],
            "notes": f"Beschikbaar vanaf maart. {SCRIPT}",
            "desired_function": f"Teamleider {SCRIPT}",
            "skills": [f"<b>Excel</b>{SCRIPT}"],
            "experience": [{"function": f"Planner {IMAGE}", "employer": "Transport Maes"}],
            "source": "self",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return Person.objects.get(pk=response.json()["id"])


def test_script_is_stored_as_typed(hostile_candidate):
    assert hostile_candidate.notes == f"Beschikbaar vanaf maart. {SCRIPT}"
    assert hostile_candidate.candidate.desired_function == f"Teamleider {SCRIPT}"
    assert hostile_candidate.last_name == f"Janssens {IMAGE}"


def test_dossier_page_escapes_free_text(client, consultant, hostile_candidate):
    client.force_login(consultant)

    response = client.get(f"/candidates/{hostile_candidate.pk}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert SCRIPT not in page
    assert IMAGE not in page
    assert "<b>Excel</b>" not in page
    escaped_script = html.escape(SCRIPT)
    assert f"Beschikbaar vanaf maart. {escaped_script}" in page  # notes
    assert f"Teamleider {escaped_script}" in page  # desired function
    assert f"Janssens {html.escape(IMAGE)}" in page  # name, in the title and heading
    assert f"Planner {html.escape(IMAGE)}" in page  # career
    assert html.escape(f"<b>Excel</b>{SCRIPT}") in page  # skill


def test_candidate_list_escapes_free_text(client, consultant, hostile_candidate):
    client.force_login(consultant)

    page = client.get("/candidates/").content.decode()

    assert SCRIPT not in page
    assert IMAGE not in page
    assert f"Teamleider {html.escape(SCRIPT)}" in page
    assert f"Janssens {html.escape(IMAGE)}" in page


def test_api_returns_the_text_verbatim_as_json(consultant, api_client, hostile_candidate):
    response = api_client(consultant).get(f"/api/v1/candidates/{hostile_candidate.pk}")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["notes"] == f"Beschikbaar vanaf maart. {SCRIPT}"
    assert body["desired_function"] == f"Teamleider {SCRIPT}"
    assert body["last_name"] == f"Janssens {IMAGE}"
    assert body["skills"] == [f"<b>Excel</b>{SCRIPT}"]
    listed = api_client(consultant).get("/api/v1/candidates").json()
    assert listed[0]["desired_function"] == f"Teamleider {SCRIPT}"
