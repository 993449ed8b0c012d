"""Back-office forms show field-level errors and lose nothing; valid input is saved and audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from candor.audit.models import AuditEvent
from candor.core import clock
from candor.people.models import Person
from candor.relations.models import Organisation
from candor.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser_client(consultant: Any) -> Client:
    client = Client(headers={"accept-language": "en"})  # messages are checked in English
    assert client.login(username=consultant.username, password=PASSWORD)
    return client


def _candidate(**overrides: str) -> dict[str, str]:
    data = {
        "first_name": "Hanne",
        "last_name": "Claeys",
        "email": "hanne.claeys@example.com",
        "mobile": "0478 12 34 56",
        "birth_date": "1991-04-12",
        "source": "medium",
        "source_name": "LinkedIn",
        "desired_function": "Boekhouder",
        "notes": "",
    }
    return {**data, **overrides}


@pytest.mark.req("R1.1", "R2.1")
def test_a_new_candidate_is_saved_with_the_chosen_source(browser_client: Client) -> None:
    response = browser_client.post(reverse("site:candidate_new"), _candidate())
    person = Person.objects.get(last_name="Claeys")
    assert response.status_code == 302
    assert response["Location"] == reverse("site:dossier", args=[person.pk])
    assert (person.provenance.kind, person.provenance.name) == ("medium", "LinkedIn")
    assert person.provenance.channel == "form"
    assert person.contact_points.get(kind="mobile").normalised == "+32478123456"
    assert AuditEvent.objects.filter(action="create", subject=str(person.pseudonym)).count() == 1


@pytest.mark.req("R1.1")
def test_bad_input_is_shown_per_field_and_what_was_typed_stays(browser_client: Client) -> None:
    future = (clock.today() + dt.timedelta(days=30)).isoformat()
    response = browser_client.post(
        reverse("site:candidate_new"),
        _candidate(email="hanne@", mobile="12", birth_date=future),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "valid e-mail" in " ".join(form.errors["email"])
    assert "phone number" in " ".join(form.errors["mobile"])
    assert "future" in " ".join(form.errors["birth_date"])
    html = response.content.decode()
    assert 'value="Claeys"' in html  # nothing typed is lost
    assert not Person.objects.filter(last_name="Claeys").exists()


@pytest.mark.req("R1.1", "R2.1")
def test_a_medium_without_a_name_is_refused(browser_client: Client) -> None:
    response = browser_client.post(reverse("site:candidate_new"), _candidate(source_name=""))
    assert response.status_code == 200
    assert "source_name" in response.context["form"].errors


@pytest.mark.req("R1.1")
def test_an_existing_person_is_reported_not_duplicated(browser_client: Client) -> None:
    browser_client.post(reverse("site:candidate_new"), _candidate())
    response = browser_client.post(
        reverse("site:candidate_new"), _candidate(email="HANNE.CLAEYS@example.com ")
    )
    assert response.status_code == 200
    assert "already exists" in " ".join(response.context["form"].non_field_errors())
    assert Person.objects.filter(last_name="Claeys").count() == 1


@pytest.mark.req("R1.1", "R7.1")
def test_editing_personal_details_is_validated_and_audited_by_field_name(
    browser_client: Client,
) -> None:
    browser_client.post(reverse("site:candidate_new"), _candidate())
    person = Person.objects.get(last_name="Claeys")
    url = reverse("site:person_edit", args=[person.pk])
    fields = {
        "first_name": "Hanne",
        "last_name": "Claeys",
        "gender": "",
        "civil_status": "",
        "nationality": "",
        "preferred_language": "",
        "contact_channel": "",
        "contact_times": "",
        "notes": "",
        "updated_at": person.updated_at.isoformat(),  # the version the form was opened at
    }
    bad = browser_client.post(url, {**fields, "birth_date": "2999-01-01"})
    assert bad.status_code == 200
    assert "future" in " ".join(bad.context["form"].errors["birth_date"])
    person.refresh_from_db()
    assert person.birth_date == dt.date(1991, 4, 12)

    good = browser_client.post(
        url, {**fields, "birth_date": "1991-04-13", "notes": "<b>Flexibel</b>"}
    )
    assert good.status_code == 302, good.context["form"].errors
    person.refresh_from_db()
    assert person.birth_date == dt.date(1991, 4, 13)
    event = AuditEvent.objects.filter(action="update", subject=str(person.pseudonym)).get()
    assert event.detail == {"fields": ["birth_date", "notes"]}
    assert "1991" not in str(event.detail)
    page = browser_client.get(reverse("site:dossier", args=[person.pk])).content.decode()
    assert "&lt;b&gt;Flexibel&lt;/b&gt;" in page


@pytest.mark.req("R1.3")
def test_a_client_with_a_bad_vat_number_and_iban_gets_both_errors(browser_client: Client) -> None:
    response = browser_client.post(
        reverse("site:organisation_new"),
        {
            "kind": "client",
            "name": "Brouwerij Test",
            "vat_number": "BE0123456789",
            "iban": "BE00 0000 0000 0000",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "VAT" in " ".join(errors["vat_number"])
    assert "IBAN" in " ".join(errors["iban"])
    assert not Organisation.objects.exists()

    ok = browser_client.post(
        reverse("site:organisation_new"),
        {
            "kind": "client",
            "name": "Brouwerij Test",
            "vat_number": "0417.497.106",
            "iban": "BE71 0961 2345 6769",
        },
    )
    assert ok.status_code == 302
    saved = Organisation.objects.get()
    assert (saved.vat_number, saved.iban) == ("BE0417497106", "BE71096123456769")


@pytest.mark.req("R9.1")
def test_the_dpo_reads_the_registry_page_generated_from_the_declarations(dpo: Any) -> None:
    client = Client(headers={"accept-language": "en"})
    client.login(username=dpo.username, password=PASSWORD)
    page = client.get(reverse("site:registry")).content.decode()
    assert "<code>people.person</code>" in page
    assert "keep: Belgian bookkeeping law" in page  # the IBAN's erasure rule, from the registry
    assert "birth_date" in page
