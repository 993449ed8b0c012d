"""Back-office pages for disclosure: anonymous mailings to clients and single profiles (R4.1),
and the register of processors with their agreements (R4.4).

Thin: forms parse input, ``candor.disclosure`` decides and writes (the gate, the ledger, the
audit trail). A mailing's page polls its progress while ``candor worker`` sends it.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from candor.accounts.permissions import can
from candor.core import clock
from candor.disclosure.mailings import (
    mailing_clear_pitch,
    mailing_prepare,
    mailing_queue,
    profile_disclose,
    profile_refusal,
)
from candor.disclosure.models import (
    Mailing,
    MailingStatus,
    ProcessingAgreement,
    Processor,
    ProcessorKind,
    ProcessorService,
    Safeguard,
)
from candor.disclosure.processors import agreement_add, processor_save, processor_transfer
from candor.disclosure.profiles import build_profiles, render_profile
from candor.disclosure.selectors import agreement_status, processors_register
from candor.disclosure.services import DisclosureRefused
from candor.people.models import Person
from candor.privacy.policy import policy
from candor.privacy.registry import Category
from candor.privacy.ropa import category_label
from candor.recruitment.models import Vacancy, VacancyStatus
from candor.relations.models import Organisation, OrganisationKind
from candor.site.access import actor_of, require
from candor.site.forms import DateInput

PER_PAGE = 25
CLIENT_KINDS = [OrganisationKind.CLIENT, OrganisationKind.BOTH]


def _clients() -> Any:
    return Organisation.objects.filter(kind__in=CLIENT_KINDS).order_by("name")


class MailingForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("subject"), max_length=200)
    vacancy = forms.ModelChoiceField(
        label=gettext_lazy("vacancy"), queryset=Vacancy.objects.none(), required=False
    )
    candidates = forms.CharField(
        label=gettext_lazy("candidates (ids, separated by commas or spaces)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    clients = forms.ModelMultipleChoiceField(
        label=gettext_lazy("clients (with a vacancy: its client, if left empty)"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        vacancies = Vacancy.objects.filter(status=VacancyStatus.OPEN).order_by("reference")
        self.fields["vacancy"].queryset = vacancies  # type: ignore[attr-defined]
        self.fields["clients"].queryset = _clients()  # type: ignore[attr-defined]

    def clean_candidates(self) -> list[int]:
        raw = self.cleaned_data["candidates"]
        parts = [p for p in re.split(r"[\s,;]+", raw) if p]
        if not parts or not all(p.isdigit() for p in parts):
            raise ValidationError(_("Give candidate ids: numbers separated by commas or spaces."))
        return [int(p) for p in parts]


class ProfileForm(forms.Form):
    client = forms.ModelChoiceField(
        label=gettext_lazy("client"), queryset=Organisation.objects.none()
    )
    format = forms.ChoiceField(
        label=gettext_lazy("format"), choices=[("text", "Text"), ("html", "HTML")]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = _clients()  # type: ignore[attr-defined]


class ProcessorForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("name"), max_length=160)
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=ProcessorKind.choices)
    parent = forms.ModelChoiceField(
        label=gettext_lazy("works for processor"), queryset=Processor.objects.none(), required=False
    )
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("supplier organisation"),
        queryset=Organisation.objects.none(),
        required=False,
    )
    service = forms.ChoiceField(label=gettext_lazy("service"), choices=ProcessorService.choices)
    description = forms.CharField(
        label=gettext_lazy("what it does"), max_length=300, required=False
    )
    categories = forms.MultipleChoiceField(
        label=gettext_lazy("data categories"),
        choices=lambda: [(c.value, category_label(c)) for c in Category],
        widget=forms.CheckboxSelectMultiple,
    )
    country = forms.CharField(
        label=gettext_lazy("country (two letters)"), max_length=2, initial="BE"
    )
    location = forms.CharField(label=gettext_lazy("location"), max_length=120, required=False)
    safeguard = forms.ChoiceField(
        label=gettext_lazy("transfer safeguard"), choices=Safeguard.choices, required=False
    )
    review_on = forms.DateField(label=gettext_lazy("review on"), widget=DateInput)
    active = forms.BooleanField(label=gettext_lazy("in use"), required=False, initial=True)

    def __init__(self, *args: Any, exclude: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = Processor.objects.filter(kind=ProcessorKind.PROCESSOR)
        if exclude is not None:
            parents = parents.exclude(pk=exclude)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
        self.fields["organisation"].queryset = Organisation.objects.exclude(  # type: ignore[attr-defined]
            kind=OrganisationKind.CLIENT
        )


class AgreementForm(forms.Form):
    reference = forms.CharField(label=gettext_lazy("reference"), max_length=60, required=False)
    signed_on = forms.DateField(label=gettext_lazy("signed on"), widget=DateInput)
    valid_until = forms.DateField(
        label=gettext_lazy("valid until"), required=False, widget=DateInput
    )
    file = forms.FileField(label=gettext_lazy("signed agreement"), required=False)


class TransferForm(forms.Form):
    candidates = forms.CharField(
        label=gettext_lazy("candidates (ids, separated by commas or spaces)")
    )
    categories = forms.MultipleChoiceField(
        label=gettext_lazy("data categories"),
        choices=lambda: [(c.value, category_label(c)) for c in Category],
        widget=forms.CheckboxSelectMultiple,
    )
    purpose = forms.ChoiceField(
        label=gettext_lazy("purpose"),
        choices=lambda: [
            (p.key, p.label.get(get_language() or "en")) for p in policy().purposes.values()
        ],
    )

    clean_candidates = MailingForm.clean_candidates


def _errors_into(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# -- mailings ----------------------------------------------------------------------------------


@require("mailing.view")
def mailing_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(Mailing.objects.select_related("vacancy", "created_by"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "site/disclosure/mailing_list.html",
        {"page": page, "can_send": can(request.user, "mailing.send")},
    )


@require("mailing.send")
def mailing_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = MailingForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                prepared = mailing_prepare(
                    actor=actor_of(request),
                    subject=data["subject"],
                    person_ids=data["candidates"],
                    organisation_ids=[c.pk for c in data["clients"]],
                    vacancy=data["vacancy"],
                )
            except ValidationError as exc:
                _errors_into(form, exc)
            else:
                if prepared.left_out:
                    messages.warning(
                        request,
                        _(
                            "%(n)d of the chosen candidates were left out: they may not be "
                            "shared with clients (a restriction or an objection)."
                        )
                        % {"n": prepared.left_out},
                    )
                if prepared.contacts_left_out:
                    messages.info(
                        request,
                        _(
                            "%(n)d contact persons will not be written to: no e-mail address, "
                            "or they objected."
                        )
                        % {"n": prepared.contacts_left_out},
                    )
                return redirect("site:mailing", mailing_id=prepared.mailing.pk)
        status = 400
    else:
        initial = {"candidates": request.GET.get("candidates", "")}
        if (vacancy := request.GET.get("vacancy", "")).isdigit():
            initial["vacancy"] = vacancy
        form, status = MailingForm(initial=initial), 200
    return render(
        request,
        "site/form.html",
        {"form": form, "title": _("New anonymous mailing"), "cancel": reverse("site:mailings")},
        status=status,
    )


def _mailing(mailing_id: int) -> Mailing:
    return get_object_or_404(Mailing.objects.select_related("vacancy", "created_by"), pk=mailing_id)


@require("mailing.view")
def mailing_detail(request: HttpRequest, mailing_id: int) -> HttpResponse:
    mailing = _mailing(mailing_id)
    rows = list(mailing.candidates.order_by("position", "pk"))
    profiles = build_profiles(
        [r.person_id for r in rows], pitches={r.person_id: r.pitch for r in rows}
    )
    return render(
        request,
        "site/disclosure/mailing_detail.html",
        {
            "mailing": mailing,
            "candidates": [
                (row, render_profile(profiles[row.person_id]).html)
                for row in rows
                if row.person_id in profiles
            ],
            "recipients": mailing.recipients.select_related("organisation").order_by("pk")[:200],
            "is_draft": mailing.status == MailingStatus.DRAFT,
            "can_send": can(request.user, "mailing.send"),
            "polling": mailing.status in {MailingStatus.QUEUED, MailingStatus.SENDING},
        },
    )


@require("mailing.view")
def mailing_progress(request: HttpRequest, mailing_id: int) -> HttpResponse:
    mailing = _mailing(mailing_id)
    return render(
        request,
        "site/disclosure/_progress.html",
        {
            "mailing": mailing,
            "polling": mailing.status in {MailingStatus.QUEUED, MailingStatus.SENDING},
        },
    )


@require("mailing.send")
def mailing_pitch(request: HttpRequest, mailing_id: int) -> HttpResponse:
    mailing = _mailing(mailing_id)
    if request.method != "POST":
        return redirect("site:mailing", mailing_id=mailing.pk)
    person_id = request.POST.get("person_id", "")
    if not person_id.isdigit() or not mailing.candidates.filter(person_id=person_id).exists():
        raise Http404
    try:
        mailing_clear_pitch(
            actor=actor_of(request),
            mailing=mailing,
            person_id=int(person_id),
            text=request.POST.get("pitch", ""),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The text was cleared for this mailing."))
    return redirect("site:mailing", mailing_id=mailing.pk)


@require("mailing.send")
def mailing_send_now(request: HttpRequest, mailing_id: int) -> HttpResponse:
    mailing = _mailing(mailing_id)
    if request.method != "POST":
        return redirect("site:mailing", mailing_id=mailing.pk)
    try:
        mailing_queue(actor=actor_of(request), mailing=mailing)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Queued: the e-mails go out with the next run of the worker."))
    return redirect("site:mailing", mailing_id=mailing.pk)


# -- one profile -------------------------------------------------------------------------------


@require("profile.disclose")
def profile_page(request: HttpRequest, person_id: int) -> HttpResponse:
    if not Person.objects.filter(pk=person_id, is_candidate=True).exists():
        raise Http404
    refusal = profile_refusal(person_id)
    profile = None if refusal else render_profile(build_profiles([person_id])[person_id])
    return render(
        request,
        "site/disclosure/profile.html",
        {"person_id": person_id, "refusal": refusal, "profile": profile, "form": ProfileForm()},
        status=200,
    )


@require("profile.disclose")
def profile_download(request: HttpRequest, person_id: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("site:profile", person_id=person_id)
    form = ProfileForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the client the profile goes to."))
        return redirect("site:profile", person_id=person_id)
    fmt = form.cleaned_data["format"]
    try:
        content = profile_disclose(
            actor=actor_of(request),
            person_id=person_id,
            organisation=form.cleaned_data["client"],
            fmt=fmt,
        )
    except (DisclosureRefused, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("site:profile", person_id=person_id)
    response = HttpResponse(
        content,
        content_type="text/html; charset=utf-8" if fmt == "html" else "text/plain; charset=utf-8",
    )
    code = content.split()[1] if fmt == "text" else "profile"
    name = f"{code}.{'html' if fmt == 'html' else 'txt'}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# -- processors --------------------------------------------------------------------------------


@require("processor.view")
def processor_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "site/disclosure/processor_list.html",
        {
            "rows": processors_register(clock.today()),
            "today": clock.today(),
            "can_manage": can(request.user, "processor.manage"),
        },
    )


def _processor_form_page(request: HttpRequest, processor: Processor | None) -> HttpResponse:
    exclude = processor.pk if processor else None
    if request.method == "POST":
        form = ProcessorForm(request.POST, exclude=exclude)
        if form.is_valid():
            try:
                saved = processor_save(
                    actor=actor_of(request), data=dict(form.cleaned_data), processor=processor
                )
            except ValidationError as exc:
                _errors_into(form, exc)
            else:
                messages.success(request, _("The register entry was saved."))
                return redirect("site:processor", processor_id=saved.pk)
        status = 400
    else:
        initial = (
            {
                name: getattr(processor, name)
                for name in ProcessorForm.base_fields
                if name not in {"parent", "organisation"}
            }
            | {"parent": processor.parent_id, "organisation": processor.organisation_id}
            if processor
            else {"review_on": clock.today().replace(year=clock.today().year + 1)}
        )
        form, status = ProcessorForm(initial=initial, exclude=exclude), 200
    title = _("Edit %(name)s") % {"name": processor.name} if processor else _("New processor")
    cancel = (
        reverse("site:processor", args=[processor.pk]) if processor else reverse("site:processors")
    )
    return render(
        request, "site/form.html", {"form": form, "title": title, "cancel": cancel}, status=status
    )


@require("processor.manage")
def processor_new(request: HttpRequest) -> HttpResponse:
    return _processor_form_page(request, None)


@require("processor.manage")
def processor_edit(request: HttpRequest, processor_id: int) -> HttpResponse:
    return _processor_form_page(request, get_object_or_404(Processor, pk=processor_id))


@require("processor.view")
def processor_detail(request: HttpRequest, processor_id: int) -> HttpResponse:
    processor = get_object_or_404(
        Processor.objects.select_related("parent", "organisation"), pk=processor_id
    )
    today = clock.today()
    return render(
        request,
        "site/disclosure/processor_detail.html",
        {
            "processor": processor,
            "status": agreement_status(processor, today),
            "agreements": [(a, a.status_on(today)) for a in processor.agreements.all()],
            "subs": processor.sub_processors.all(),
            "disclosures": processor.disclosures.count(),
            "can_manage": can(request.user, "processor.manage"),
            "form": AgreementForm(),
        },
    )


@require("processor.manage")
def agreement_new(request: HttpRequest, processor_id: int) -> HttpResponse:
    processor = get_object_or_404(Processor, pk=processor_id)
    if request.method == "POST":
        form = AgreementForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                agreement_add(
                    actor=actor_of(request),
                    processor=processor,
                    signed_on=data["signed_on"],
                    valid_until=data["valid_until"],
                    reference=data["reference"],
                    upload=data["file"],
                )
            except ValidationError as exc:
                _errors_into(form, exc)
            else:
                messages.success(request, _("The agreement was recorded."))
                return redirect("site:processor", processor_id=processor.pk)
        status = 400
    else:
        form, status = AgreementForm(), 200
    return render(
        request,
        "site/disclosure/agreement_form.html",
        {"form": form, "processor": processor},
        status=status,
    )


@require("processor.view")
def agreement_file(request: HttpRequest, processor_id: int, agreement_id: int) -> FileResponse:
    agreement = get_object_or_404(ProcessingAgreement, pk=agreement_id, processor_id=processor_id)
    if not agreement.file:
        raise Http404
    return FileResponse(
        agreement.file.open("rb"),
        as_attachment=True,
        filename=agreement.original_name or f"agreement-{agreement.pk}",
    )


@require("processor.transfer")
def processor_transfer_page(request: HttpRequest, processor_id: int) -> HttpResponse:
    """Send candidates' data to a processor (an external assessor, say): a JSON file per
    transfer, recorded in the ledger; refused when the processor has no valid agreement."""
    processor = get_object_or_404(Processor, pk=processor_id)
    status = 200
    if request.method == "POST":
        form = TransferForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                sent = processor_transfer(
                    actor=actor_of(request),
                    processor=processor,
                    person_ids=data["candidates"],
                    categories=data["categories"],
                    purpose=data["purpose"],
                    reference=f"processor:{processor.pk}",
                )
            except DisclosureRefused as exc:
                form.add_error(None, str(exc))
                for reasons in exc.refused.values():
                    form.add_error(None, " ".join(reasons))
            else:
                body = "[" + ",\n".join(sent.values()) + "]\n"
                response = HttpResponse(body, content_type="application/json; charset=utf-8")
                name = f"transfer-{processor.pk}-{clock.today().isoformat()}.json"
                response["Content-Disposition"] = f'attachment; filename="{name}"'
                return response
        status = 400
    else:
        form = TransferForm(initial={"categories": processor.categories})
    return render(
        request,
        "site/form.html",
        {
            "form": form,
            "title": _("Send data to %(name)s") % {"name": processor.name},
            "cancel": reverse("site:processors"),
        },
        status=status,
    )


urlpatterns: list[URLPattern] = [
    path("disclosure/mailings/", mailing_list, name="mailings"),
    path("disclosure/mailings/new/", mailing_new, name="mailing_new"),
    path("disclosure/mailings/<int:mailing_id>/", mailing_detail, name="mailing"),
    path(
        "disclosure/mailings/<int:mailing_id>/progress/", mailing_progress, name="mailing_progress"
    ),
    path("disclosure/mailings/<int:mailing_id>/pitch/", mailing_pitch, name="mailing_pitch"),
    path("disclosure/mailings/<int:mailing_id>/queue/", mailing_send_now, name="mailing_queue"),
    path("disclosure/profiles/<int:person_id>/", profile_page, name="profile"),
    path(
        "disclosure/profiles/<int:person_id>/download/",
        profile_download,
        name="profile_download",
    ),
    path("disclosure/processors/", processor_list, name="processors"),
    path("disclosure/processors/new/", processor_new, name="processor_new"),
    path("disclosure/processors/<int:processor_id>/", processor_detail, name="processor"),
    path("disclosure/processors/<int:processor_id>/edit/", processor_edit, name="processor_edit"),
    path(
        "disclosure/processors/<int:processor_id>/transfer/",
        processor_transfer_page,
        name="processor_transfer",
    ),
    path(
        "disclosure/processors/<int:processor_id>/agreements/new/",
        agreement_new,
        name="agreement_new",
    ),
    path(
        "disclosure/processors/<int:processor_id>/agreements/<int:agreement_id>/file/",
        agreement_file,
        name="agreement_file",
    ),
]
