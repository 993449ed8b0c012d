"""The in-house pages (R4.2): the client user outside and inside a session, the consultant's
pages, and the trajectory report page (R4.3)."""

from __future__ import annotations

import pytest
from django.core import mail

from candor.core.actor import Actor
from candor.disclosure.models import Disclosure
from candor.guidance.tests.factories import make_session, make_trajectory
from candor.inhouse.models import SessionView, SupervisionSession
from candor.inhouse.services import posting_create, session_open, session_search
from candor.people.services import ProvenanceSpec
from candor.relations.services import contact_person_create

pytestmark = [pytest.mark.django_db, pytest.mark.req("R4.2")]


def _session(world, consultant):
    return session_open(
        actor=Actor.for_user(consultant),
        consultant=consultant,
        client_user=world.client_user,
        vacancy_ids=[world.vacancy.pk],
        filters=["function"],
    )


def test_outside_a_session_every_client_page_refuses_with_a_message(world, client, caplog):
    client.force_login(world.client_user)
    person = world.candidates[0]

    for url in (
        "/inhouse/",
        f"/inhouse/candidates/{person.pk}/",
        f"/inhouse/?vacancy={world.vacancy.pk}&function=heftruck",
    ):
        response = client.get(url)
        assert response.status_code == 403
        assert "no open supervision session" in response.content.decode()
    assert person.last_name not in response.content.decode()
    assert "in-house access refused" in caplog.text
    assert not SessionView.objects.exists()
    assert not Disclosure.objects.exists()
    # the back office refuses too, and says where to go
    assert "supervised" in client.get("/candidates/").content.decode()


def test_inside_a_session_the_client_user_searches_and_opens_a_limited_dossier(
    world, consultant, client
):
    session = _session(world, consultant)
    client.force_login(world.client_user)

    page = client.get("/inhouse/", {"vacancy": world.vacancy.pk, "function": "heftruckchauffeur"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "3 candidates" in body
    assert all(p.last_name not in body for p in world.candidates)
    person = world.candidates[0]
    dossier = client.get(f"/inhouse/candidates/{person.pk}/")

    assert dossier.status_code == 200
    assert person.last_name not in dossier.content.decode()
    assert Disclosure.objects.get(person=person).reference == f"session:{session.pk}"
    # a filter the session does not allow is refused with the reason
    refused = client.get("/inhouse/", {"vacancy": world.vacancy.pk, "skills": "heftruck"})
    assert refused.status_code == 403
    assert "does not allow" in refused.content.decode()


def test_the_consultant_opens_follows_and_closes_a_session(world, consultant, client):
    client.force_login(consultant)
    response = client.post(
        "/inhouse/sessions/new/",
        {
            "client_user": world.client_user.pk,
            "vacancies": [world.vacancy.pk],
            "filters": ["function"],
            "hours": 2,
        },
    )
    session = SupervisionSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/inhouse/sessions/{session.pk}/"
    session_search(
        session=session,
        user=world.client_user,
        vacancy_id=world.vacancy.pk,
        filters={"function": "heftruckchauffeur"},
    )
    live = client.get(f"/inhouse/sessions/{session.pk}/live/").content.decode()
    assert "heftruckchauffeur" in live
    assert "every 3s" in live

    client.post(f"/inhouse/sessions/{session.pk}/close/")

    session.refresh_from_db()
    assert session.closed_at is not None
    assert session.closed_by_id == consultant.pk
    client.force_login(world.client_user)
    assert client.get("/inhouse/").status_code == 403


def test_too_long_a_session_is_refused_on_the_form(world, consultant, client):
    client.force_login(consultant)
    response = client.post(
        "/inhouse/sessions/new/",
        {"client_user": world.client_user.pk, "vacancies": [world.vacancy.pk], "hours": 12},
    )

    assert response.status_code == 200
    assert "from 1 to 8 hours" in response.content.decode()
    assert not SupervisionSession.objects.exists()


def test_another_consultants_session_is_not_found(world, consultant, colleague, client):
    session = _session(world, consultant)
    client.force_login(colleague)

    for url in (f"/inhouse/sessions/{session.pk}/", f"/inhouse/sessions/{session.pk}/live/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/inhouse/sessions/{session.pk}/close/").status_code == 404
    session.refresh_from_db()
    assert session.closed_at is None


def test_the_form_offers_only_users_and_vacancies_of_clients_one_is_posted_at(
    world, colleague, client, administrator
):
    posting_create(
        actor=Actor.for_user(administrator),
        consultant=colleague,
        organisation=world.other_vacancy.client,
        starts_on=world.posting.starts_on,
    )
    client.force_login(colleague)

    body = client.get("/inhouse/sessions/new/").content.decode()

    assert world.other_vacancy.title in body
    assert world.vacancy.title not in body
    assert "Ines" not in body


@pytest.mark.req("R4.3")
def test_the_trajectory_page_previews_and_sends_the_report(actor, client, consultant):
    from candor.api.tests.factories import make_candidate, make_client

    employer = make_client(actor)
    contact_person_create(
        actor=actor,
        organisation=employer,
        source=ProvenanceSpec.parse("self", channel="form", recorded_by_id=actor.user_id),
        first_name="Griet",
        last_name="Contact",
        email="hr@employer.example.com",
    )
    trajectory = make_trajectory(actor, make_candidate(actor), sponsor=employer)
    session = make_session(actor, trajectory, topic="Netwerken")
    client.force_login(consultant)
    assert "Report to the sponsor" in client.get(f"/trajectories/{trajectory.pk}/").content.decode()
    url = f"/trajectories/{trajectory.pk}/report/"

    preview = client.post(
        url, {"text": "Goed bezig.", "sessions": [session.pk], "action": "preview"}
    )
    assert "Netwerken" in preview.content.decode()
    assert not mail.outbox
    sent = client.post(url, {"text": "Goed bezig.", "sessions": [session.pk], "action": "send"})

    assert sent.status_code == 302
    assert mail.outbox[0].to == ["hr@employer.example.com"]
    assert Disclosure.objects.get(person=trajectory.person).legal_basis == "legal_obligation"
