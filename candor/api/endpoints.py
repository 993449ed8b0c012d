"""REST endpoints under /api/v1 (thin: parse, call a service or selector, shape the answer)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status

from candor.api import schemas as s
from candor.api.auth import TokenAuth, actor_of
from candor.core import clock
from candor.people.models import Channel, Person
from candor.people.services import (
    PERSON_EDITABLE,
    ProvenanceSpec,
    person_update,
    person_viewed,
)
from candor.recruitment import selectors
from candor.recruitment.intake import REJECTED, candidates_write
from candor.recruitment.models import Application, Vacancy
from candor.recruitment.records import (
    AddressData,
    CandidateRecord,
    EducationData,
    ExperienceData,
    clean_candidate,
)
from candor.recruitment.services import (
    application_create,
    application_move,
    procedure_step_record,
    vacancy_create,
)
from candor.relations.models import Organisation
from candor.relations.services import organisation_create

router = Router()


class Page(Schema):
    limit: int = 50
    offset: int = 0


def _page(qs: Any, page: Page) -> Any:
    limit = max(1, min(page.limit, 200))
    return qs[max(0, page.offset) : max(0, page.offset) + limit]


def _source(p: Any) -> dict:
    return {"kind": p.kind, "name": p.name, "channel": p.channel, "obtained_at": p.obtained_at}


def _source_spec(code: str, request: HttpRequest) -> ProvenanceSpec:
    try:
        return ProvenanceSpec.parse(code, channel=Channel.API, recorded_by_id=request.auth.pk)  # type: ignore[attr-defined]
    except ValueError as exc:
        raise ValidationError({"source": [str(exc)]}) from None


def _candidate_out(person: Person) -> dict:
    profile = getattr(person, "candidate", None)
    return {
        **{f: getattr(person, f) for f in ("id", *PERSON_EDITABLE, "roles")},
        "source": _source(person.provenance),
        "contacts": [
            {"kind": c.kind, "value": c.value, "source": _source(c.provenance)}
            for c in person.contact_points.all()
        ],
        "desired_function": profile.desired_function if profile else "",
        "current_function": profile.current_function if profile else "",
        "current_employer": profile.current_employer if profile else "",
        "languages": [{"language": x.language, "level": x.level} for x in person.languages.all()],
        "skills": [x.name for x in person.skills.all()],
    }


@router.get(
    "/candidates",
    auth=TokenAuth("candidate.view"),
    response=list[s.CandidateSummary],
    tags=["candidates"],
)
def list_candidates(
    request: HttpRequest, page: Query[Page], source: str = "", q: str = ""
) -> list[dict]:
    """Candidates, newest first; filter by ``source`` (e.g. ``medium:LinkedIn``) or name."""
    rows = _page(selectors.candidates(source=source, search=q), page)
    return [
        {
            "id": p.pk,
            "first_name": p.first_name,
            "last_name": p.last_name,
            "desired_function": getattr(getattr(p, "candidate", None), "desired_function", ""),
            "source": _source(p.provenance),
        }
        for p in rows
    ]


@router.get(
    "/candidates/{person_id}",
    auth=TokenAuth("candidate.view"),
    response={200: s.CandidateOut, 404: s.Problem},
    tags=["candidates"],
)
def get_candidate(request: HttpRequest, person_id: int) -> Any:
    """A candidate's dossier with the source of each item. The read is audited."""
    actor = actor_of(request)
    try:
        person = selectors.candidate_dossier(actor=actor, person_id=person_id, where="api")
    except Person.DoesNotExist:
        return Status(404, {"detail": f"there is no candidate {person_id}"})
    return _candidate_out(person)


@router.post(
    "/candidates",
    auth=TokenAuth("candidate.create"),
    response={201: s.CandidateOut, 409: s.Problem, 422: s.Problem},
    tags=["candidates"],
)
def create_candidate(request: HttpRequest, payload: s.CandidateIn) -> Any:
    """Create a candidate. A person with the same e-mail or phone is reported (409), not merged;
    so is a person on the suppression list (R6.11: they asked to be erased or objected)."""
    actor = actor_of(request)
    data = payload.dict()
    source = _source_spec(data.pop("source"), request)
    record = CandidateRecord(
        **{k: v for k, v in data.items() if k not in {"address", "education", "experience"}},
        address=AddressData(**data["address"]) if data["address"] else None,
        education=[EducationData(**e) for e in data["education"]],
        experience=[ExperienceData(**e) for e in data["experience"]],
    )
    cleaned = clean_candidate(record, today=clock.today())
    outcome = candidates_write(
        actor=actor, source=source, records=[cleaned], on_duplicate="report"
    )[0]
    if outcome.status == REJECTED:
        return Status(409, {"detail": outcome.message})
    assert outcome.person_id is not None  # noqa: S101 - a non-rejected outcome names its person
    person = selectors.candidate_dossier(actor=actor, person_id=outcome.person_id, where="api")
    return Status(201, _candidate_out(person))


@router.get(
    "/persons/{person_id}",
    auth=TokenAuth("person.view"),
    response={200: s.CandidateOut, 404: s.Problem},
    tags=["persons"],
)
def get_person(request: HttpRequest, person_id: int) -> Any:
    """Any person (candidate, client or supplier contact). The read is audited."""
    actor = actor_of(request)
    person = Person.objects.select_related("provenance").filter(pk=person_id).first()
    if person is None:
        return Status(404, {"detail": f"there is no person {person_id}"})
    person_viewed(actor=actor, person=person, where="api")
    return _candidate_out(person)


