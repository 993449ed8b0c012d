"""Erasure walks the registry (R6.6, R5.1): every declared personal value of a person goes, except
the fields the registry keeps under a named obligation; files, search entries go too; the audit
trail records it without a value."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models

from candor.accounts.models import RecoveryCode, Role, SecondFactor, User
from candor.api.tests.factories import (
    FAKE,
    make_candidate,
    make_client,
    make_vacancy,
    unique_email,
)
from candor.audit.models import AuditEvent
from candor.audit.services import audit_verify
from candor.core import clock
from candor.core.actor import Actor
from candor.disclosure.models import Disclosure, Mailing, MailingCandidate, MailingRecipient
from candor.guidance.models import GuidanceSession, Trajectory
from candor.inhouse.models import Posting, SessionView, SupervisionSession
from candor.people.models import Address, ContactKind, ContactPoint, Document, Person
from candor.portal.models import Introduction
from candor.privacy import erasure
from candor.privacy.erasure import erasure_plan, kept_fields, people_erase, person_erase
from candor.privacy.gate import may
from candor.privacy.models import (
    Consent,
    NoticeDuty,
    Objection,
    Restriction,
    StatementReceipt,
    StatementVersion,
)
from candor.privacy.registry import declarations
from candor.recruitment.models import (
    Application,
    CandidateProfile,
    Education,
    Experience,
    LanguageSkill,
    ProcedureStep,
    Skill,
)
from candor.relations.models import ContactPerson, Contract
from candor.rights.models import ACCOUNTABILITY, RequestMessage, SubjectRequest
from candor.search.backends import backend
from candor.search.services import CandidateSearch, search_index
from candor.selfservice.models import Correction

pytestmark = [pytest.mark.django_db, pytest.mark.req("R6.6", "R5.1")]

# The fields the registry keeps under a named obligation; a `keep` added to a declaration must be
# added here on purpose, with the reason it survives erasure. A subject request is the agency's
# proof that it answered (GDPR Art. 5(2)): what it was, when, and the decision stay; who asked
# and every message's content go.
KEPT: dict[str, str] = {
    f"rights.subjectrequest.{name}": ACCOUNTABILITY
    for name in (
        "kind",
        "channel",
        "received_at",
        "purpose",
        "restriction_ground",
        "identity_method",
        "identity_verified_at",
        "due_on",
        "extended_to",
        "extension_reason",
        "extension_notified_at",
        "outcome",
        "decision_reasons",
        "obligations_kept",
        "decided_at",
        "fee",
        "fee_reason",
        "closed_at",
    )
}


def _empty(value: Any) -> bool:
    return value in (None, "")


def full_dossier(actor: Actor, consultant: User, tmp_media: Any) -> Person:
    """One candidate with a value in every declared personal field of every model that reaches
    a Person (the test below fails when a new declaration is not filled here)."""
    now, today = clock.now(), clock.today()
    surname = FAKE.last_name() + "x"
    email = unique_email("wissen")
    person = make_candidate(
        actor,
        last_name=surname,
        birth_date=dt.date(1985, 4, 12),
        emails=[email],
    )
    Person.objects.filter(pk=person.pk).update(
        gender="f",
        civil_status="married",
        nationality="BE",
        preferred_language="nl",
        contact_channel="email",
        contact_times="na 18 uur",
        notes="Zoekt deeltijds werk.",
        career_ended_on=today + dt.timedelta(days=200),
        kept_until=today + dt.timedelta(days=300),
    )
    prov = person.provenance
    ContactPoint.objects.filter(person=person).update(label="privé")
    ContactPoint.objects.create(
        person=person,
        provenance=prov,
        kind=ContactKind.MOBILE,
        value="+32 470 12 34 56",
        normalised="+32470123456",
        label="gsm",
    )
    Address.objects.create(
        person=person,
        provenance=prov,
        street="Kerkstraat",
        number="12",
        box="3",
        postcode="2000",
        city="Antwerpen",
        country="BE",
    )
    body = b"%PDF-1.4 synthetic cv"
    document = Document(
        person=person,
        provenance=prov,
        kind="cv",
        original_name=f"CV {surname}.pdf",
        content_type="application/pdf",
        size=len(body),
        sha256=hashlib.sha256(body).hexdigest(),
    )
    document.file.save("cv.pdf", ContentFile(body), save=True)
    CandidateProfile.objects.update_or_create(
        person=person,
        defaults={
            "provenance": prov,
            "desired_function": "Boekhouder",
            "current_function": "Kassier",
            "current_employer": "Winkel NV",
            "available_from": today,
            "summary": "Nauwkeurig en rustig.",
            "career_ended_on": today + dt.timedelta(days=200),
        },
    )
    Education.objects.create(
        person=person,
        provenance=prov,
        kind="study",
        institution="Hogeschool Gent",
        field_of_study="Boekhouding",
        diploma="Bachelor",
        level="bachelor",
        started_on=dt.date(2003, 9, 1),
        ended_on=dt.date(2006, 6, 30),
    )
    Experience.objects.create(
        person=person,
        provenance=prov,
        employer="Winkel NV",
        function="Kassier",
        started_on=dt.date(2007, 1, 1),
        ended_on=dt.date(2020, 1, 1),
        description="Kassa en voorraad.",
    )
    LanguageSkill.objects.create(person=person, provenance=prov, language="fr", level="B2")
    Skill.objects.create(person=person, provenance=prov, name="Excel")
    client = make_client(actor)
    vacancy = make_vacancy(actor, client)
    application = Application.objects.create(
        person=person,
        vacancy=vacancy,
        provenance=prov,
        stage="interview",
        applied_on=today,
        motivation="Ik wil groeien.",
    )
    ProcedureStep.objects.create(
        application=application,
        provenance=prov,
        kind="interview",
        scheduled_at=now,
        test_name="Numeriek redeneren",
        outcome="passed",
        score=decimal.Decimal("7.5"),
        report="Sterk in cijfers.",
        external_assessor="Assessor BV",
    )
    trajectory = Trajectory.objects.create(
        person=person,
        provenance=prov,
        kind="outplacement",
        status="running",
        started_on=today,
        ended_on=today + dt.timedelta(days=90),
        goal="Een nieuwe job.",
    )
    GuidanceSession.objects.create(
        trajectory=trajectory,
        provenance=prov,
        held_at=now,
        duration_minutes=60,
        topic="Loopbaananalyse",
        notes="Goed gesprek.",
    )
    Consent.objects.create(
        person=person,
        purpose="job_alerts",
        given_at=now,
        given_via="portal",
        text_version="2026-01",
        text_shown="…",
        language="nl",
        evidence="formulier",
        expires_on=today + dt.timedelta(days=700),
        withdrawn_at=now,
        withdrawn_via="email",
    )
    Objection.objects.create(
        person=person,
        purpose="marketing",
        received_at=now,
        via="email",
        reason="Geen reclame.",
        status="overridden",
        override_grounds="Dwingende gronden.",
        decided_at=now,
    )
    Restriction.objects.create(
        person=person,
        ground="accuracy",
        note="Geboortedatum betwist.",
        via="email",
        started_at=now,
        lifted_at=now,
        lift_reason="Nagekeken.",
    )
    NoticeDuty.objects.create(
        person=person,
        provenance=prov,
        opened_at=now,
        due_on=today,
        first_contact_at=now,
        status="sent",
        sent_at=now,
        recipient=email,
        note="Per e-mail verstuurd.",
    )
    version = StatementVersion.objects.create(
        version="2026.1", published_on=today, body_nl="…", body_fr="…", body_en="…"
    )
    StatementReceipt.objects.create(
        person=person, version=version, kind="shown", channel="portal", at=now
    )
    contact = ContactPerson.objects.create(
        person=person,
        organisation=client,
        provenance=prov,
        job_title="Aankoper",
        department="Inkoop",
    )
    Contract.objects.create(
        organisation=client,
        kind="recruitment",
        reference="C-ERASE-1",
        starts_on=today,
        signed_by=contact,
    )
    Disclosure.objects.create(
        person=person,
        recipient_kind="client",
        organisation=client,
        recipient=client.name,
        categories=["career"],
        purpose="mediation",
        legal_basis="legitimate_interest",
        channel="email",
        at=now,
        actor="staff:1",
        content_sha256="0" * 64,
        content=f"Profiel van {person.first_name} {surname}",
    )
    mailing = Mailing.objects.create(subject="Profielen", created_at=now, total=1)
    MailingCandidate.objects.create(
        mailing=mailing, person=person, code="C-ERASE001", pitch="Sterk in cijfers."
    )
    MailingRecipient.objects.create(
        mailing=mailing, organisation=client, person=person, address=email, language="nl"
    )
    Introduction.objects.create(
        organisation=client,
        person=person,
        code="C-ERASE001",
        requested_at=now,
        status="accepted",
        asked_via="phone",
        evidence=f"{person.first_name} {surname} zei ja aan de telefoon.",
    )
    User.objects.create_user(
        username=email.split("@")[0],
        password="synthetic-password-1",
        email=email,
        first_name=person.first_name,
        last_name=surname,
        role=Role.SITE,
        person=person,
        last_login=now,
        language="fr",
    )
    request = SubjectRequest.objects.create(
        reference="REQ-2026-9999",
        kind="objection",
        channel="letter",
        received_at=now,
        person=person,
        purpose="marketing",
        restriction_ground="accuracy",
        details="Stop met reclame.",
        language="nl",
        requester="representative",
        requester_name="Mr. Advocaat",
        requester_email="advocaat@example.com",
        requester_phone="+3232000000",
        requester_address="Meir 2, 2000 Antwerpen",
        subject_first_name=person.first_name,
        subject_last_name=surname,
        subject_birth_date=dt.date(1985, 4, 12),
        subject_email=email,
        subject_phone="+32470123456",
        match_ids=[person.pk],
        identity_method="representative",
        identity_note="Volmacht gezien.",
        identity_verified_at=now,
        due_on=today,
        extended_to=today + dt.timedelta(days=60),
        extension_reason="Veel dossiers.",
        extension_notified_at=now,
        outcome="partly",
        decision_reasons="Een deel hebben wij nodig.",
        obligations_kept="Boekhouding.",
        decided_at=now,
        fee="excessive",
        fee_reason="Herhaald verzoek.",
        closed_at=now,
    )
    RequestMessage.objects.create(
        request=request,
        direction="in",
        channel="letter",
        at=now,
        address="Meir 2, 2000 Antwerpen",
        subject="Bezwaar",
        body=f"Ik schrijf namens {person.first_name} {surname}.",
        body_sha256="0" * 64,
        by="staff:1",
    )
    Correction.objects.create(
        person=person,
        field_path="last_name",
        old_value=surname,
        proposed_value=f"{surname}-Verbeterd",
        created_at=now,
        decided_by=consultant,
        decided_at=now,
        status="rejected",
        note=f"Identiteitskaart van {person.first_name} gezien.",
    )
    account = User.objects.get(person=person)
    SecondFactor.objects.create(
        user=account, secret="v1:sealed", created_at=now, confirmed_at=now, last_used_step=9
    )
    RecoveryCode.objects.create(user=account, code_hash="1" * 64, used_at=now)
    posting = Posting.objects.create(consultant=consultant, organisation=client, starts_on=today)
    client_user = User.objects.create_user(
        username=f"hr.{email.split('@')[0]}", role=Role.INHOUSE_CLIENT, client=client
    )
    session = SupervisionSession.objects.create(
        posting=posting,
        client_user=client_user,
        opened_by=consultant,
        opened_at=now,
        ends_at=now + dt.timedelta(hours=2),
    )
    SessionView.objects.create(session=session, kind="dossier", person=person, at=now)
    person.refresh_from_db()
    search_index([person.pk])
    return person


@pytest.fixture
def tmp_media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def _values(person_id: int) -> dict[str, list[Any]]:
    """Every declared personal field's values in the rows about this person."""
    found: dict[str, list[Any]] = {}
    for d in declarations():
        if d.subject is None:
            continue
        key = d.subject or "pk"
        rows = d.model._default_manager.filter(**{key: person_id})
        for name in d.fields:
            found[f"{d.label}.{name}"] = list(rows.values_list(name, flat=True))
    return found


