"""`candor demo` builds a believable agency once, on loopback only, through the real writers."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from candor.accounts.models import Role, User
from candor.audit.services import audit_verify
from candor.guidance.models import Trajectory, TrajectoryKind
from candor.people.models import ContactKind, ContactPoint, Person
from candor.recruitment.models import Application, LanguageSkill, Stage, Vacancy
from candor.relations.models import Contract, Organisation
from candor.rights.models import SubjectRequest


def _demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--no-serve", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.req("R1.1", "R1.2", "R1.3", "R2.1")
def test_demo_loads_a_full_agency_once() -> None:
    text = _demo()
    assert SubjectRequest.objects.count() == 9
    assert set(SubjectRequest.objects.values_list("status", flat=True)) == {
        "received",
        "awaiting_identity",
        "in_progress",
        "extended",
        "decided",
    }
    candidates = Person.objects.filter(is_candidate=True, erased_at__isnull=True)
    assert candidates.count() >= 500
    # one demo candidate was erased on request: what is left of them is the erased shell
    erased = Person.objects.get(erased_at__isnull=False)
    assert erased.first_name == ""
    assert not erased.languages.exists()
    # full profiles: every candidate has a profile, contact points, languages and experience
    assert candidates.filter(candidate__isnull=True).count() == 0
    assert candidates.filter(languages__isnull=True).count() == 0
    assert candidates.filter(experience__isnull=True).count() == 0
    assert Organisation.objects.filter(kind="client").count() == 40
    clients = Organisation.objects.filter(kind="client")
    assert all(c.contacts.exists() and c.contracts.exists() for c in clients)
    assert Vacancy.objects.count() == 80
    assert set(Application.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert Trajectory.objects.count() == 20
    assert {t.kind for t in Trajectory.objects.all()} == set(TrajectoryKind.values)
    assert all(t.sessions.exists() for t in Trajectory.objects.all())
    assert LanguageSkill.objects.filter(level="native").exists()
    # every e-mail is on a reserved domain
    emails = ContactPoint.objects.filter(kind=ContactKind.EMAIL).values_list("value", flat=True)
    assert all(e.endswith(".example.com") or e.endswith("@example.com") for e in emails)
    # several sources, all recorded
    assert candidates.values("provenance__kind").distinct().count() >= 4
    # staff accounts with the printed password
    for username, role in [
        ("consultant", Role.CONSULTANT),
        ("dpo", Role.DPO),
        ("admin", Role.ADMINISTRATOR),
        ("inhouse", Role.INHOUSE_CLIENT),
        ("client", Role.CLIENT),
    ]:
        user = User.objects.get(username=username)
        assert user.role == role
        assert user.check_password("candor-demo")
    assert "candor-demo" in text
    portal = User.objects.get(username="client")
    assert portal.contact is not None
    assert portal.contact.organisation.kind == "client"
    assert audit_verify().ok

    before = (Person.objects.count(), Application.objects.count(), Contract.objects.count())
    again = _demo()
    assert "already loaded" in again
    assert (Person.objects.count(), Application.objects.count(), Contract.objects.count()) == before


@pytest.mark.django_db
@pytest.mark.req("R7.1")
def test_demo_refuses_to_serve_beyond_loopback() -> None:
    with pytest.raises(CommandError, match="loopback"):
        call_command("demo", "--addrport", "0.0.0.0:8000")


@pytest.mark.django_db
@pytest.mark.req("R7.1")
def test_demo_refuses_to_run_in_production(settings: pytest.FixtureRequest) -> None:
    settings.PRODUCTION = True  # type: ignore[attr-defined]
    with pytest.raises(CommandError, match="production"):
        _demo()


@pytest.mark.django_db
@pytest.mark.req("R7.1")
def test_demo_dpo_and_administrator_get_two_factor_log_in_with_the_printed_secret(
    settings: Any,
) -> None:
    import pyotp

    from candor.accounts import second_factor
    from candor.demo.data import DEMO_TOTP_SECRET, DemoBuilder, DemoSize

    DemoBuilder(seed=1, size=DemoSize(candidates=0)).staff()
    out = StringIO()
    call_command("demo_code", stdout=out)
    text = out.getvalue()

    for username in ("dpo", "admin"):
        user = User.objects.get(username=username)
        assert second_factor.stored_secret(user) == DEMO_TOTP_SECRET
    assert not second_factor.enrolled(User.objects.get(username="consultant"))
    assert text.split()[0] == pyotp.TOTP(DEMO_TOTP_SECRET).now()
    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("demo_code")
