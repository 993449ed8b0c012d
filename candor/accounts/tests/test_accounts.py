"""Site accounts keep registration date, name and e-mail, never a clear password (R1.4)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from candor.accounts.models import Role, User
from candor.accounts.permissions import PERMISSIONS, can


@pytest.mark.django_db
@pytest.mark.req("R1.4")
def test_a_site_account_records_registration_date_name_and_email_with_a_hashed_password(
    make_user: Callable[..., User],
) -> None:
    user = make_user("registered", Role.SITE, first_name="Ine", last_name="Goossens")
    user.refresh_from_db()
    assert user.date_joined is not None
    assert (user.first_name, user.last_name) == ("Ine", "Goossens")
    assert user.email == "registered@candor.example.com"
    assert user.password.startswith("argon2$")
    assert "correct-horse" not in user.password


@pytest.mark.django_db
@pytest.mark.req("R7.1")
def test_administrators_configure_but_do_not_read_dossiers(
    administrator: User, consultant: User, dpo: User, inhouse_user: User, site_user: User
) -> None:
    assert can(consultant, "candidate.view")
    assert can(dpo, "candidate.view")
    assert not can(administrator, "candidate.view")
    assert can(administrator, "registry.view")
    for user in (inhouse_user, site_user):
        assert not any(can(user, permission) for permission in PERMISSIONS)


@pytest.mark.django_db
@pytest.mark.req("R7.1")
def test_inactive_users_and_unknown_permissions_are_refused(consultant: User) -> None:
    consultant.is_active = False
    assert not can(consultant, "candidate.view")
    consultant.is_active = True
    with pytest.raises(KeyError):
        can(consultant, "candidate.teleport")


def test_anonymous_has_no_permission() -> None:
    from django.contrib.auth.models import AnonymousUser

    anonymous: Any = AnonymousUser()
    assert not can(anonymous, "candidate.view")
