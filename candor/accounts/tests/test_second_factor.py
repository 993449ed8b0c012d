"""Staff two-factor log-in (R7.1): enrolment, the second step, replay, recovery codes, reset."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from candor.accounts import second_factor
from candor.accounts.models import RecoveryCode, SecondFactor, User
from candor.accounts.tests.conftest import code_at, password_log_in
from candor.audit.models import AuditEvent
from candor.core.actor import Actor
from candor.testing.personas import PASSWORD

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.req("R7.1"),
    pytest.mark.usefixtures("fast_password_hashing"),
]

NOW = "2026-03-03 09:00:10+00:00"  # 10 s into a 30-second step


@pytest.fixture(autouse=True)
def _frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def _enrol(user: User) -> tuple[str, list[str]]:
    secret = second_factor.pyotp.random_base32()
    codes = second_factor.second_factor_enrol_with_secret(
        actor=Actor.system("test"), user=user, secret=secret
    )
    return secret, codes


def _events(action: str, user: User) -> int:
    return AuditEvent.objects.filter(action=action, object_id=str(user.pk)).count()


def test_a_dpo_without_a_second_factor_is_sent_to_enrolment_after_the_password(client, dpo):
    response = password_log_in(client, dpo)

    assert response.status_code == 302
    assert response["Location"] == "/account/second-factor/enrol/"
    # and nothing else opens meanwhile: the dossier list, the dashboard, the API by session
    for url in ("/", "/candidates/", "/registry/"):
        assert client.get(url)["Location"] == "/account/second-factor/enrol/"


def test_enrolment_shows_a_qr_code_and_secret_and_a_right_code_finishes_it(client, dpo):
    password_log_in(client, dpo)
    page = client.get("/account/second-factor/enrol/")
    html = page.content.decode()
    secret = re.search(r'data-secret="([A-Z2-7]+)"', html).group(1)

    assert page.status_code == 200
    assert "<svg" in html
    assert "<script" not in html.split("<main>")[1]
    assert not SecondFactor.objects.get(user=dpo).confirmed
    assert SecondFactor.objects.get(user=dpo).secret != secret  # encrypted at rest
    assert second_factor.stored_secret(dpo) == secret

    done = client.post("/account/second-factor/enrol/", {"code": code_at(secret)})
    assert done["Location"] == "/account/second-factor/recovery-codes/"
    codes_page = client.get(done["Location"]).content.decode()
    codes = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", codes_page)
    assert len(codes) == 10
    assert client.get("/").status_code == 200  # the back office is open now
    assert _events("auth.2fa_enrol", dpo) == 1
    # hashed at rest, and shown only once
    stored = set(RecoveryCode.objects.filter(user=dpo).values_list("code_hash", flat=True))
    assert not set(codes) & stored
    assert client.get("/account/second-factor/recovery-codes/")["Location"] == "/account/"


def test_a_wrong_enrolment_code_is_refused_with_a_message_and_changes_nothing(client, dpo):
    password_log_in(client, dpo)
    client.get("/account/second-factor/enrol/")
    secret = second_factor.stored_secret(dpo)

    response = client.post("/account/second-factor/enrol/", {"code": code_at(secret, 5)})

    assert response.status_code == 400
    assert "That code is not valid" in response.content.decode()
    assert not SecondFactor.objects.get(user=dpo).confirmed
    assert second_factor.stored_secret(dpo) == secret  # the same QR code on the next try
    assert client.get("/")["Location"] == "/account/second-factor/enrol/"


def test_an_enrolled_user_needs_the_code_after_the_password_and_returns_to_the_page_asked(
    client, dpo
):
    secret, _ = _enrol(dpo)
    response = client.post("/login/?next=/registry/", {"username": "dpo", "password": PASSWORD})
    assert response["Location"] == "/account/second-factor/verify/"
    assert client.get("/registry/")["Location"] == "/account/second-factor/verify/"
    key_before = client.session.session_key

    passed = client.post("/account/second-factor/verify/", {"code": code_at(secret)})

    assert passed["Location"] == "/registry/"
    assert client.get("/registry/").status_code == 200
    assert client.session.session_key != key_before  # a new session key after the second step


def test_codes_one_step_either_side_are_accepted_and_older_ones_refused(dpo):
    secret, _ = _enrol(dpo)
    actor = Actor.for_user(dpo)

    assert not second_factor.second_factor_verify(actor=actor, user=dpo, code=code_at(secret, -2))
    assert second_factor.second_factor_verify(actor=actor, user=dpo, code=code_at(secret, -1))
    assert second_factor.second_factor_verify(actor=actor, user=dpo, code=code_at(secret, +1))
    assert not second_factor.second_factor_verify(actor=actor, user=dpo, code="12345")


def test_the_same_code_is_refused_a_second_time_within_its_window(client, dpo):
    secret, _ = _enrol(dpo)
    code = code_at(secret)
    password_log_in(client, dpo)
    assert client.post("/account/second-factor/verify/", {"code": code}).status_code == 302

    other = Client()
    password_log_in(other, dpo)
    replay = other.post("/account/second-factor/verify/", {"code": code})

    assert replay.status_code == 400
    assert "already used" in replay.content.decode()
    assert other.get("/")["Location"] == "/account/second-factor/verify/"
    assert _events("auth.2fa_failed", dpo) == 1
    # an earlier step's code is no good either once a later one was accepted
    assert not second_factor.second_factor_verify(
        actor=Actor.for_user(dpo), user=dpo, code=code_at(secret, -1)
    )


def test_a_recovery_code_works_once_in_place_of_the_app(client, dpo):
    _, codes = _enrol(dpo)
    password_log_in(client, dpo)

    used = client.post("/account/second-factor/verify/", {"code": codes[0].upper()})

    assert used.status_code == 302
    assert used["Location"] == "/"
    assert _events("auth.2fa_recovery_used", dpo) == 1
    assert second_factor.unused_recovery_codes(dpo) == 9
    again = Client()
    password_log_in(again, dpo)
    refused = again.post("/account/second-factor/verify/", {"code": codes[0]})
    assert refused.status_code == 400
    assert again.get("/")["Location"] == "/account/second-factor/verify/"


def test_wrong_second_steps_lock_the_user_out_for_a_while(client, dpo, time_machine):
    secret, _ = _enrol(dpo)
    password_log_in(client, dpo)
    for _ in range(4):
        assert client.post("/account/second-factor/verify/", {"code": "000000"}).status_code == 400
    locked = client.post("/account/second-factor/verify/", {"code": "000000"})
    assert locked.status_code == 429
    assert "Too many wrong codes" in locked.content.decode()
    assert _events("auth.lockout", dpo) == 1
    # even the right code waits until the lock-out ends
    assert (
        client.post("/account/second-factor/verify/", {"code": code_at(secret)}).status_code == 429
    )

    time_machine.move_to("2026-03-03 09:16:10+00:00", tick=False)
    assert (
        client.post("/account/second-factor/verify/", {"code": code_at(secret)})["Location"] == "/"
    )


def test_a_consultant_needs_no_second_factor_by_default_but_may_enrol(client, consultant):
    response = password_log_in(client, consultant)
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200

    page = client.get("/account/second-factor/enrol/")
    secret = re.search(r'data-secret="([A-Z2-7]+)"', page.content.decode()).group(1)
    client.post("/account/second-factor/enrol/", {"code": code_at(secret)})
    assert second_factor.enrolled(consultant)

    later = Client()  # once enrolled, always asked
    assert password_log_in(later, consultant)["Location"] == "/account/second-factor/verify/"


def test_the_policy_switch_makes_the_second_factor_mandatory_for_consultants(
    client, consultant, settings
):
    settings.SECOND_FACTOR_REQUIRED_ROLES = ["consultant", "dpo", "administrator"]

    assert password_log_in(client, consultant)["Location"] == "/account/second-factor/enrol/"


def test_a_consultant_may_turn_off_a_voluntary_second_factor_but_a_dpo_may_not(consultant, dpo):
    _enrol(consultant)
    _enrol(dpo)

    second_factor.second_factor_disable(actor=Actor.for_user(consultant), user=consultant)
    with pytest.raises(ValidationError):
        second_factor.second_factor_disable(actor=Actor.for_user(dpo), user=dpo)

    assert not second_factor.enrolled(consultant)
    assert second_factor.enrolled(dpo)
    assert _events("auth.2fa_disable", consultant) == 1


def test_an_administrator_resets_a_colleagues_second_factor_and_it_is_audited(
    client, administrator, dpo
):
    _enrol(dpo)
    _enrol(administrator)
    client.force_login(administrator)

    page = client.get("/account/staff/")
    assert page.status_code == 200
    assert "Maes" in page.content.decode()
    response = client.post("/account/staff/", {"user": dpo.pk})

    assert response.status_code == 302
    assert not second_factor.enrolled(dpo)
    assert not RecoveryCode.objects.filter(user=dpo).exists()
    event = AuditEvent.objects.get(action="auth.2fa_reset")
    assert (event.actor, event.object_id) == (f"staff:{administrator.pk}", str(dpo.pk))
    # the DPO is asked to enrol again at the next log-in
    assert password_log_in(Client(), dpo)["Location"] == "/account/second-factor/enrol/"
    # nobody resets their own (another administrator must)
    client.post("/account/staff/", {"user": administrator.pk})
    assert second_factor.enrolled(administrator)


def test_only_administrators_may_reset(client, dpo, consultant):
    _enrol(consultant)
    client.force_login(dpo)

    assert client.post("/account/staff/", {"user": consultant.pk}).status_code == 403
    assert second_factor.enrolled(consultant)


def test_recovery_codes_can_be_renewed_and_the_old_ones_stop_working(client, dpo):
    _, old = _enrol(dpo)
    client.force_login(dpo)

    response = client.post("/account/", {"action": "renew"})
    new = re.findall(
        r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", client.get(response["Location"]).content.decode()
    )

    assert len(new) == 10
    assert not set(new) & set(old)
    assert not second_factor.recovery_code_use(actor=Actor.for_user(dpo), user=dpo, code=old[1])
    assert second_factor.recovery_code_use(actor=Actor.for_user(dpo), user=dpo, code=new[1])


def test_the_totp_secret_is_declared_in_the_registry_as_account_data_erased_with_the_account():
    from candor.privacy.registry import Category, declaration_for

    declaration = declaration_for(SecondFactor)
    assert declaration is not None
    assert declaration.fields["secret"].category == Category.ACCOUNT
    assert declaration.fields["secret"].erasure.kind == "delete"
    assert declaration_for(RecoveryCode).fields["code_hash"].category == Category.ACCOUNT


def test_client_contacts_and_api_tokens_are_not_asked_for_a_second_factor(
    client, client_contact, dpo, api_client
):
    # API tokens are separate credentials (docs/security.md)
    assert api_client(dpo).get("/api/v1/candidates").status_code == 200
    response = password_log_in(client, client_contact)
    assert response["Location"] == "/clients/"
