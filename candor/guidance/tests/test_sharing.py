"""Trajectory reports shared with the paying organisation (R4.3): exactly the categories the
policy allows, the legal basis it names, through the ledger, by e-mail to the sponsor's contact."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from candor.api.tests.factories import make_application, make_candidate, make_client, make_vacancy
from candor.core import clock
from candor.disclosure.models import Disclosure
from candor.disclosure.services import DisclosureRefused
from candor.guidance.sharing import (
    REPORT_FIELDS,
    ReportRefused,
    field_category,
    trajectory_report,
    trajectory_report_share,
)
from candor.guidance.tests.factories import make_session, make_trajectory
from candor.people.services import ProvenanceSpec
from candor.privacy import policy as policy_module
from candor.privacy.services import restriction_start
from candor.recruitment.services import procedure_step_record
from candor.relations.services import contact_person_create

pytestmark = [pytest.mark.django_db, pytest.mark.req("R4.3")]

PHONE = "+32 470 12 34 56"


@pytest.fixture
def outplacement(actor):
    employer = make_client(actor, name="Staalwerken Noord NV")
    contact_person_create(
        actor=actor,
        organisation=employer,
        source=ProvenanceSpec.parse("self", channel="form", recorded_by_id=actor.user_id),
        first_name="Griet",
        last_name="Personeelsdienst",
        email="hr@staalwerken.example.com",
        is_primary=True,
    )
    person = make_candidate(
        actor,
        first_name="Jonas",
        last_name="Verbeke",
        emails=["jonas.verbeke@example.com"],
        phones=[PHONE],
    )
    application = make_application(actor, person, make_vacancy(actor, employer))
    procedure_step_record(
        actor=actor,
        application=application,
        kind="aptitude_test",
        scheduled_at=clock.now() - dt.timedelta(days=2),
        outcome="positive",
        score=Decimal("87.5"),
        report="Uitstekend ruimtelijk inzicht ASSESSMENTVERSLAG",
    )
    trajectory = make_trajectory(actor, person, sponsor=employer, goal="GEHEIMDOEL")
    session = make_session(actor, trajectory, topic="Sollicitatietraining", notes="GEHEIMENOTA")
    return trajectory, session


def test_every_report_field_is_declared_in_a_category_the_policy_may_allow():
    allowed = set(policy_module.policy().sharing.trajectory_report.categories)
    categories = {field_category(label, n) for label, names in REPORT_FIELDS.items() for n in names}

    assert categories <= allowed  # the shipped policy: identity (the name), guidance


def test_the_report_goes_to_the_sponsor_through_the_ledger_with_exactly_the_allowed_categories(
    actor, outplacement
):
    trajectory, session = outplacement

    report = trajectory_report_share(
        actor=actor,
        trajectory=trajectory,
        text="Jonas volgde alle sessies en solliciteert actief.",
        session_ids=[session.pk],
    )

    (message,) = mail.outbox
    assert message.to == ["hr@staalwerken.example.com"]
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert "Jonas Verbeke" in body
        assert "Sollicitatietraining" in body
        for never in (
            "jonas.verbeke@example.com",
            "470",
            "87.5",
            "87,5",
            "ASSESSMENTVERSLAG",
            "GEHEIMDOEL",
            "GEHEIMENOTA",
        ):
            assert never not in body, never
    row = Disclosure.objects.get(person=trajectory.person)
    assert row.organisation_id == trajectory.sponsor_id
    assert row.categories == ["guidance", "identity"] == report.categories
    assert row.purpose == "guidance"
    assert row.legal_basis == "legal_obligation"
    assert row.channel == "email"
    assert row.reference == f"trajectory:{trajectory.pk}"
    assert row.content == message.body


def test_a_category_the_policy_leaves_out_never_appears(actor, outplacement, settings, tmp_path):
    shipped = policy_module.DEFAULT_POLICY.read_text(encoding="utf-8")
    narrowed = shipped.replace('categories = ["identity", "guidance"]', 'categories = ["guidance"]')
    assert narrowed != shipped
    path = tmp_path / "policy.toml"
    path.write_text(narrowed, encoding="utf-8")
    settings.CANDOR_POLICY_FILE = str(path)
    policy_module.policy.cache_clear()
    try:
        trajectory, session = outplacement
        report = trajectory_report_share(
            actor=actor, trajectory=trajectory, text="Goede vooruitgang.", session_ids=[session.pk]
        )
    finally:
        policy_module.policy.cache_clear()

    assert "Verbeke" not in report.text
    assert "Jonas" not in report.text
    assert Disclosure.objects.get(person=trajectory.person).categories == ["guidance"]


def test_a_text_holding_the_persons_contact_details_is_refused(actor, outplacement):
    trajectory, _session = outplacement

    for text in ("Bel hem op 0470 12 34 56.", "Mail: Jonas.Verbeke@example.com"):
        with pytest.raises(ReportRefused, match="contact details"):
            trajectory_report_share(actor=actor, trajectory=trajectory, text=text)
    assert not mail.outbox
    assert not Disclosure.objects.exists()


def test_a_restricted_person_is_not_reported_on(actor, outplacement):
    trajectory, _session = outplacement
    restriction_start(actor=actor, person=trajectory.person, ground="accuracy", via="email")

    with pytest.raises(DisclosureRefused):
        trajectory_report_share(actor=actor, trajectory=trajectory, text="Stand van zaken.")
    assert not mail.outbox
    assert not Disclosure.objects.exists()


def test_no_sponsor_or_no_contact_is_refused_with_a_reason(actor):
    person = make_candidate(actor)
    alone = make_trajectory(actor, person)
    with pytest.raises(ReportRefused, match="no paying organisation"):
        trajectory_report(alone, text="x")
    silent = make_trajectory(actor, person, sponsor=make_client(actor))
    with pytest.raises(ReportRefused, match="no contact person"):
        trajectory_report(silent, text="x")


def test_another_trajectorys_session_is_refused(actor, outplacement):
    trajectory, _session = outplacement
    other = make_trajectory(actor, make_candidate(actor), sponsor=trajectory.sponsor)
    foreign = make_session(actor, other)

    with pytest.raises(ReportRefused, match="this trajectory only"):
        trajectory_report(trajectory, text="", session_ids=[foreign.pk])


def test_the_policy_refuses_a_report_basis_the_purpose_does_not_rest_on():
    shipped = policy_module.DEFAULT_POLICY.read_text(encoding="utf-8")
    wrong = shipped.replace(
        'purpose = "guidance"\nlegal_basis = "legal_obligation"',
        'purpose = "guidance"\nlegal_basis = "legitimate_interest"',
    )
    with_contact = shipped.replace(
        'categories = ["identity", "guidance"]', 'categories = ["identity", "contact", "guidance"]'
    )

    with pytest.raises(policy_module.PolicyError, match=r"sharing\.trajectory_report\.legal_basis"):
        policy_module.parse_policy(wrong)
    with pytest.raises(policy_module.PolicyError, match="never holds contact"):
        policy_module.parse_policy(with_contact)