@router.patch(
    "/persons/{person_id}",
    auth=TokenAuth("person.change"),
    response={200: s.CandidateOut, 404: s.Problem, 422: s.Problem},
    tags=["persons"],
)
def patch_person(request: HttpRequest, person_id: int, payload: s.PersonPatch) -> Any:
    """Correct a person's own fields. Only the fields sent are changed; the change is audited."""
    actor = actor_of(request)
    person = Person.objects.select_related("provenance").filter(pk=person_id).first()
    if person is None:
        return Status(404, {"detail": f"there is no person {person_id}"})
    changes = payload.dict(exclude_unset=True)
    person_update(actor=actor, person=person, changes=changes)
    return _candidate_out(person)


@router.get(
    "/clients",
    auth=TokenAuth("organisation.view"),
    response=list[s.OrganisationOut],
    tags=["clients"],
)
def list_clients(request: HttpRequest, page: Query[Page]) -> Any:
    return _page(Organisation.objects.filter(kind__in=["client", "both"]).order_by("name"), page)


@router.post(
    "/clients",
    auth=TokenAuth("organisation.change"),
    response={201: s.OrganisationOut, 422: s.Problem},
    tags=["clients"],
)
def create_client(request: HttpRequest, payload: s.OrganisationIn) -> Any:
    """Create a client or supplier; VAT number and IBAN are validated."""
    actor = actor_of(request)
    if payload.kind not in {"client", "supplier", "both"}:
        raise ValidationError({"kind": ["Use client, supplier or both."]})
    return Status(201, organisation_create(actor=actor, data=payload.dict()))


@router.get(
    "/vacancies", auth=TokenAuth("vacancy.view"), response=list[s.VacancyOut], tags=["vacancies"]
)
def list_vacancies(request: HttpRequest, page: Query[Page], status: str = "") -> Any:
    qs = Vacancy.objects.order_by("-opened_on", "-id")
    return _page(qs.filter(status=status) if status else qs, page)


@router.post(
    "/vacancies",
    auth=TokenAuth("vacancy.change"),
    response={201: s.VacancyOut, 422: s.Problem},
    tags=["vacancies"],
)
def create_vacancy(request: HttpRequest, payload: s.VacancyIn) -> Any:
    actor = actor_of(request)
    data = payload.dict()
    client = Organisation.objects.filter(pk=data.pop("client_id")).first()
    if client is None:
        raise ValidationError({"client_id": ["There is no such client."]})
    return Status(
        201,
        vacancy_create(
            actor=actor, data={**data, "client": client, "consultant_id": actor.user_id}
        ),
    )


@router.get(
    "/applications",
    auth=TokenAuth("application.view"),
    response=list[s.ApplicationOut],
    tags=["applications"],
)
def list_applications(request: HttpRequest, page: Query[Page], vacancy_id: int = 0) -> Any:
    qs = Application.objects.order_by("-id")
    return _page(qs.filter(vacancy_id=vacancy_id) if vacancy_id else qs, page)


@router.post(
    "/applications",
    auth=TokenAuth("application.change"),
    response={201: s.ApplicationOut, 422: s.Problem},
    tags=["applications"],
)
def create_application(request: HttpRequest, payload: s.ApplicationIn) -> Any:
    actor = actor_of(request)
    person = Person.objects.filter(pk=payload.person_id).first()
    vacancy = Vacancy.objects.filter(pk=payload.vacancy_id).first()
    missing = {}
    if person is None:
        missing["person_id"] = ["There is no such person."]
    if vacancy is None:
        missing["vacancy_id"] = ["There is no such vacancy."]
    if person is None or vacancy is None:
        raise ValidationError(missing)
    return Status(
        201,
        application_create(
            actor=actor,
            person=person,
            vacancy=vacancy,
            source=_source_spec(payload.source, request),
            motivation=payload.motivation,
        ),
    )


def _application(application_id: int) -> Application:
    application = Application.objects.select_related("person").filter(pk=application_id).first()
    if application is None:
        raise Http404(f"there is no application {application_id}")
    return application


@router.post(
    "/applications/{application_id}/move",
    auth=TokenAuth("application.change"),
    response={200: s.ApplicationOut, 404: s.Problem, 422: s.Problem},
    tags=["applications"],
)
def move_application(request: HttpRequest, application_id: int, payload: s.MoveIn) -> Any:
    """Move to the next stage of the procedure (or to rejected / withdrawn)."""
    actor = actor_of(request)
    application = _application(application_id)
    return application_move(actor=actor, application=application, stage=payload.stage)


@router.post(
    "/applications/{application_id}/steps",
    auth=TokenAuth("application.change"),
    response={201: dict, 404: s.Problem, 422: s.Problem},
    tags=["applications"],
)
def record_step(request: HttpRequest, application_id: int, payload: s.StepIn) -> Any:
    """Record an interview or a test (when, outcome, score, report)."""
    actor = actor_of(request)
    application = _application(application_id)
    step = procedure_step_record(actor=actor, application=application, **payload.dict())
    return Status(201, {"id": step.pk, "kind": step.kind, "outcome": step.outcome})
