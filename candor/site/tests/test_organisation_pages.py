"""Clients and suppliers in the back office: the list and its filters, one organisation with its
contact persons, contracts and invoices, the edit form that never overwrites a newer save, and
new contact persons with their source (R1.3, R2.1, R7.1)."""

from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from candor.api.tests.factories import belgian_iban, belgian_vat, make_candidate, make_client
from candor.audit.models import AuditEvent
from candor.core import clock
from candor.core.actor import Actor
from candor.people.models import ContactPoint, Person
from candor.people.services import ProvenanceSpec
from candor.relations.models import ContactPerson, Contract, Invoice, Organisation
from candor.relations.services import contact_person_create, organisation_update
from candor.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def browser(consultant: Any) -> Client:
    client = Client(headers={"accept-language": "en"})  # messages are checked in English
    assert client.login(username=consultant.username, password=PASSWORD)
    return client


def _contact(actor: Actor, organisation: Organisation, **overrides: Any) -> ContactPerson:
    data: dict[str, Any] = {
        "first_name": "Sofie",
        "last_name": "Wouters",
        "job_title": "HR-manager",
        "email": f"sofie.{Organisation.objects.count()}.{Person.objects.count()}@example.com",
        "source": ProvenanceSpec.parse("self", channel="form", recorded_by_id=actor.user_id),
    }
    data.update(overrides)
    return contact_person_create(actor=actor, organisation=organisation, **data)


def _contract(organisation: Organisation, reference: str, **overrides: Any) -> Contract:
    data: dict[str, Any] = {
        "kind": "recruitment",
        "reference": reference,
        "starts_on": clock.today() - dt.timedelta(days=90),
    }
    data.update(overrides)
    return Contract.objects.create(organisation=organisation, **data)


def _rows(response: Any) -> list[Any]:
    return list(response.context["page"].object_list)


# -- the list ------------------------------------------------------------------------------------


@pytest.mark.req("R1.3")
def test_the_list_filters_by_kind_name_and_sector(browser: Client, actor: Actor) -> None:
    client = make_client(actor, name="Brouwerij Het Anker", sector="voeding")
    supplier = make_client(actor, name="Drukkerij Anker", kind="supplier", sector="grafisch")
    both = make_client(actor, name="Transport Maes", kind="both", sector="logistiek")
    url = reverse("site:organisations")

    assert _rows(browser.get(url, {"kind": "client"})) == [client, both]
    assert _rows(browser.get(url, {"kind": "supplier"})) == [supplier, both]
    assert _rows(browser.get(url, {"q": "anker"})) == [client, supplier]
    assert _rows(browser.get(url, {"q": "anker", "sector": "grafisch"})) == [supplier]
    assert _rows(browser.get(url)) == [client, supplier, both]
    page = browser.get(url).content.decode()
    assert '<option value="grafisch">grafisch</option>' in page


@pytest.mark.req("R1.3")
def test_the_list_counts_contact_persons_and_open_contracts(browser: Client, actor: Actor) -> None:
    organisation = make_client(actor, name="Brouwerij Het Anker", billing_city="Mechelen")
    _contact(actor, organisation)
    _contact(actor, organisation, first_name="Jan", last_name="Peeters")
    _contract(organisation, "C-1")  # open-ended
    _contract(organisation, "C-2", ends_on=clock.today())  # ends today: still running
    _contract(organisation, "C-3", ends_on=clock.today() - dt.timedelta(days=1))  # ended

    row = _rows(browser.get(reverse("site:organisations")))[0]

    assert (row.contacts_count, row.open_contracts_count) == (2, 2)
    page = browser.get(reverse("site:organisations")).content.decode()
    assert "Mechelen" in page


