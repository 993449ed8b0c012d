"""The public forms answer every visitor alike, signed in or not, whatever the role (R7.1):
no log-in page, no 403; only the form's own checks (the GETs are in the URL × role matrix)."""

from __future__ import annotations

import pytest
from django.test import Client

from candor.rights.models import SubjectRequest

pytestmark = pytest.mark.django_db

ROLES = [None, "consultant", "dpo", "administrator", "inhouse_user", "client_contact", "site_user"]


@pytest.mark.req("R7.1")
@pytest.mark.parametrize("persona", ROLES)
def test_the_public_forms_take_posts_from_anyone(persona, request, vacancy, statement, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    client = Client(headers={"accept-language": "en"})
    if persona is not None:
        client.force_login(request.getfixturevalue(persona))

    choice = client.post("/public/cookies/choice/", {"choice": "refused"})
    application = client.post(f"/public/vacancies/{vacancy.pk}/apply/", {})
    asked = client.post("/public/privacy/request/", {})

    assert choice.status_code == 302
    assert choice["Location"] == "/public/"
    assert application.status_code == 400
    assert "This field is required." in application.content.decode()
    assert asked.status_code == 400
    assert not SubjectRequest.objects.exists()
