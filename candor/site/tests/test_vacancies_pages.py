"""The vacancies area: list and filters, vacancy forms with stale-edit protection, and the
application pipeline board with its moves and procedure steps (R1.1, R1.2)."""

from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candor.api.tests.factories import (
    make_application,
    make_candidate,
    make_candidates,
    make_client,
    make_vacancy,
)
from candor.audit.models import AuditEvent
from candor.core import clock
from candor.core.actor import Actor
from candor.recruitment.models import (
    Application,
    Outcome,
    ProcedureStep,
    Stage,
    StepKind,
    Vacancy,
    VacancyStatus,
)
from candor.recruitment.services import (
    application_move,
    application_moves,
    procedure_step_record,
    vacancy_update,
)
from candor.site.pages.vacancies import CARDS_PER_COLUMN

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def web(consultant: Any) -> Client:
    client = Client(headers={"accept-language": "en"})  # messages are checked in English
    client.force_login(consultant)
    return client


@pytest.fixture
def vacancy(actor: Actor) -> Vacancy:
    return make_vacancy(actor, make_client(actor, name="Transport Maes"), title="Planner")


@pytest.fixture
def application(actor: Actor, vacancy: Vacancy) -> Application:
    return make_application(actor, make_candidate(actor, first_name="Lotte"), vacancy)


def _column(response: Any, stage: Stage) -> Any:
    return next(c for c in response.context["columns"] if c.stage == stage)


def _card_ids(response: Any, stage: Stage) -> list[int]:
    return [card.application.pk for card in _column(response, stage).cards]


def _events(application: Application) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            object_type="recruitment.application", object_id=str(application.pk), action="update"
        ).order_by("seq")
    )


# --- the list -------------------------------------------------------------------------------


@pytest.mark.req("R1.1")
def test_the_list_shows_each_vacancy_with_its_applications_per_stage(
    web: Client, actor: Actor, vacancy: Vacancy
) -> None:
    people = make_candidates(actor, 3)
    first, second, _third = (make_application(actor, p, vacancy) for p in people)
    application_move(actor=actor, application=first, stage=Stage.SCREENING)
    application_move(actor=actor, application=second, stage=Stage.REJECTED)

    response = web.get(reverse("site:vacancies"))

    assert response.status_code == 200
    [(shown, counts)] = response.context["rows"]
    assert shown == vacancy
    assert counts == [(Stage.NEW, 1), (Stage.SCREENING, 1), (Stage.REJECTED, 1)]
    page = response.content.decode()
    assert "Transport Maes" in page
    assert reverse("site:vacancy", args=[vacancy.pk]) in page
    assert reverse("site:vacancy_new") in page  # the "New vacancy" button


@pytest.mark.req("R1.1")
def test_the_list_counts_applications_in_one_query_whatever_the_page_holds(
    web: Client, actor: Actor, django_assert_max_num_queries: Any
) -> None:
    client = make_client(actor)
    people = make_candidates(actor, 10)
    for n in range(10):
        make_application(actor, people[n], make_vacancy(actor, client))
    web.get(reverse("site:vacancies"))  # warm the session

    # session, user, count, page, stage counts, client filter options
    with django_assert_max_num_queries(6):
        response = web.get(reverse("site:vacancies"))

    assert sum(n for _v, counts in response.context["rows"] for _s, n in counts) == 10


@pytest.mark.req("R1.1")
def test_filters_narrow_the_list(
    web: Client, actor: Actor, colleague: Any, vacancy: Vacancy
) -> None:
    theirs = Actor.for_user(colleague)
    other_client = make_client(theirs, name="Bakkerij Peeters")
    closed = make_vacancy(actor, vacancy.client, title="Chauffeur CE", status=VacancyStatus.CLOSED)
    colleagues = make_vacancy(theirs, other_client, title="Bakker")

    def titles(**params: str) -> set[str]:
        response = web.get(reverse("site:vacancies"), params)
        assert response.status_code == 200
        return {v.title for v, _counts in response.context["rows"]}

    assert titles() == {"Planner", "Chauffeur CE", "Bakker"}
    assert titles(status="closed") == {closed.title}
    assert titles(mine="1") == {"Planner", "Chauffeur CE"}
    assert titles(client=str(other_client.pk)) == {colleagues.title}
    assert titles(q="chauff") == {"Chauffeur CE"}
    assert titles(q="plan", status="open", mine="1") == {"Planner"}
    assert titles(status="nonsense", client="x") == titles()  # ignored, never a 500
    assert titles(client="9" * 40) == titles()