@pytest.mark.req("R1.3")
def test_the_list_shows_25_a_page_in_a_constant_number_of_queries(
    browser: Client, actor: Actor, django_assert_max_num_queries: Any
) -> None:
    for n in range(3):
        organisation = make_client(actor, name=f"Bedrijf {n:02d}")
        _contact(actor, organisation)
        _contract(organisation, f"C-{n}")
    url = reverse("site:organisations")
    with django_assert_max_num_queries(8) as few:
        browser.get(url)
    for n in range(3, 30):
        organisation = make_client(actor, name=f"Bedrijf {n:02d}")
        _contact(actor, organisation)
        _contract(organisation, f"C-{n}")

    with django_assert_max_num_queries(8) as many:
        first = browser.get(url)
    second = browser.get(url, {"page": 2})

    assert len(many) == len(few)  # counts come from subqueries, not a query per row
    assert len(_rows(first)) == 25
    assert [o.name for o in _rows(second)] == [f"Bedrijf {n:02d}" for n in range(25, 30)]
    assert "Page 1 of 2" in first.content.decode()


@pytest.mark.req("R1.3")
def test_the_list_escapes_names(browser: Client, actor: Actor) -> None:
    make_client(actor, name=f"Anker {SCRIPT}")

    page = browser.get(reverse("site:organisations")).content.decode()

    assert SCRIPT not in page
    assert f"Anker {html.escape(SCRIPT)}" in page


# -- one organisation ----------------------------------------------------------------------------


