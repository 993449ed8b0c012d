"""The policy's ``[requests]`` table (R6.1): defaults, and a bad value named with its key."""

from __future__ import annotations

import pytest

from candor.privacy.policy import DEFAULT_POLICY, PolicyError, parse_policy, policy

pytestmark = pytest.mark.req("R6.1")


def test_the_shipped_policy_answers_in_one_month_extendable_by_two():
    rules = policy().requests
    assert rules.answer_months == 1
    assert rules.extension_months == 2
    assert rules.identity_suspends_clock is True
    assert rules.due_soon_days == 7


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("extension_months = 3", "requests.extension_months"),
        ("answer_months = 2", "requests.answer_months"),
        ("due_soon_days = 0", "requests.due_soon_days"),
        ("answer_in = 1", "requests.answer_in: unknown key (misspelt?)"),
    ],
)
def test_a_bad_requests_value_is_named(line, problem):
    shipped = DEFAULT_POLICY.read_text(encoding="utf-8")
    text = shipped.split("\n[requests]\n")[0] + f"\n[requests]\n{line}\n"

    with pytest.raises(PolicyError) as refused:
        parse_policy(text, source="agency.toml")
    assert problem in str(refused.value)
