"""Back-office pages for subject requests (R6.1–R6.3, R6.12): the DPO's queues (inbox, due this
week, overdue, open, all), one request with its timeline, its messages and its actions as forms,
and the form any consultant uses to record a request received by phone or at the desk.

Every change goes through ``candor.rights.requests``; a refused action shows the page again with
the form as typed and the reason beside it. Opening a request is recorded in the audit trail: it
shows the requester's details.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from candor.accounts.permissions import can
from candor.core import clock
from candor.people.models import Person
from candor.privacy.models import RestrictionGround
from candor.privacy.policy import policy
from candor.rights.models import (
    Direction,
    Fee,
    IdentityMethod,
    Kind,
    Outcome,
    RequestChannel,
    Requester,
    SubjectRequest,
)
from candor.rights.requests import (
    Concerns,
    allowed_actions,
    request_ask_identity,
    request_choose_person,
    request_decide,
    request_extend,
    request_fee,
    request_message,
    request_open,
    request_residue_cleared,
    request_verify,
    request_viewed,
    request_withdraw,
)
from candor.rights.selectors import (
    QUEUES,
    request_counts,
    request_matches,
    request_timeline,
    requests_queue,
)
from candor.site.access import actor_of, require

PER_PAGE = 25
QUEUE_LABELS = {
    "inbox": gettext_lazy("Inbox: new and unverified"),
    "due_soon": gettext_lazy("Due this week"),
    "overdue": gettext_lazy("Overdue"),
    "open": gettext_lazy("All open"),
    "all": gettext_lazy("All"),
}
_LANGUAGES = [("", gettext_lazy("Their own, or the agency's")), ("nl", "Nederlands"),
              ("fr", "Français"), ("en", "English")]  # fmt: skip


def _purposes() -> list[tuple[str, str]]:
    return [("", "—")] + [(p.key, p.label.get()) for p in policy().purposes.values()]


def _text(label: Any, *, rows: int = 3, required: bool = False, **extra: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        **extra,
    )


class OpenForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Kind.choices)
    channel = forms.ChoiceField(label=gettext_lazy("Received by"), choices=RequestChannel.choices)
    received_on = forms.DateField(
        label=gettext_lazy("Received on"),
        required=False,
        help_text=gettext_lazy("Leave empty for today. A letter counts from the day it arrived."),
    )
    requester = forms.ChoiceField(label=gettext_lazy("Who asks"), choices=Requester.choices)
    requester_name = forms.CharField(label=gettext_lazy("Requester's name"), required=False)
    requester_email = forms.CharField(label=gettext_lazy("Requester's e-mail"), required=False)
    requester_phone = forms.CharField(label=gettext_lazy("Requester's phone"), required=False)
    requester_address = _text(gettext_lazy("Requester's postal address"), rows=2)
    first_name = forms.CharField(
        label=gettext_lazy("First name (person concerned)"), required=False
    )
    last_name = forms.CharField(label=gettext_lazy("Surname (person concerned)"), required=False)
    birth_date = forms.DateField(
        label=gettext_lazy("Birth date (person concerned)"), required=False
    )
    email = forms.CharField(label=gettext_lazy("E-mail (person concerned)"), required=False)
    phone = forms.CharField(label=gettext_lazy("Phone (person concerned)"), required=False)
    purpose = forms.ChoiceField(
        label=gettext_lazy("Purpose objected to or consent withdrawn"), required=False
    )
    restriction_ground = forms.ChoiceField(
        label=gettext_lazy("Ground for restriction"),
        required=False,
        choices=[("", "—"), *RestrictionGround.choices],
    )
    details = _text(gettext_lazy("The request, in their words"), rows=4)
    language = forms.ChoiceField(
        label=gettext_lazy("Answer in"), required=False, choices=_LANGUAGES
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = _purposes()  # type: ignore[attr-defined]


class NoteForm(forms.Form):
    note = _text(gettext_lazy("Note"), rows=2, max_length=300)


class VerifyForm(forms.Form):
    method = forms.ChoiceField(label=gettext_lazy("How"), choices=IdentityMethod.choices)
    note = forms.CharField(
        label=gettext_lazy("What was checked"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Never an identity card number; “ID seen at the desk” is enough."),
    )


class PersonForm(forms.Form):
    person_id = forms.IntegerField(label=gettext_lazy("Person number"), min_value=1)


class ExtendForm(forms.Form):
    months = forms.TypedChoiceField(
        label=gettext_lazy("Further months"), choices=[(1, "1"), (2, "2")], coerce=int
    )
    reason = _text(gettext_lazy("Reason the person will read"), required=True)


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Decision"), choices=Outcome.choices)
    reasons = _text(gettext_lazy("Reasons (required for a refusal)"))
    purpose = forms.ChoiceField(label=gettext_lazy("Purpose"), required=False)
    restriction_ground = forms.ChoiceField(
        label=gettext_lazy("Ground for restriction"),
        required=False,
        choices=[("", "—"), *RestrictionGround.choices],
    )
    grounds = _text(gettext_lazy("Objection: compelling legitimate grounds or legal claims"))
    obligations = _text(gettext_lazy("Kept under a legal obligation, and why"), rows=2)
    changes = _text(
        gettext_lazy("Rectification: the corrections, one per line as field = new value"),
        rows=3,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = _purposes()  # type: ignore[attr-defined]
        self.fields["changes"].help_text = _(
            "For example: last_name = Peeters, birth_date = 1990-04-02, "
            "address.postcode = 9000, profile.desired_function = Boekhouder, "
            "contact_points.new.email = naam@example.com"
        )

    def clean_changes(self) -> dict[str, str]:
        """``field = value`` lines into a mapping; a line without ``=`` is refused as typed."""
        changes: dict[str, str] = {}
        for number, line in enumerate(self.cleaned_data.get("changes", "").splitlines(), 1):
            if not line.strip():
                continue
            path, sep, value = line.partition("=")
            if not sep or not path.strip():
                raise ValidationError(
                    _("Line %(number)d is not of the form field = new value.") % {"number": number}
                )
            changes[path.strip()] = value.strip()
        return changes


class ResidueForm(forms.Form):
    note = _text(gettext_lazy("What was removed, and where (no personal data)"), required=True)


class FeeForm(forms.Form):
    fee = forms.ChoiceField(label=gettext_lazy("Fee"), choices=Fee.choices, required=False)
    fee_reason = _text(gettext_lazy("Why"), rows=2)


class MessageForm(forms.Form):
    direction = forms.ChoiceField(label=gettext_lazy("Direction"), choices=Direction.choices)
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), choices=RequestChannel.choices)
    subject = forms.CharField(label=gettext_lazy("Subject"), required=False, max_length=200)
    body = _text(gettext_lazy("What was said or written"), rows=4)


FORMS: dict[str, type[forms.Form]] = {
    "identity": NoteForm,
    "verify": VerifyForm,
    "person": PersonForm,
    "extend": ExtendForm,
    "decide": DecideForm,
    "fee": FeeForm,
    "message": MessageForm,
    "withdraw": NoteForm,
    "residue": ResidueForm,
}


def _request(request_id: int) -> SubjectRequest:
    try:
        return SubjectRequest.objects.select_related("person").get(pk=request_id)
    except SubjectRequest.DoesNotExist:
        raise Http404 from None


@require("requests.manage")
def request_list(request: HttpRequest) -> HttpResponse:
    """The DPO's queues, soonest deadline first (the inbox: oldest first)."""
    queue = request.GET.get("queue", "")
    queue = queue if queue in QUEUES else "inbox"
    today = clock.today()
    page = Paginator(requests_queue(queue, today), PER_PAGE).get_page(request.GET.get("page"))
    counts = request_counts(today)
    return render(
        request,
        "site/requests/list.html",
        {
            "page": page,
            "queue": queue,
            "tabs": [(key, QUEUE_LABELS[key], counts[key]) for key in QUEUES],
            "today": today,
            "can_open": can(request.user, "requests.open"),
        },
    )