@pytest.mark.req("R1.3", "R2.1")
def test_the_page_shows_financial_details_contacts_with_their_source_and_invoices(
    browser: Client, actor: Actor
) -> None:
    organisation = make_client(
        actor,
        name="Brouwerij Het Anker",
        vat_number="0417.497.106",
        iban="BE71 0961 2345 6769",
        billing_street="Guido Gezellelaan 49",
        billing_postcode="2800",
        billing_city="Mechelen",
    )
    contact = _contact(
        actor,
        organisation,
        phone="015 28 71 41",
        is_primary=True,
        source=ProvenanceSpec.parse("medium:LinkedIn", channel="form"),
    )
    contract = _contract(organisation, "REC-2024-001", fee_terms="20 % van het jaarloon")
    Invoice.objects.create(
        contract=contract,
        number="F-2024-0001",
        issued_on=dt.date(2024, 3, 31),
        amount=Decimal("1234.50"),
        paid_on=dt.date(2024, 4, 20),
    )
    Invoice.objects.create(
        contract=contract,
        number="F-2024-0002",
        issued_on=dt.date(2024, 4, 30),
        amount=Decimal("10000.00"),
        vat_rate=Decimal("6.00"),
    )

    response = browser.get(reverse("site:organisation", args=[organisation.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "BE 0417.497.106" in page
    assert "BE71 0961 2345 6769" in page
    assert "Guido Gezellelaan 49" in page
    assert "Sofie Wouters" in page
    assert "HR-manager" in page
    assert "Primary contact" in page
    assert contact.person.contact_points.get(kind="phone").value in page
    assert 'class="source source-medium"' in page
    assert ">LinkedIn</span>" in page
    assert "REC-2024-001" in page
    assert "20 % van het jaarloon" in page
    assert "€ 1.234,50" in page  # Belgian format: dot for thousands, comma for decimals
    assert "€ 1.493,75" in page  # 21 % VAT, rounded half up to the cent
    assert "€ 10.600,00" in page  # 6 % VAT
    assert "€ 11.234,50" in page  # invoiced in total
    assert "31/03/2024" in page
    assert "Unpaid" in page


@pytest.mark.req("R1.3")
def test_contacts_and_contracts_are_paged_in_a_constant_number_of_queries(
    browser: Client, actor: Actor, django_assert_max_num_queries: Any
) -> None:
    organisation = make_client(actor)
    url = reverse("site:organisation", args=[organisation.pk])
    _contact(actor, organisation, phone="0478 12 34 00")
    _contract(organisation, "C-000")
    with django_assert_max_num_queries(12) as few:
        browser.get(url)
    for n in range(1, 14):
        _contact(actor, organisation, first_name=f"Contact{n:02d}", phone=f"0478 12 34 {n:02d}")
        contract = _contract(organisation, f"C-{n:03d}")
        for k in range(15):
            Invoice.objects.create(
                contract=contract,
                number=f"F-{n:03d}-{k:02d}",
                issued_on=dt.date(2024, 1, 1) + dt.timedelta(days=k),
                amount=Decimal(100),
            )

    with django_assert_max_num_queries(12) as many:
        response = browser.get(url)

    assert len(many) == len(few)
    assert len(response.context["contacts"].object_list) == 10
    assert len(response.context["contract_rows"]) == 10
    assert all(len(row["invoices"]) == 12 for row in response.context["contract_rows"])
    page = response.content.decode()
    assert "The latest 12 of 15 invoices." in page
    second = browser.get(url, {"contacts": 2, "contracts": 2})
    assert len(second.context["contacts"].object_list) == 4
    assert len(second.context["contract_rows"]) == 4


@pytest.mark.req("R1.3")
def test_the_page_escapes_what_people_typed(browser: Client, actor: Actor) -> None:
    organisation = make_client(actor, name=f"Anker {SCRIPT}", website="javascript:alert(1)")
    _contact(actor, organisation, job_title=f"Directeur {SCRIPT}")
    _contract(organisation, "C-1", fee_terms=f"Vast bedrag {SCRIPT}")

    page = browser.get(reverse("site:organisation", args=[organisation.pk])).content.decode()

    assert SCRIPT not in page
    assert f"Directeur {html.escape(SCRIPT)}" in page
    assert f"Vast bedrag {html.escape(SCRIPT)}" in page
    assert 'href="javascript:' not in page


@pytest.mark.req("R1.3", "R7.1")
def test_the_dpo_reads_the_page_without_the_buttons_to_change_it(dpo: Any, actor: Actor) -> None:
    organisation = make_client(actor)
    client = Client()
    client.force_login(dpo)

    page = client.get(reverse("site:organisation", args=[organisation.pk])).content.decode()

    assert reverse("site:organisation_edit", args=[organisation.pk]) not in page
    assert reverse("site:contact_new", args=[organisation.pk]) not in page
    assert client.get(reverse("site:organisation_edit", args=[organisation.pk])).status_code == 403


# -- editing -------------------------------------------------------------------------------------


def _form(organisation: Organisation, **overrides: str) -> dict[str, str]:
    """What the edit form posts: the fields, their loaded values and the loaded version."""
    fields = {
        "kind": organisation.kind,
        "name": organisation.name,
        "sector": organisation.sector,
        "website": organisation.website,
        "vat_number": organisation.vat_number,
        "iban": organisation.iban,
        "bic": organisation.bic,
        "billing_street": organisation.billing_street,
        "billing_postcode": organisation.billing_postcode,
        "billing_city": organisation.billing_city,
        "billing_country": organisation.billing_country,
    }
    data = {**fields, **{f"initial-{k}": v for k, v in fields.items()}}
    data["updated_at"] = organisation.updated_at.isoformat()
    return {**data, **overrides}


@pytest.mark.req("R1.3", "R7.1")
def test_an_edit_is_saved_normalised_and_audited_by_field_name(
    browser: Client, actor: Actor
) -> None:
    organisation = make_client(actor, name="Brouwerij Het Anker")
    url = reverse("site:organisation_edit", args=[organisation.pk])
    assert browser.get(url).context["form"]["updated_at"].value() == (
        organisation.updated_at.isoformat()
    )
    iban = belgian_iban(96, 1234567)

    response = browser.post(
        url, _form(organisation, vat_number=belgian_vat(417497), iban=iban, bic="gkcc be bb")
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("site:organisation", args=[organisation.pk])
    organisation.refresh_from_db()
    assert (organisation.vat_number, organisation.iban, organisation.bic) == (
        belgian_vat(417497),
        iban,
        "GKCCBEBB",
    )
    event = AuditEvent.objects.get(action="update", object_type="relations.organisation")
    assert event.detail == {"fields": ["bic", "iban", "vat_number"]}
    assert iban not in str(event.detail)


@pytest.mark.req("R1.3")
def test_a_bad_vat_number_and_iban_are_shown_per_field_and_nothing_changes(
    browser: Client, actor: Actor
) -> None:
    organisation = make_client(actor, name="Brouwerij Het Anker")
    url = reverse("site:organisation_edit", args=[organisation.pk])

    response = browser.post(
        url, _form(organisation, name="Anker", vat_number="BE0123456789", iban="BE00 1234")
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "VAT" in " ".join(errors["vat_number"])
    assert "IBAN" in " ".join(errors["iban"])
    page = response.content.decode()
    assert 'value="BE0123456789"' in page  # what was typed stays
    assert 'class="field has-error"' in page
    organisation.refresh_from_db()
    assert (organisation.name, organisation.vat_number) == ("Brouwerij Het Anker", "")
    assert not AuditEvent.objects.filter(action="update").exists()


@pytest.mark.req("R1.3", "R7.1")
def test_a_stale_edit_is_refused_and_the_other_consultants_save_survives(
    browser: Client, actor: Actor, colleague: Any
) -> None:
    organisation = make_client(actor, name="Brouwerij Het Anker", sector="voeding")
    url = reverse("site:organisation_edit", args=[organisation.pk])
    opened = _form(organisation)  # the consultant opens the form …
    theirs = Organisation.objects.get(pk=organisation.pk)
    organisation_update(  # … a colleague saves first
        actor=Actor.for_user(colleague),
        organisation=theirs,
        data={**opened, "name": "Brouwerij Het Anker NV", "sector": "dranken"},
        expected_updated_at=None,
    )
    events = AuditEvent.objects.count()

    response = browser.post(url, {**opened, "name": "Het Anker", "billing_city": "Mechelen"})

    assert response.status_code == 200
    stored = Organisation.objects.get(pk=organisation.pk)
    assert (stored.name, stored.sector, stored.billing_city) == (
        "Brouwerij Het Anker NV",
        "dranken",
        "",
    )
    assert AuditEvent.objects.count() == events
    form = response.context["form"]
    assert "Someone else saved changes" in " ".join(form.non_field_errors())
    # What this consultant changed keeps what they typed; the collision is named on the field.
    assert form["name"].value() == "Het Anker"
    assert "Brouwerij Het Anker NV" in " ".join(form.errors["name"])
    assert form["billing_city"].value() == "Mechelen"
    # What only the colleague changed now shows the stored value, with the stored version.
    assert form["sector"].value() == "dranken"
    assert form["updated_at"].value() == stored.updated_at.isoformat()

    # Saving the re-displayed form again is a deliberate choice: it keeps the colleague's
    # sector and takes this consultant's name and city.
    assert 'name="initial-sector" value="dranken"' in response.content.decode()
    saved = browser.post(url, form.data.dict())  # what the browser sends back
    assert saved.status_code == 302
    stored.refresh_from_db()
    assert (stored.name, stored.sector, stored.billing_city) == (
        "Het Anker",
        "dranken",
        "Mechelen",
    )


@pytest.mark.req("R1.3")
def test_a_form_without_its_version_is_refused(browser: Client, actor: Actor) -> None:
    organisation = make_client(actor, name="Brouwerij Het Anker")
    url = reverse("site:organisation_edit", args=[organisation.pk])

    response = browser.post(url, _form(organisation, name="Anker", updated_at="gisteren"))

    assert response.status_code == 200
    assert "out of date" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.name == "Brouwerij Het Anker"


# -- contact persons -----------------------------------------------------------------------------


def _new_contact(**overrides: str) -> dict[str, str]:
    data = {
        "first_name": "Sofie",
        "last_name": "Wouters",
        "job_title": "HR-manager",
        "department": "Personeelsdienst",
        "email": "Sofie.Wouters@example.com",
        "phone": "015 28 71 41",
        "is_primary": "on",
        "source": "medium",
        "source_name": "LinkedIn",
    }
    return {**data, **overrides}


@pytest.mark.req("R1.3", "R2.1", "R7.1")
def test_a_new_contact_person_is_stored_with_role_source_and_audit(
    browser: Client, actor: Actor
) -> None:
    organisation = make_client(actor, name="Brouwerij Het Anker")
    url = reverse("site:contact_new", args=[organisation.pk])
    assert browser.get(url).status_code == 200

    response = browser.post(url, _new_contact())

    assert response.status_code == 302
    contact = ContactPerson.objects.select_related("person", "provenance").get()
    person = contact.person
    assert (person.is_client_contact, person.is_supplier_contact, person.is_candidate) == (
        True,
        False,
        False,
    )
    assert (contact.job_title, contact.department, contact.is_primary) == (
        "HR-manager",
        "Personeelsdienst",
        True,
    )
    assert (contact.provenance.kind, contact.provenance.name) == ("medium", "LinkedIn")
    assert person.provenance_id == contact.provenance_id
    points = {p.kind: p.normalised for p in ContactPoint.objects.filter(person=person)}
    assert points == {"email": "sofie.wouters@example.com", "phone": "+3215287141"}
    events = AuditEvent.objects.filter(subject=str(person.pseudonym)).order_by("seq")
    assert [(e.action, e.object_type) for e in events] == [
        ("create", "people.person"),
        ("create", "relations.contactperson"),
    ]
    assert "Wouters" not in str([e.detail for e in events])
    assert "example.com" not in str([e.detail for e in events])


@pytest.mark.req("R1.3")
def test_a_supplier_contact_gets_the_supplier_role(browser: Client, actor: Actor) -> None:
    supplier = make_client(actor, kind="supplier")

    browser.post(reverse("site:contact_new", args=[supplier.pk]), _new_contact())

    person = ContactPerson.objects.get().person
    assert (person.is_client_contact, person.is_supplier_contact) == (False, True)


@pytest.mark.req("R1.3")
def test_bad_contact_details_are_shown_per_field_and_nothing_is_stored(
    browser: Client, actor: Actor
) -> None:
    organisation = make_client(actor)

    response = browser.post(
        reverse("site:contact_new", args=[organisation.pk]),
        _new_contact(email="sofie@", phone="12", source_name=""),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"source_name"}  # the form's own check comes first
    response = browser.post(
        reverse("site:contact_new", args=[organisation.pk]),
        _new_contact(email="sofie@", phone="12"),
    )
    errors = response.context["form"].errors
    assert "valid e-mail" in " ".join(errors["email"])
    assert "phone number" in " ".join(errors["phone"])
    assert not Person.objects.filter(last_name="Wouters").exists()


@pytest.mark.req("R1.3")
def test_someone_already_known_is_linked_not_duplicated(browser: Client, actor: Actor) -> None:
    candidate = make_candidate(
        actor, first_name="Sofie", last_name="Wouters", emails=["sofie.wouters@example.com"]
    )
    organisation = make_client(actor)
    url = reverse("site:contact_new", args=[organisation.pk])

    response = browser.post(url, _new_contact(email="SOFIE.WOUTERS@example.com"))

    assert response.status_code == 302
    contact = ContactPerson.objects.get()
    assert contact.person_id == candidate.pk
    candidate.refresh_from_db()
    assert candidate.is_candidate
    assert candidate.is_client_contact
    assert candidate.contact_points.filter(kind="email").count() == 1
    assert candidate.contact_points.filter(kind="phone").count() == 1  # the new phone number
    update = AuditEvent.objects.get(action="update", subject=str(candidate.pseudonym))
    assert update.detail == {"fields": ["is_client_contact"]}

    again = browser.post(url, _new_contact(email="sofie.wouters@example.com"))
    assert "already a contact" in " ".join(again.context["form"].errors["last_name"])
    other = browser.post(url, _new_contact(first_name="Anna", phone=""))
    assert "another person" in " ".join(other.context["form"].errors["email"])
    assert ContactPerson.objects.count() == 1


@pytest.mark.req("R1.3")
def test_a_new_primary_contact_takes_the_flag_over(actor: Actor) -> None:
    organisation = make_client(actor)
    first = _contact(actor, organisation, is_primary=True)

    second = _contact(actor, organisation, first_name="Jan", last_name="Peeters", is_primary=True)

    first.refresh_from_db()
    assert (first.is_primary, second.is_primary) == (False, True)
    assert AuditEvent.objects.filter(
        action="update", object_type="relations.contactperson", object_id=str(first.pk)
    ).exists()
