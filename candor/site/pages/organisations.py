"""Back-office pages: clients and suppliers, their contact persons, contracts and invoices (R1.3).

Lists are paginated and their counts come from subqueries in the same query, so a page costs
the same number of queries whatever it shows. Writes go through ``candor.relations.services``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from stdnum import iban as stdnum_iban

from candor.accounts.permissions import can
from candor.core import clock
from candor.core.editing import StaleEdit
from candor.people.models import Channel, ContactPoint
from candor.people.services import ProvenanceSpec
from candor.relations.models import (
    ContactPerson,
    Contract,
    Invoice,
    Organisation,
    OrganisationKind,
)
from candor.relations.services import (
    ORGANISATION_FIELDS,
    contact_person_create,
    organisation_update,
)
from candor.site.access import actor_of, require
from candor.site.forms_relations import ContactPersonForm, OrganisationEditForm, VersionMixin

PER_PAGE = 25
CONTACTS_PER_PAGE = 10
CONTRACTS_PER_PAGE = 10
INVOICES_PER_CONTRACT = 12
KIND_FILTERS = {
    "client": [OrganisationKind.CLIENT, OrganisationKind.BOTH],
    "supplier": [OrganisationKind.SUPPLIER, OrganisationKind.BOTH],
}


def _count(queryset: QuerySet[Any], link: str) -> Coalesce:
    """The number of rows of ``queryset`` pointing at the outer organisation, as a subquery."""
    counted = (
        queryset.filter(**{link: OuterRef("pk")})
        .order_by()
        .values(link)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def open_contracts() -> QuerySet[Contract]:
    """Contracts that have not ended: no end date, or one today or later."""
    today = clock.today()
    return Contract.objects.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))


def organisations(*, kind: str = "", search: str = "", sector: str = "") -> QuerySet[Organisation]:
    qs = Organisation.objects.annotate(
        contacts_count=_count(ContactPerson.objects.all(), "organisation"),
        open_contracts_count=_count(open_contracts(), "organisation"),
    ).order_by("name", "pk")
    if kind in KIND_FILTERS:
        qs = qs.filter(kind__in=KIND_FILTERS[kind])
    if search.strip():
        qs = qs.filter(name__icontains=search.strip())
    if sector:
        qs = qs.filter(sector=sector)
    return qs


def vat_display(value: str) -> str:
    """Belgian VAT numbers as they are printed on invoices: ``BE 0417.497.106``."""
    if value.startswith("BE") and len(value) == 12 and value[2:].isdigit():
        digits = value[2:]
        return f"BE {digits[:4]}.{digits[4:7]}.{digits[7:]}"
    return value


def iban_display(value: str) -> str:
    return str(stdnum_iban.format(value)) if value else ""


def safe_web_address(value: str) -> str:
    """A web site worth linking to (never ``javascript:`` or other schemes)."""
    cleaned = value.strip()
    if cleaned.lower().startswith(("http://", "https://")):
        return cleaned
    if cleaned and "://" not in cleaned and ":" not in cleaned.split("/", 1)[0]:
        return f"https://{cleaned}"
    return ""


@require("organisation.view")
def organisation_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    query = request.GET.get("q", "")
    sector = request.GET.get("sector", "")
    page = Paginator(organisations(kind=kind, search=query, sector=sector), PER_PAGE).get_page(
        request.GET.get("page")
    )
    sectors = (
        Organisation.objects.exclude(sector="")
        .order_by("sector")
        .values_list("sector", flat=True)
        .distinct()[:200]
    )
    return render(
        request,
        "site/organisations/list.html",
        {
            "page": page,
            "kind": kind,
            "query": query,
            "sector": sector,
            "sectors": list(sectors),
            "kinds": [
                ("client", _("Clients")),
                ("supplier", _("Suppliers")),
            ],
            "can_change": can(request.user, "organisation.change"),
        },
    )


def _contacts(organisation: Organisation) -> QuerySet[ContactPerson]:
    return (
        ContactPerson.objects.filter(organisation=organisation)
        .select_related("person", "provenance__recorded_by")
        .prefetch_related(
            Prefetch(
                "person__contact_points",
                queryset=ContactPoint.objects.select_related("provenance__recorded_by").order_by(
                    "kind", "-is_primary", "pk"
                ),
            )
        )
        .order_by("-is_primary", "person__last_name", "person__first_name", "pk")
    )


def _contracts(organisation: Organisation) -> QuerySet[Contract]:
    invoices = Invoice.objects.filter(contract=OuterRef("pk")).order_by()
    today = clock.today()
    return (
        Contract.objects.filter(organisation=organisation)
        .select_related("signed_by__person")
        .annotate(
            is_open=Case(
                When(Q(ends_on__isnull=True) | Q(ends_on__gte=today), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            invoices_count=_count(Invoice.objects.all(), "contract"),
            invoiced=Subquery(
                invoices.values("contract").annotate(total=Sum("amount")).values("total")
            ),
            unpaid_count=_count(Invoice.objects.filter(paid_on__isnull=True), "contract"),
        )
        .order_by("-starts_on", "-pk")
    )


def latest_invoices(contracts: list[Contract]) -> dict[int, list[Invoice]]:
    """The newest invoices of each contract (at most ``INVOICES_PER_CONTRACT``), in one query."""
    ranked = (
        Invoice.objects.filter(contract__in=contracts)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("contract_id")],
                order_by=[F("issued_on").desc(), F("pk").desc()],
            )
        )
        .filter(rank__lte=INVOICES_PER_CONTRACT)
        .order_by("contract_id", "rank")
    )
    by_contract: dict[int, list[Invoice]] = {contract.pk: [] for contract in contracts}
    for invoice in ranked:
        by_contract[invoice.contract_id].append(invoice)
    return by_contract


def with_vat(invoice: Invoice) -> Decimal:
    """The amount including VAT, rounded to the cent as on the invoice (half up)."""
    return (invoice.amount * (100 + invoice.vat_rate) / 100).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


@require("organisation.view")
def organisation_detail(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    contacts = Paginator(_contacts(organisation), CONTACTS_PER_PAGE).get_page(
        request.GET.get("contacts")
    )
    contracts = Paginator(_contracts(organisation), CONTRACTS_PER_PAGE).get_page(
        request.GET.get("contracts")
    )
    invoices = latest_invoices(list(contracts))
    contract_rows = [
        {
            "contract": contract,
            "invoices": [
                {"invoice": invoice, "total": with_vat(invoice)}
                for invoice in invoices[contract.pk]
            ],
        }
        for contract in contracts
    ]
    return render(
        request,
        "site/organisations/detail.html",
        {
            "organisation": organisation,
            "vat": vat_display(organisation.vat_number),
            "iban": iban_display(organisation.iban),
            "website_url": safe_web_address(organisation.website),
            "contacts": contacts,
            "contracts": contracts,
            "contract_rows": contract_rows,
            "invoices_shown": INVOICES_PER_CONTRACT,
            "can_change": can(request.user, "organisation.change"),
            "can_view_dossiers": can(request.user, "candidate.view"),
        },
    )


def _initial(organisation: Organisation) -> dict[str, Any]:
    initial = {name: getattr(organisation, name) for name in ORGANISATION_FIELDS}
    initial["iban"] = iban_display(organisation.iban)
    initial["updated_at"] = organisation.updated_at.isoformat()
    return initial


def _add_errors(form: Any, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@require("organisation.change")
def organisation_edit(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    form: VersionMixin
    if request.method != "POST":
        form = OrganisationEditForm(initial=_initial(organisation))
    else:
        form = OrganisationEditForm(request.POST)
        if form.is_valid():
            try:
                changed = organisation_update(
                    actor=actor_of(request),
                    organisation=organisation,
                    data=form.organisation_data(),
                    expected_updated_at=form.cleaned_data["updated_at"],
                )
            except StaleEdit as exc:
                form = form.rebased(_initial(exc.current))
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                if changed:
                    messages.success(request, _("%(name)s saved.") % {"name": organisation.name})
                else:
                    messages.info(request, _("Nothing was changed."))
                return redirect("site:organisation", organisation_id=organisation.pk)
    return render(
        request,
        "site/organisations/form.html",
        {
            "form": form,
            "organisation": organisation,
            "title": _("Edit %(name)s") % {"name": organisation.name},
        },
    )


@require("organisation.change")
def contact_new(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    form = ContactPersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        source = ProvenanceSpec.parse(
            form.source_code(), channel=Channel.FORM, recorded_by_id=request.user.pk
        )
        try:
            contact = contact_person_create(
                actor=actor_of(request),
                organisation=organisation,
                source=source,
                **form.contact_data(),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(person)s is now a contact person of %(organisation)s.")
                % {"person": contact.person, "organisation": organisation.name},
            )
            return redirect("site:organisation", organisation_id=organisation.pk)
    return render(
        request,
        "site/organisations/form.html",
        {
            "form": form,
            "organisation": organisation,
            "title": _("New contact person for %(name)s") % {"name": organisation.name},
        },
    )


urlpatterns: list[URLPattern] = [
    path("organisations/", organisation_list, name="organisations"),
    path("organisations/<int:organisation_id>/", organisation_detail, name="organisation"),
    path("organisations/<int:organisation_id>/edit/", organisation_edit, name="organisation_edit"),
    path("organisations/<int:organisation_id>/contacts/new/", contact_new, name="contact_new"),
]