def _concerns(data: dict[str, Any]) -> Concerns:
    return Concerns(
        first_name=data["first_name"],
        last_name=data["last_name"],
        birth_date=data["birth_date"],
        email=data["email"],
        phone=data["phone"],
    )


def _received_at(day: dt.date | None) -> dt.datetime | None:
    if day is None or day == clock.today():
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


@require("requests.open")
def request_new(request: HttpRequest) -> HttpResponse:
    """Record a request received by phone, letter or at the desk."""
    form = OpenForm(request.POST or None, initial={"channel": RequestChannel.PHONE})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            opened = request_open(
                actor=actor_of(request),
                kind=data["kind"],
                channel=data["channel"],
                received_at=_received_at(data["received_on"]),
                requester=data["requester"],
                requester_name=data["requester_name"],
                requester_email=data["requester_email"],
                requester_phone=data["requester_phone"],
                requester_address=data["requester_address"],
                concerns=_concerns(data),
                purpose=data["purpose"],
                restriction_ground=data["restriction_ground"],
                details=data["details"],
                language=data["language"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Request %(reference)s recorded; the DPO handles it. Due %(due)s.")
                % {"reference": opened.reference, "due": opened.due_on.strftime("%d/%m/%Y")},
            )
            if can(request.user, "requests.manage"):
                return redirect("site:request", request_id=opened.pk)
            return redirect("site:request_new")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "site/requests/new.html",
        {"form": form, "can_manage": can(request.user, "requests.manage")},
        status=status,
    )


