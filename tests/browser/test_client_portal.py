"""A client contact logs in to the portal, opens an anonymous profile it received and asks to
meet the candidate (R4.1)."""

from __future__ import annotations

from typing import Any

import pytest

from candor.accounts.models import Role, User
from candor.api.tests.factories import make_candidate, make_client
from candor.core.actor import Actor
from candor.disclosure.mailings import profile_disclose
from candor.disclosure.profiles import profile_code
from candor.people.services import ProvenanceSpec
from candor.portal.models import Introduction, IntroductionStatus
from candor.relations.services import contact_person_create
from candor.testing.personas import PASSWORD
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.req("R4.1")
def test_a_client_sees_a_received_profile_and_asks_to_meet_the_candidate(
    page: Any, actor: Actor, make_user: Any
) -> None:
    organisation = make_client(actor, name="Transport Oost NV")
    contact = contact_person_create(
        actor=actor,
        organisation=organisation,
        source=ProvenanceSpec.parse("self", channel="form", recorded_by_id=actor.user_id),
        first_name="Ine",
        last_name="Wouters",
        email="ine.wouters@client.example.com",
    )
    user: User = make_user("ine.wouters", Role.CLIENT, contact=contact)
    person = make_candidate(
        actor, first_name="Jens", last_name="Goossens", desired_function="Planner"
    )
    profile_disclose(actor=actor, person_id=person.pk, organisation=organisation)
    code = profile_code(person.pseudonym)

    log_in(page, user.username, PASSWORD)
    assert page.url.endswith("/clients/")
    page.click("main a[href='/clients/profiles/']")
    page.click(f"text={code}")
    assert "Planner" in page.inner_text("article")
    assert "Goossens" not in page.inner_text("main")
    page.click("button:has-text('Ask to meet')")
    page.wait_for_selector(".messages [role=status]")

    assert code in page.inner_text("main")
    introduction = Introduction.objects.get()
    assert (introduction.organisation_id, introduction.person_id) == (organisation.pk, person.pk)
    assert introduction.status == IntroductionStatus.REQUESTED
