"""Clients and suppliers through /api/v1 (R1.3): VAT number and IBAN checked and normalised."""

from __future__ import annotations

import pytest

from candor.api.tests.factories import FAKE, belgian_iban, belgian_vat, make_client
from candor.audit.models import AuditEvent
from candor.relations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.mark.req("R1.3")
def test_invalid_vat_and_iban_are_422_naming_both_fields(api):
    good_vat = belgian_vat(4567890)
    bad_vat = good_vat[:-2] + f"{(int(good_vat[-2:]) + 1) % 100:02d}"  # check digits off by one
    good_iban = belgian_iban(320, 701849)
    bad_iban = good_iban[:2] + f"{(int(good_iban[2:4]) + 1) % 100:02d}" + good_iban[4:]

    response = api.post(
        "/api/v1/clients",
        {"kind": "client", "name": FAKE.company(), "vat_number": bad_vat, "iban": bad_iban},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 422, response.content
    body = response.json()
    assert set(body["errors"]) == {"vat_number", "iban"}
    assert bad_vat in body["errors"]["vat_number"][0]
    assert "IBAN" in body["errors"]["iban"][0]
    assert "vat_number: " in body["detail"]
    assert "iban: " in body["detail"]
    assert not Organisation.objects.exists()


@pytest.mark.req("R1.3")
@pytest.mark.parametrize(
    ("vat_typed", "iban_typed"),
    [
        ("be 0456.789.034", "BE48 3200 7018 4927"),
        ("0456789034", "be48320070184927"),
        ("456.789.034", " BE48-3200-7018-4927 "),
    ],
)
def test_valid_belgian_vat_and_iban_are_stored_normalised(api, consultant, vat_typed, iban_typed):
    assert belgian_vat(4567890) == "BE0456789034"  # the generator agrees with the typed forms
    assert belgian_iban(320, 701849) == "BE48320070184927"

    response = api.post(
        "/api/v1/clients",
        {
            "kind": "client",
            "name": "Brouwerij De Schelde",
            "vat_number": vat_typed,
            "iban": iban_typed,
            "billing_city": "Antwerpen",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["vat_number"] == "BE0456789034"
    assert body["iban"] == "BE48320070184927"
    stored = Organisation.objects.get(pk=body["id"])
    assert (stored.vat_number, stored.iban) == ("BE0456789034", "BE48320070184927")
    assert stored.billing_city == "Antwerpen"
    event = AuditEvent.objects.get(object_type="relations.organisation")
    assert event.actor == f"staff:{consultant.pk}"
    assert "BE0456789034" not in str(event.detail)


@pytest.mark.req("R1.3")
def test_vat_and_iban_are_optional(api):
    response = api.post("/api/v1/clients", {"kind": "supplier", "name": FAKE.company()})

    assert response.status_code == 201
    assert (response.json()["vat_number"], response.json()["iban"]) == ("", "")


@pytest.mark.req("R1.3")
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "prospect", "name": "Acme"}, "kind"),
        ({"kind": "client", "name": "  "}, "name"),
        ({"kind": "client"}, "name"),
        ({"kind": "client", "name": "Acme", "vat_number": "NL123"}, "vat_number"),
        ({"kind": "client", "name": "Acme", "billing_country": "BEL"}, "billing_country"),
        ({"kind": "client", "name": "Acme", "rating": 5}, "rating"),
    ],
)
def test_invalid_organisation_is_422_on_its_field(api, payload, field):
    response = api.post("/api/v1/clients", payload)

    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert response.json()["detail"]
    assert not Organisation.objects.exists()


@pytest.mark.req("R1.3")
def test_client_list_leaves_out_pure_suppliers(api, consultant_actor):
    client = make_client(consultant_actor, name="Aannemer Claes")
    both = make_client(consultant_actor, name="Bakkerij Wouters", kind="both")
    make_client(consultant_actor, name="Catering Lambert", kind="supplier")

    response = api.get("/api/v1/clients")

    assert response.status_code == 200
    assert [row["id"] for row in response.json()] == [client.pk, both.pk]