def _add_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _detail(
    request: HttpRequest, subject_request: SubjectRequest, failed: str = "", form: Any = None
) -> HttpResponse:
    bound = {name: cls() for name, cls in FORMS.items()}
    if failed:
        bound[failed] = form
    bound["decide"].initial = bound["decide"].initial or {"purpose": subject_request.purpose}
    allowed = set(allowed_actions(subject_request.status))
    today = clock.today()
    return render(
        request,
        "site/requests/detail.html",
        {
            "r": subject_request,
            "timeline": request_timeline(subject_request),
            "matches": request_matches(subject_request),
            "forms": bound,
            "failed": failed,
            "failed_form": form,
            "allowed": allowed,
            "today": today,
            "overdue": subject_request.is_open and subject_request.deadline < today,
            "first_period_over": today > subject_request.due_on,
            "can_view_privacy": can(request.user, "person.view"),
        },
        status=400 if failed else 200,
    )


@require("requests.manage")
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    """One request: its facts, deadline, matches, timeline and messages, and its actions."""
    subject_request = _request(request_id)
    request_viewed(actor=actor_of(request), request=subject_request, where="backoffice")
    return _detail(request, subject_request)


def _action(name: str, done: Any, write: Any) -> Any:
    """A POST-only view for one action: the form checked, the service called, then the request
    again with ``done`` said, or the page with the form as typed and the reason beside it."""

    @require("requests.manage")
    def view(request: HttpRequest, request_id: int) -> HttpResponse:
        if request.method != "POST":
            return HttpResponse(status=405, headers={"Allow": "POST"})
        subject_request = _request(request_id)
        form = FORMS[name](request.POST)
        if form.is_valid():
            try:
                write(actor_of(request), subject_request, form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, done)
                return redirect("site:request", request_id=subject_request.pk)
        return _detail(request, _request(request_id), failed=name, form=form)

    view.__name__ = f"request_{name}"
    return view


def _choose(actor: Any, subject_request: SubjectRequest, data: dict[str, Any]) -> None:
    person = Person.objects.filter(pk=data["person_id"]).first()
    if person is None:
        raise ValidationError({"person_id": _("There is no person with this number.")})
    request_choose_person(actor=actor, request=subject_request, person=person)


request_identity_view = _action(
    "identity",
    gettext_lazy("The person was asked to prove who they are; the clock is suspended."),
    lambda actor, r, d: request_ask_identity(actor=actor, request=r, note=d["note"]),
)
request_verify_view = _action(
    "verify",
    gettext_lazy("Identity verified; the clock runs again."),
    lambda actor, r, d: request_verify(actor=actor, request=r, **d),
)
request_person_view = _action(
    "person", gettext_lazy("The request is linked to this person."), _choose
)
request_extend_view = _action(
    "extend",
    gettext_lazy("Extended; the person was told why."),
    lambda actor, r, d: request_extend(actor=actor, request=r, **d),
)
request_decide_view = _action(
    "decide",
    gettext_lazy("Decided and carried out; the person was told."),
    lambda actor, r, d: request_decide(actor=actor, request=r, **d),
)
request_fee_view = _action(
    "fee",
    gettext_lazy("Fee flag saved."),
    lambda actor, r, d: request_fee(actor=actor, request=r, fee=d["fee"], reason=d["fee_reason"]),
)
request_message_view = _action(
    "message",
    gettext_lazy("Message logged."),
    lambda actor, r, d: request_message(actor=actor, request=r, **d),
)
request_residue_view = _action(
    "residue",
    gettext_lazy("Residue recorded as removed; the request is decided again."),
    lambda actor, r, d: request_residue_cleared(actor=actor, request=r, note=d["note"]),
)
request_withdraw_view = _action(
    "withdraw",
    gettext_lazy("Closed: withdrawn by the requester."),
    lambda actor, r, d: request_withdraw(actor=actor, request=r, note=d["note"]),
)


urlpatterns: list[URLPattern] = [
    path("privacy/requests/", request_list, name="requests"),
    path("privacy/requests/new/", request_new, name="request_new"),
    path("privacy/requests/<int:request_id>/", request_detail, name="request"),
    path(
        "privacy/requests/<int:request_id>/identity/",
        request_identity_view,
        name="request_identity",
    ),
    path("privacy/requests/<int:request_id>/verify/", request_verify_view, name="request_verify"),
    path("privacy/requests/<int:request_id>/person/", request_person_view, name="request_person"),
    path("privacy/requests/<int:request_id>/extend/", request_extend_view, name="request_extend"),
    path("privacy/requests/<int:request_id>/decide/", request_decide_view, name="request_decide"),
    path("privacy/requests/<int:request_id>/fee/", request_fee_view, name="request_fee"),
    path(
        "privacy/requests/<int:request_id>/messages/",
        request_message_view,
        name="request_message",
    ),
    path(
        "privacy/requests/<int:request_id>/residue/", request_residue_view, name="request_residue"
    ),
    path(
        "privacy/requests/<int:request_id>/withdraw/",
        request_withdraw_view,
        name="request_withdraw",
    ),
]