@pytest.mark.req("R1.1")
def test_the_list_is_paginated_and_the_pager_keeps_the_filters(web: Client, actor: Actor) -> None:
    client = make_client(actor)
    for n in range(30):
        make_vacancy(actor, client, title=f"Magazijnier {n}")

    first = web.get(reverse("site:vacancies"), {"q": "magazijnier"})
    second = web.get(reverse("site:vacancies"), {"q": "magazijnier", "page": "2"})

    assert len(first.context["rows"]) == 25
    assert len(second.context["rows"]) == 5
    assert "?q=magazijnier&amp;page=2" in first.content.decode()
    shown = [v.pk for v, _ in first.context["rows"]] + [v.pk for v, _ in second.context["rows"]]
    assert len(set(shown)) == 30


@pytest.mark.req("R1.1")
def test_titles_and_names_are_escaped_on_the_list(web: Client, actor: Actor) -> None:
    make_vacancy(actor, make_client(actor), title=f"Lasser {SCRIPT}")

    page = web.get(reverse("site:vacancies")).content.decode()

    assert SCRIPT not in page
    assert f"Lasser {html.escape(SCRIPT)}" in page


# --- new and edit ---------------------------------------------------------------------------


def _vacancy_form(client_id: int, **overrides: str) -> dict[str, str]:
    data = {
        "title": "Heftruckchauffeur",
        "reference": "vac-2026-01",
        "client": str(client_id),
        "status": "open",
        "consultant": "",
        "opened_on": "2026-03-02",
        "postcode": "2000",
        "city": "Antwerpen",
        "description": "Ploegenwerk",
    }
    return {**data, **overrides}


@pytest.mark.req("R1.1")
def test_a_new_vacancy_is_saved_and_audited(web: Client, actor: Actor, consultant: Any) -> None:
    client = make_client(actor)

    response = web.post(
        reverse("site:vacancy_new"), _vacancy_form(client.pk, consultant=str(consultant.pk))
    )

    vacancy = Vacancy.objects.get(reference="VAC-2026-01")
    assert response.status_code == 302
    assert response["Location"] == reverse("site:vacancy", args=[vacancy.pk])
    assert (vacancy.title, vacancy.client, vacancy.consultant) == (
        "Heftruckchauffeur",
        client,
        consultant,
    )
    assert vacancy.opened_on == dt.date(2026, 3, 2)
    assert AuditEvent.objects.filter(
        action="create", object_type="recruitment.vacancy", object_id=str(vacancy.pk)
    ).exists()


@pytest.mark.req("R1.1")
def test_bad_vacancy_input_is_shown_per_field_and_what_was_typed_stays(
    web: Client, actor: Actor, vacancy: Vacancy
) -> None:
    response = web.post(
        reverse("site:vacancy_new"),
        _vacancy_form(vacancy.client_id, title="", opened_on="31/02/2026", client="999999"),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"title", "opened_on", "client"}
    assert 'value="Antwerpen"' in response.content.decode()  # nothing typed is lost
    assert not Vacancy.objects.filter(reference="VAC-2026-01").exists()


@pytest.mark.req("R1.1")
def test_a_reference_already_taken_is_refused_on_its_field(web: Client, vacancy: Vacancy) -> None:
    response = web.post(
        reverse("site:vacancy_new"), _vacancy_form(vacancy.client_id, reference=vacancy.reference)
    )

    assert response.status_code == 200
    assert "reference" in response.context["form"].errors
    assert Vacancy.objects.filter(reference=vacancy.reference).count() == 1


def _edit_form(web: Client, vacancy: Vacancy) -> dict[str, str]:
    """What the edit form holds when the consultant opens it, as they would post it back."""
    form = web.get(reverse("site:vacancy_edit", args=[vacancy.pk])).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = "" if value is None else str(getattr(value, "pk", value))
    return data


@pytest.mark.req("R1.1")
def test_an_edit_is_saved_and_audited_by_field_name(web: Client, vacancy: Vacancy) -> None:
    data = _edit_form(web, vacancy)

    response = web.post(
        reverse("site:vacancy_edit", args=[vacancy.pk]),
        {**data, "city": "Mechelen", "status": "filled"},
    )

    assert response.status_code == 302
    vacancy.refresh_from_db()
    assert (vacancy.city, vacancy.status) == ("Mechelen", VacancyStatus.FILLED)
    event = AuditEvent.objects.filter(
        action="update", object_type="recruitment.vacancy", object_id=str(vacancy.pk)
    ).get()
    assert event.detail == {"fields": ["city", "status"]}


