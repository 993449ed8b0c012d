"""Error answers say what is wrong: JSON under /api/, a page elsewhere; admin is superusers'."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from candor.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.req("R7.1")
def test_an_unknown_api_path_answers_json_with_a_detail(consultant: Any) -> None:
    response = Client().get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert "no API endpoint" in response.json()["detail"]


def test_an_unknown_page_answers_a_page_not_a_traceback(consultant: Any) -> None:
    response = Client(headers={"accept-language": "en"}).get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.req("R7.1")
def test_a_staff_member_with_django_staff_flag_still_cannot_enter_the_admin(
    consultant: Any,
) -> None:
    consultant.is_staff = True
    consultant.save()
    client = Client()
    client.login(username=consultant.username, password=PASSWORD)
    response = client.get("/django-admin/")
    assert response.status_code == 302
    assert "/django-admin/login/" in response["Location"]


@pytest.mark.req("R7.1")
def test_a_foreign_dossier_id_is_a_404_page(consultant: Any) -> None:
    client = Client(headers={"accept-language": "en"})
    client.login(username=consultant.username, password=PASSWORD)
    assert client.get("/candidates/999999/").status_code == 404
