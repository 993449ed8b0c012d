"""The governance pages: the processing register with its downloads (R9.2), and the privacy
statement's versions, publishing and who has not seen the version in force (R8.2, R8.3)."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from candor.api.tests.factories import make_candidates
from candor.core.actor import Actor
from candor.privacy.models import StatementVersion
from candor.privacy.policy import policy
from candor.privacy.statement import statement_publish, statement_receipt_record
from candor.site.pages import governance
from candor.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 1)
CHANGES = {"nl": "Nieuw.", "fr": "Nouveau.", "en": "New."}


def _login(user: Any) -> Client:
    client = Client(headers={"accept-language": "en"})
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def as_dpo(dpo: Any) -> Client:
    return _login(dpo)


@pytest.fixture
def published(actor: Actor) -> StatementVersion:
    return statement_publish(actor=actor, version="1.0", published_on=DAY)


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


# -- the processing register ---------------------------------------------------------------------


@pytest.mark.req("R9.2")
@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_the_register_page_shows_every_purpose_in_the_language_asked(
    as_dpo: Client, language: str
) -> None:
    response = as_dpo.get(reverse("site:ropa"), {"language": language})
    text = _text(response)

    assert response.status_code == 200
    for purpose in policy().purposes.values():
        assert purpose.label.get(language) in text
    assert policy().controller.name in text
    for fmt in ("html", "pdf", "md"):
        assert f"{reverse(f'site:ropa_{fmt}')}?language={language}" in text


@pytest.mark.req("R9.2")
def test_the_administrator_reads_the_register_too(administrator: Any) -> None:
    response = _login(administrator).get(reverse("site:ropa"))

    assert response.status_code == 200
    assert "Processing register" in response.content.decode()  # in the navigation
    assert "Privacy statement" not in response.content.decode()  # that one is the DPO's


@pytest.mark.req("R9.2")
@pytest.mark.parametrize(
    ("name", "content_type", "start"),
    [
        ("site:ropa_md", "text/markdown; charset=utf-8", b"# Record of processing activities"),
        ("site:ropa_html", "text/html; charset=utf-8", b"<!doctype html>"),
        ("site:ropa_pdf", "application/pdf", b"%PDF"),
    ],
)
def test_the_register_downloads(as_dpo: Client, name: str, content_type: str, start: bytes) -> None:
    response = as_dpo.get(reverse(name), {"language": "en"})

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith(
        'attachment; filename="record-of-processing-en-'
    )
    assert response.content.startswith(start)


# -- the privacy statement -----------------------------------------------------------------------


@pytest.mark.req("R8.2")
def test_the_versions_are_listed_with_their_dates(
    as_dpo: Client, actor: Actor, published: StatementVersion
) -> None:
    statement_publish(actor=actor, version="2.0", published_on=dt.date(2099, 1, 1), changes=CHANGES)
    text = _text(as_dpo.get(reverse("site:statements")))

    assert "Version 1.0 is in force since 1 March 2026." in text
    assert "Version 2.0 takes over on 1 January 2099." in text
    assert "upcoming" in text


@pytest.mark.req("R8.2", "R8.3")
@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("nl", "Privacyverklaring van"),
        ("fr", "Déclaration de confidentialité de"),
        ("en", "Privacy statement of"),
    ],
)
def test_a_version_reads_in_each_language(
    as_dpo: Client, published: StatementVersion, language: str, title: str
) -> None:
    response = as_dpo.get(reverse("site:statement", args=[published.pk]), {"language": language})
    text = _text(response)

    assert response.status_code == 200
    assert f"<h2>{title} {policy().controller.name}</h2>" in text
    assert policy().dpo.email in text


def test_a_statement_body_is_shown_escaped(as_dpo: Client, actor: Actor) -> None:
    body = "# Title\n\nA paragraph with <script>alert(1)</script>\n"
    version = statement_publish(
        actor=actor, version="1", published_on=DAY, bodies={"nl": body, "fr": body, "en": body}
    )
    content = as_dpo.get(reverse("site:statement", args=[version.pk])).content.decode()

    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;" in content


def test_an_unknown_version_is_not_found(as_dpo: Client) -> None:
    assert as_dpo.get(reverse("site:statement", args=[987654])).status_code == 404


@pytest.mark.req("R8.2")
def test_the_dpo_publishes_a_version_from_the_form(as_dpo: Client) -> None:
    assert as_dpo.get(reverse("site:statement_new")).status_code == 200
    response = as_dpo.post(
        reverse("site:statement_new"), {"version": "2026.1", "published_on": "2026-03-01"}
    )

    version = StatementVersion.objects.get(version="2026.1")
    assert response.status_code == 302
    assert response["Location"] == reverse("site:statement", args=[version.pk])
    assert policy().controller.name in version.body_fr


@pytest.mark.req("R8.2")
def test_the_publish_form_shows_errors_on_their_fields_and_keeps_the_input(
    as_dpo: Client, published: StatementVersion
) -> None:
    response = as_dpo.post(
        reverse("site:statement_new"),
        {"version": "1.0", "published_on": "2026-02-01", "changes_nl": "Nieuwe termijn."},
    )
    form = response.context["form"]

    assert response.status_code == 200
    assert set(form.errors) == {"version", "published_on", "changes_fr", "changes_en"}
    assert "already published" in form.errors["version"][0]
    assert "Nieuwe termijn." in response.content.decode()
    assert StatementVersion.objects.count() == 1

    missing = as_dpo.post(reverse("site:statement_new"), {"version": "", "published_on": "x"})
    assert set(missing.context["form"].errors) == {"version", "published_on"}


@pytest.mark.req("R8.2")
def test_people_who_have_not_seen_the_version_in_force_are_paged(
    as_dpo: Client, actor: Actor, published: StatementVersion, monkeypatch: Any
) -> None:
    monkeypatch.setattr(governance, "PER_PAGE", 2)
    people = make_candidates(actor, 4)
    statement_receipt_record(person=people[0], version=published, kind="shown", channel="portal")

    first = as_dpo.get(reverse("site:statement_unseen"))
    second = as_dpo.get(reverse("site:statement_unseen"), {"page": 2})
    listed = [*first.context["page"].object_list, *second.context["page"].object_list]

    assert first.context["page"].paginator.count == 3
    assert set(listed) == set(people[1:])
    assert "3 people" in first.content.decode()
    not_accepted = as_dpo.get(reverse("site:statement_unseen"), {"kind": "accepted"})
    assert not_accepted.context["page"].paginator.count == 4
    contacts = as_dpo.get(reverse("site:statement_unseen"), {"role": "client_contact"})
    assert contacts.context["page"].paginator.count == 0


def test_without_a_version_the_pages_say_so(as_dpo: Client) -> None:
    assert "No version is in force yet." in _text(as_dpo.get(reverse("site:statements")))
    assert "No version is in force yet." in _text(as_dpo.get(reverse("site:statement_unseen")))


def test_the_navigation_shows_governance_links_by_role(as_dpo: Client, consultant: Any) -> None:
    dpo_page = as_dpo.get(reverse("site:home")).content.decode()
    desk = as_dpo.get(reverse("site:privacy_desk")).content.decode()
    consultant_page = _login(consultant).get(reverse("site:home")).content.decode()

    assert reverse("site:ropa") in dpo_page
    assert reverse("site:statements") in desk  # the DPO's desk links every privacy page
    assert reverse("site:ropa") not in consultant_page
    assert reverse("site:statements") not in consultant_page