@pytest.mark.req("R1.1")
def test_a_stale_edit_is_refused_and_nothing_is_overwritten(
    web: Client, vacancy: Vacancy, colleague: Any
) -> None:
    mine = _edit_form(web, vacancy)  # the consultant opens the form…
    vacancy_update(  # …a colleague saves a new title meanwhile…
        actor=Actor.for_user(colleague),
        vacancy_id=vacancy.pk,
        changes={"title": "Planner logistiek"},
        seen_updated_at=vacancy.updated_at,
    )
    url = reverse("site:vacancy_edit", args=[vacancy.pk])

    # …and the consultant saves their version, with the old title and a new city.
    refused = web.post(url, {**mine, "city": "Gent"})

    assert refused.status_code == 200
    form = refused.context["form"]
    assert "someone else changed this vacancy" in " ".join(form.non_field_errors())
    assert refused.context["conflicts"] == {"title": "Planner logistiek", "city": "—"}
    vacancy.refresh_from_db()
    assert (vacancy.title, vacancy.city) == ("Planner logistiek", "")  # the colleague's change
    assert form["city"].value() == "Gent"  # what was typed stays

    # Having seen the other change, saving again is a decision: it goes through.
    again = web.post(
        url, {**mine, "city": "Gent", "seen_updated_at": form["seen_updated_at"].value()}
    )
    assert again.status_code == 302
    vacancy.refresh_from_db()
    assert (vacancy.title, vacancy.city) == ("Planner", "Gent")


