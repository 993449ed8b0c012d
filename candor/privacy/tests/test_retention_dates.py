"""How long each person is kept (R5.1): the rules per role from the policy."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from candor.api.tests.factories import make_candidate
from candor.core.actor import Actor
from candor.people.models import Person
from candor.privacy.policy import DEFAULT_POLICY, policy
from candor.privacy.retention import (
    OPEN_ENDED,
    Facts,
    candidate_kept_until,
    kept_until,
    pension_date,
    retention_refresh,
)
from candor.privacy.services import career_end_record

pytestmark = pytest.mark.req("R5.1")

COLLECTED = dt.date(2026, 3, 10)


@pytest.mark.parametrize(
    ("birth", "pension"),
    [
        (dt.date(1959, 7, 14), dt.date(2024, 8, 1)),  # 65
        (dt.date(1962, 1, 31), dt.date(2028, 2, 1)),  # 66
        (dt.date(1970, 12, 5), dt.date(2038, 1, 1)),  # 67, the month after the birthday
    ],
)
def test_belgian_statutory_pension_date(birth: dt.date, pension: dt.date) -> None:
    assert pension_date(birth, policy()) == pension


def test_a_candidate_is_kept_until_the_pension_date() -> None:
    facts = Facts(collected_on=COLLECTED, is_candidate=True, birth_date=dt.date(1970, 12, 5))
    assert kept_until(facts) == (dt.date(2038, 1, 1), "candidate")


def test_never_longer_than_forty_years_after_collection() -> None:
    young = Facts(collected_on=COLLECTED, is_candidate=True, birth_date=dt.date(2004, 5, 1))
    assert kept_until(young) == (dt.date(2066, 3, 10), "candidate_max")
    unknown_age = Facts(collected_on=COLLECTED, is_candidate=True)
    assert kept_until(unknown_age) == (dt.date(2066, 3, 10), "candidate_max")


def test_a_recorded_career_end_wins_over_the_pension_age() -> None:
    facts = Facts(
        collected_on=COLLECTED,
        is_candidate=True,
        birth_date=dt.date(1970, 12, 5),
        career_ended_on=dt.date(2030, 6, 30),
    )
    assert kept_until(facts) == (dt.date(2030, 6, 30), "candidate")


def test_contract_parties_are_kept_for_the_bookkeeping_period_after_the_last_contract() -> None:
    ended = Facts(collected_on=COLLECTED, is_contact=True, last_contract_end=dt.date(2027, 12, 31))
    assert kept_until(ended) == (dt.date(2034, 12, 31), "contract_party")
    running = Facts(collected_on=COLLECTED, is_contact=True, last_contract_end=OPEN_ENDED)
    assert kept_until(running)[0] == OPEN_ENDED
    no_contract = Facts(collected_on=COLLECTED, is_contact=True)
    assert kept_until(no_contract) == (dt.date(2033, 3, 10), "contract_party")


def test_several_roles_keep_a_person_as_long_as_the_longest_needs() -> None:
    both = Facts(
        collected_on=COLLECTED,
        is_candidate=True,
        is_contact=True,
        birth_date=dt.date(1959, 7, 14),
        last_contract_end=dt.date(2027, 12, 31),
    )
    assert kept_until(both) == (dt.date(2034, 12, 31), "contract_party")


def test_site_accounts_expire_after_inactivity() -> None:
    facts = Facts(collected_on=COLLECTED, is_site_user=True, last_sign_in=dt.date(2027, 1, 2))
    assert kept_until(facts) == (dt.date(2030, 1, 2), "site_user")


@pytest.mark.django_db
def test_the_date_is_stored_and_follows_a_recorded_career_end(consultant: Any) -> None:
    actor = Actor.for_user(consultant)
    person = make_candidate(actor, birth_date=dt.date(1975, 4, 20))
    retention_refresh([person.pk])
    person.refresh_from_db()
    assert person.kept_until == dt.date(2042, 5, 1)
    career_end_record(actor=actor, person=person, ended_on=dt.date(2026, 1, 31))
    assert Person.objects.get(pk=person.pk).kept_until == dt.date(2026, 1, 31)


@pytest.mark.django_db
def test_a_new_candidate_gets_the_date_as_it_is_written(consultant: Any) -> None:
    actor = Actor.for_user(consultant)
    person = make_candidate(actor, birth_date=dt.date(1975, 4, 20))
    assert Person.objects.get(pk=person.pk).kept_until == dt.date(2042, 5, 1)


def test_a_new_candidate_s_date_follows_a_policy_loaded_again(settings: Any, tmp_path: Any) -> None:
    """New candidates' dates are remembered per policy (an import asks for thousands): a
    policy loaded again with another maximum gives the new date, not the remembered one."""
    born, collected = dt.date(2004, 5, 1), COLLECTED
    assert candidate_kept_until(born, collected) == dt.date(2066, 3, 10)
    shipped = DEFAULT_POLICY.read_text(encoding="utf-8")
    assert "max_years = 40" in shipped
    path = tmp_path / "policy.toml"
    path.write_text(shipped.replace("max_years = 40", "max_years = 10"), encoding="utf-8")
    settings.CANDOR_POLICY_FILE = str(path)
    policy.cache_clear()
    try:
        assert candidate_kept_until(born, collected) == dt.date(2036, 3, 10)
    finally:
        policy.cache_clear()
    settings.CANDOR_POLICY_FILE = ""
    assert candidate_kept_until(born, collected) == dt.date(2066, 3, 10)