def test_erasure_leaves_no_declared_personal_value_but_the_kept_ones(
    actor, consultant, tmp_media, django_capture_on_commit_callbacks
):
    person = full_dossier(actor, consultant, tmp_media)
    bystander = make_candidate(actor)
    before = _values(person.pk)
    unfilled = [f for f, values in before.items() if not any(not _empty(v) for v in values)]
    assert unfilled == [], "fill these in full_dossier() so erasure is tested on them"
    file_name = Document.objects.get(person=person).file.name
    assert default_storage.exists(file_name)
    surname = person.last_name
    terms, _notes = CandidateSearch(text=surname).terms()
    assert backend().ranked(terms, cap=10) == [person.pk]

    with django_capture_on_commit_callbacks(execute=True):
        report = person_erase(actor=actor, person=person, reason="request")

    assert report.erased == [person.pk]
    assert kept_fields() == KEPT
    after = _values(person.pk)
    left = {
        name: values
        for name, values in after.items()
        if name not in KEPT and any(not _empty(v) for v in values)
    }
    # What may remain of the Person row and the account: the registry's stated replacements.
    assert left == {
        "people.person.last_name": ["Erased"],
        "accounts.user.username": [f"erased-{User.objects.get(person=person).pk}"],
        "accounts.user.password": ["!"],
        "accounts.user.date_joined": [User.objects.get(person=person).date_joined],
    }
    for name in KEPT:
        assert after[name] == before[name]
    assert not default_storage.exists(file_name)
    assert backend().ranked(terms, cap=10) == []
    assert Person.objects.get(pk=person.pk).erased_at is not None
    assert Contract.objects.get().signed_by is None
    assert not may(person.pk, "mediation")
    # the bystander keeps everything
    assert Person.objects.get(pk=bystander.pk).erased_at is None
    assert ContactPoint.objects.filter(person=bystander).exists()