@pytest.mark.req("R1.1")
def test_a_damaged_edit_form_is_refused(web: Client, vacancy: Vacancy) -> None:
    data = _edit_form(web, vacancy)

    response = web.post(
        reverse("site:vacancy_edit", args=[vacancy.pk]),
        {**data, "title": "Iets anders", "seen_updated_at": "gisteren"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["seen_updated_at"]
    vacancy.refresh_from_db()
    assert vacancy.title == "Planner"


# --- the pipeline board ---------------------------------------------------------------------


@pytest.mark.req("R1.2")
def test_the_board_has_a_column_per_stage_in_order_with_cards(
    web: Client, actor: Actor, application: Application
) -> None:
    procedure_step_record(
        actor=actor,
        application=application,
        kind=StepKind.INTERVIEW,
        scheduled_at=clock.now(),
        outcome=Outcome.POSITIVE,
    )

    response = web.get(reverse("site:vacancy", args=[application.vacancy_id]))

    assert response.status_code == 200
    assert [c.stage for c in response.context["columns"]] == list(Stage)
    assert _card_ids(response, Stage.NEW) == [application.pk]
    [card] = _column(response, Stage.NEW).cards
    assert card.last_step.outcome == Outcome.POSITIVE
    assert _column(response, Stage.NEW).next_stage == Stage.SCREENING
    page = response.content.decode()
    assert reverse("site:dossier", args=[application.person_id]) in page
    assert reverse("site:procedure_step_new", args=[application.pk]) in page
    assert 'hx-post="{}"'.format(reverse("site:application_move", args=[application.pk])) in page


@pytest.mark.req("R1.2")
def test_moving_without_javascript_puts_the_card_in_the_next_column_and_audits_it(
    web: Client, application: Application
) -> None:
    response = web.post(
        reverse("site:application_move", args=[application.pk]),
        {"from": "new", "stage": "screening"},
    )

    board = reverse("site:vacancy", args=[application.vacancy_id])
    assert response.status_code == 302
    assert response["Location"] == f"{board}#application-{application.pk}"
    application.refresh_from_db()
    assert application.stage == Stage.SCREENING
    [event] = _events(application)
    assert event.detail == {"fields": ["stage"], "from": "new", "to": "screening"}
    after = web.get(board)
    assert _card_ids(after, Stage.SCREENING) == [application.pk]
    assert _card_ids(after, Stage.NEW) == []
    assert "moved to “Screening”" in after.content.decode()  # the message


@pytest.mark.req("R1.2")
def test_an_htmx_move_returns_the_board_fragment(web: Client, application: Application) -> None:
    response = web.post(
        reverse("site:application_move", args=[application.pk]),
        {"from": "new", "stage": "screening"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert page.startswith('<section id="pipeline"')  # the fragment htmx swaps in, no page
    assert "<html" not in page
    assert response.templates[0].name == "site/vacancies/_pipeline.html"
    assert _card_ids(response, Stage.SCREENING) == [application.pk]
    assert response.context["notice"]["level"] == "success"
    assert len(_events(application)) == 1


@pytest.mark.req("R1.2")
@pytest.mark.parametrize(
    ("posted", "expected"),
    [
        ({"from": "new", "stage": "interview"}, "the next stage is “Screening”"),
        ({"from": "new", "stage": "promoted"}, "not a stage"),
        ({"from": "screening", "stage": "interview"}, "moved to “New” by someone else"),
        ({}, "not a stage"),
    ],
)
def test_an_illegal_move_shows_a_message_and_changes_nothing(
    web: Client, application: Application, posted: dict[str, str], expected: str
) -> None:
    url = reverse("site:application_move", args=[application.pk])

    plain = web.post(url, posted, follow=True)
    htmx = web.post(url, posted, headers={"HX-Request": "true"})

    assert plain.status_code == htmx.status_code == 200
    assert expected in plain.content.decode()
    assert htmx.context["notice"]["level"] == "error"
    assert expected in htmx.context["notice"]["text"]
    application.refresh_from_db()
    assert application.stage == Stage.NEW
    assert _events(application) == []


@pytest.mark.req("R1.2")
def test_an_ended_procedure_does_not_move_again(web: Client, application: Application) -> None:
    url = reverse("site:application_move", args=[application.pk])
    web.post(url, {"from": "new", "stage": "rejected"})

    response = web.post(url, {"from": "rejected", "stage": "withdrawn"}, follow=True)

    assert "has ended (Rejected)" in response.content.decode()
    application.refresh_from_db()
    assert application.stage == Stage.REJECTED
    rejected = _column(response, Stage.REJECTED)
    assert _card_ids(response, Stage.REJECTED) == [application.pk]
    assert (rejected.next_stage, rejected.can_end) == (None, False)  # no moves offered any more
    page = response.content.decode()
    card = page[page.index(f'id="application-{application.pk}"') :]
    assert 'name="stage"' not in card[: card.index("</li>")]


@pytest.mark.req("R1.2")
def test_two_clicks_on_the_same_card_move_it_once(web: Client, application: Application) -> None:
    url = reverse("site:application_move", args=[application.pk])
    seen = {"from": "new", "stage": "screening"}

    web.post(url, seen)
    web.post(url, seen)  # a double click, or a colleague looking at the same board

    application.refresh_from_db()
    assert application.stage == Stage.SCREENING
    assert len(_events(application)) == 1


@pytest.mark.req("R1.2")
def test_the_board_offers_exactly_the_moves_the_service_accepts(
    actor: Actor, application: Application
) -> None:
    for current in Stage:
        for target in Stage:
            Application.objects.filter(pk=application.pk).update(stage=current)
            application.refresh_from_db()
            try:
                application_move(actor=actor, application=application, stage=target)
            except ValidationError:
                accepted = False
            else:
                accepted = True
            assert accepted == (target in application_moves(current)), (current, target)


@pytest.mark.req("R1.2")
def test_the_board_is_bounded_and_runs_a_constant_number_of_queries(
    web: Client, actor: Actor, vacancy: Vacancy, django_assert_max_num_queries: Any
) -> None:
    small = make_vacancy(actor, vacancy.client)
    for person in make_candidates(actor, 2):
        make_application(actor, person, small)
    people = make_candidates(actor, CARDS_PER_COLUMN + 12)
    applications = [make_application(actor, p, vacancy) for p in people]
    for application in applications[:5]:
        application_move(actor=actor, application=application, stage=Stage.SCREENING)
        procedure_step_record(
            actor=actor, application=application, kind="interview", scheduled_at=clock.now()
        )
    web.get(reverse("site:vacancy", args=[small.pk]))  # warm the session

    with CaptureQueriesContext(connection) as few:
        web.get(reverse("site:vacancy", args=[small.pk]))
    # session, user, vacancy, stage counts, cards, last steps
    with django_assert_max_num_queries(6), CaptureQueriesContext(connection) as many:
        response = web.get(reverse("site:vacancy", args=[vacancy.pk]))

    assert len(many) == len(few)
    new = _column(response, Stage.NEW)
    assert (new.count, len(new.cards), new.more) == (CARDS_PER_COLUMN + 7, CARDS_PER_COLUMN, 7)
    assert len(_column(response, Stage.SCREENING).cards) == 5
    page = response.content.decode()
    assert "and 7 more" in page
    assert reverse("site:vacancy_applications", args=[vacancy.pk]) + "?stage=new" in page
    everyone = web.get(
        reverse("site:vacancy_applications", args=[vacancy.pk]), {"stage": "new", "page": "2"}
    )
    assert len(everyone.context["rows"]) == CARDS_PER_COLUMN + 7 - 50


@pytest.mark.req("R1.2")
def test_candidate_names_are_escaped_on_the_board(
    web: Client, actor: Actor, vacancy: Vacancy
) -> None:
    make_application(actor, make_candidate(actor, last_name=f"Janssens {SCRIPT}"), vacancy)

    page = web.get(reverse("site:vacancy", args=[vacancy.pk])).content.decode()

    assert SCRIPT not in page
    assert f"Janssens {html.escape(SCRIPT)}" in page


# --- procedure steps ------------------------------------------------------------------------


@pytest.mark.req("R1.2")
def test_recording_a_step_stores_its_fields_and_audits_it(
    web: Client, consultant: Any, application: Application
) -> None:
    response = web.post(
        reverse("site:procedure_step_new", args=[application.pk]),
        {
            "kind": "aptitude_test",
            "scheduled_at": "2026-03-04T14:30",
            "external_assessor": "Dr. Wouters",
            "test_name": "Cognitieve test",
            "outcome": "positive",
            "score": "7.5",
            "report": "Sterk in ruimtelijk inzicht.",
        },
    )

    assert response.status_code == 302
    step = ProcedureStep.objects.get(application=application)
    assert step.kind == StepKind.APTITUDE_TEST
    assert step.scheduled_at == dt.datetime(2026, 3, 4, 13, 30, tzinfo=dt.UTC)  # Brussels, CET
    assert (step.external_assessor, step.test_name) == ("Dr. Wouters", "Cognitieve test")
    assert (step.outcome, step.score) == (Outcome.POSITIVE, Decimal("7.50"))
    assert step.report == "Sterk in ruimtelijk inzicht."
    assert step.conducted_by == consultant
    assert step.provenance.kind == "agency"
    event = AuditEvent.objects.get(object_type="recruitment.procedurestep", object_id=str(step.pk))
    assert event.detail == {"kind": "aptitude_test"}
    assert event.subject == str(application.person.pseudonym)
    board = web.get(reverse("site:vacancy", args=[application.vacancy_id]))
    [card] = _column(board, Stage.NEW).cards
    assert card.last_step.pk == step.pk


@pytest.mark.req("R1.2")
def test_a_score_with_a_decimal_comma_is_understood_in_dutch(
    consultant: Any, application: Application
) -> None:
    client = Client(headers={"accept-language": "nl"})
    client.force_login(consultant)

    client.post(
        reverse("site:procedure_step_new", args=[application.pk]),
        {
            "kind": "interview",
            "scheduled_at": "04/03/2026 09:00",
            "outcome": "neutral",
            "score": "6,25",
        },
    )

    assert ProcedureStep.objects.get(application=application).score == Decimal("6.25")


@pytest.mark.req("R1.2")
def test_bad_step_input_redisplays_the_form_with_messages(
    web: Client, application: Application
) -> None:
    response = web.post(
        reverse("site:procedure_step_new", args=[application.pk]),
        {
            "kind": "selection_test",
            "scheduled_at": "morgen",
            "outcome": "great",
            "score": "-3",
            "report": "Te bespreken",
        },
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"scheduled_at", "outcome", "score", "test_name"}
    assert "Name the test" in " ".join(errors["test_name"])
    assert "Te bespreken" in response.content.decode()  # nothing typed is lost
    assert not ProcedureStep.objects.exists()


@pytest.mark.req("R1.2")
def test_the_step_form_lists_the_steps_so_far(
    web: Client, actor: Actor, application: Application
) -> None:
    procedure_step_record(
        actor=actor,
        application=application,
        kind=StepKind.SELECTION_TEST,
        scheduled_at=clock.now(),
        test_name="Excel-test",
        report=SCRIPT,
    )

    response = web.get(reverse("site:procedure_step_new", args=[application.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Excel-test" in page
    assert SCRIPT not in page
    assert html.escape(SCRIPT) in page


@pytest.mark.req("R1.2")
def test_unknown_applications_and_vacancies_are_404(web: Client) -> None:
    assert web.get(reverse("site:vacancy", args=[987654])).status_code == 404
    assert web.get(reverse("site:vacancy_edit", args=[987654])).status_code == 404
    assert web.get(reverse("site:procedure_step_new", args=[987654])).status_code == 404
    moved = web.post(reverse("site:application_move", args=[987654]), {"stage": "screening"})
    assert moved.status_code == 404