def test_the_audit_event_counts_rows_per_model_without_a_value(actor, consultant, tmp_media):
    person = full_dossier(actor, consultant, tmp_media)
    person_erase(actor=actor, person=person, reason="request")

    event = AuditEvent.objects.filter(action="erase").get()
    assert event.subject == str(person.pseudonym)
    assert event.detail["reason"] == "request"
    assert event.detail["rows"]["people.contactpoint"] == 2
    assert event.detail["rows"]["recruitment.procedurestep"] == 1
    assert event.detail["rows"]["people.person"] == 1
    assert person.last_name not in str(event.detail)
    assert audit_verify().ok


def test_a_batch_costs_the_same_number_of_queries_as_one_person(
    actor, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    one = make_candidate(actor)
    with CaptureQueriesContext(connection) as single:
        person_erase(actor=actor, person=one, reason="retention")
    many = [p.pk for p in [make_candidate(actor) for _ in range(6)]]
    with django_assert_max_num_queries(len(single.captured_queries)):
        report = people_erase(actor=actor, person_ids=many, reason="retention")
    assert sorted(report.erased) == sorted(many)


def test_erasing_twice_is_harmless_and_unknown_people_are_skipped(actor):
    person = make_candidate(actor)
    person_erase(actor=actor, person=person, reason="request")
    again = people_erase(actor=actor, person_ids=[person.pk, 10**9], reason="request")
    assert again.erased == []
    assert again.skipped == [person.pk, 10**9]
    assert AuditEvent.objects.filter(action="erase").count() == 1


def test_a_reason_is_a_code_never_free_text(actor):
    person = make_candidate(actor)
    with pytest.raises(ValueError, match="short code"):
        person_erase(actor=actor, person=person, reason="asked by Jan Peeters")


def test_a_failed_erasure_leaves_the_person_untouched(actor, monkeypatch):
    person = make_candidate(actor)

    def broken(ids: list[int]) -> None:
        raise RuntimeError("index down")

    monkeypatch.setattr(erasure, "search_remove", broken)
    with pytest.raises(RuntimeError):
        person_erase(actor=actor, person=person, reason="request")
    person.refresh_from_db()
    assert person.erased_at is None
    assert ContactPoint.objects.filter(person=person).exists()
    assert not AuditEvent.objects.filter(action="erase").exists()


def test_every_declaration_reaching_a_person_is_in_the_plan():
    planned = {step.declaration.label for step in erasure_plan()}
    declared = {d.label for d in declarations() if d.subject is not None}
    assert planned == declared
    labels = [step.declaration.label for step in erasure_plan()]
    # rows pointing at others go first
    assert labels.index("recruitment.procedurestep") < labels.index("recruitment.application")
    assert labels.index("guidance.guidancesession") < labels.index("guidance.trajectory")
    assert labels[-1] == "people.person"


def test_a_declaration_erasure_cannot_honour_is_refused_with_the_field_named():
    strict = models.DateTimeField()
    strict.set_attributes_from_name("seen_at")
    with pytest.raises(ImproperlyConfigured, match=r"Person\.seen_at"):
        erasure._emptied(Person, strict)
    with pytest.raises(ImproperlyConfigured, match="placeholder"):
        erasure._replacement(Person, "notes", "{name}")


def test_a_kept_field_on_rows_that_are_deleted_is_refused():
    from candor.privacy.registry import PD, Category, ModelDeclaration, keep

    declaration = ModelDeclaration(
        model=Skill,
        subject="person",
        fields={"name": PD(Category.CAREER, erasure=keep("a statute"))},
        not_personal={},
        on_erasure="delete_row",
    )
    with pytest.raises(ImproperlyConfigured, match="keep_row"):
        erasure._step(declaration)
    declaration.on_erasure = "keep_row"
    assert erasure._step(declaration).kept == {"name": "a statute"}


def test_a_model_pointing_at_deleted_rows_without_a_subject_path_stops_the_plan():
    from candor.privacy.registry import declaration_for

    step = erasure._Step(declaration_for(Application), delete=True)
    with pytest.raises(ImproperlyConfigured, match=r"ProcedureStep\.application"):
        erasure._links(step, {Application})
    assert erasure._links(step, {Application, ProcedureStep}) == []


def test_automatic_many_to_many_links_of_deleted_rows_are_removed_with_them():
    from django.contrib.auth.models import Group

    from candor.privacy.registry import declaration_for

    step = erasure._Step(declaration_for(Group), delete=True)
    links = {
        (link.model._meta.label, link.field, link.delete) for link in erasure._links(step, set())
    }
    assert links == {
        ("auth.Group_permissions", "group", True),
        ("accounts.User_groups", "group", True),
    }
