"""Hostile input for the identifier normalisers (R1.1, R7.1): whatever is typed, a normaliser
answers with the canonical form or a ``ValidationError`` a person can act on — never another
exception — and its answer is stable when fed back to it.

Property-based (Hypothesis, profile in ``candor/testing/hypothesis_profiles.py``).
"""

from __future__ import annotations

import datetime as dt

import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from hypothesis import assume, given
from hypothesis import strategies as st
from stdnum import iban as stdnum_iban

from candor.core import normalise
from candor.core.normalise import (
    normalise_email,
    normalise_iban,
    normalise_name,
    normalise_phone,
    normalise_vat,
    validate_birth_date,
)

pytestmark = pytest.mark.req("R1.1", "R7.1")

TODAY = dt.date(2026, 6, 15)

# Text as people paste it: any unicode (NUL, surrogates excluded by Python's str), and text
# built from the characters identifiers are made of, so the interesting paths are reached.
any_text = st.text(max_size=80)
phoneish = st.text(alphabet="+0123456789 ./-()xX#*", max_size=30)
emailish = st.text(alphabet="abcAB.-_+@ 1é\x00\"'<>[]()\\", max_size=40)
letters_digits = st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ ", max_size=40)


def _valid(fn, value):
    """fn(value), or None when it refused with a ValidationError (any other exception fails)."""
    try:
        return fn(value)
    except ValidationError as exc:
        messages = exc.messages
    assert messages
    assert all(m.strip() for m in messages)
    return None


# --- phone ----------------------------------------------------------------------------------


@given(st.one_of(any_text, phoneish))
def test_any_typed_phone_number_is_normalised_to_valid_e164_or_refused(typed):
    stored = _valid(normalise_phone, typed)
    if stored is None:
        return
    assert stored.startswith("+")
    assert stored[1:].isdigit()
    parsed = phonenumbers.parse(stored, None)
    assert phonenumbers.is_valid_number(parsed)
    assert normalise_phone(stored) == stored  # idempotent


belgian_mobile = st.builds(
    lambda operator, rest, style: style.format(op=operator, r=f"{rest:06d}"),
    st.sampled_from(["470", "471", "472", "475", "477", "478", "479", "484", "486", "494", "499"]),
    st.integers(0, 999_999),
    st.sampled_from(["+32{op}{r}", "0{op}{r}", "0{op}/{r}", "+32 {op} {r}", "0032{op}{r}"]),
)


@given(belgian_mobile)
def test_belgian_mobiles_in_any_common_shape_end_as_the_same_number(typed):
    stored = normalise_phone(typed)

    assert stored.startswith("+324")
    assert len(stored) == 12
    assert normalise_phone(stored) == stored


# --- e-mail ---------------------------------------------------------------------------------


@given(st.one_of(any_text, emailish, st.emails().map(lambda e: f"  {e.upper()} ")))
def test_any_typed_e_mail_is_normalised_or_refused_with_a_validation_error(typed):
    stored = _valid(normalise_email, typed)
    if stored is None:
        return
    validate_email(stored)
    assert stored == stored.strip() == stored.lower()
    assert normalise_email(stored) == stored  # idempotent


@given(st.from_regex(normalise._PLAIN_EMAIL, fullmatch=True).filter(lambda a: len(a) <= 254))
def test_the_shortcut_for_plain_addresses_only_takes_what_django_accepts(address):
    validate_email(address)  # raises if the shortcut let through what the validator refuses
    assert normalise_email(address) == address.lower()


@given(st.emails())
def test_every_valid_address_is_accepted(address):
    assume(len(address) <= 254)
    try:
        validate_email(address)
    except ValidationError:
        assume(False)  # Hypothesis' e-mails are wider than Django's validator; not our concern
    assert normalise_email(address) == address.lower()


# --- IBAN -----------------------------------------------------------------------------------


def _iban(country: str, bban: str) -> str:
    return country + stdnum_iban.calc_check_digits(country + "00" + bban) + bban


def _belgian_bban(bank: str, account: int) -> str:
    ten = f"{bank}{account:07d}"  # the bank code must be a real one: it is looked up
    check = int(ten) % 97 or 97
    return f"{ten}{check:02d}"


ibans = st.one_of(
    st.builds(
        lambda bank, account: _iban("BE", _belgian_bban(bank, account)),
        st.sampled_from(["001", "068", "143", "310", "363", "734", "737"]),
        st.integers(0, 10**7 - 1),
    ),
    st.integers(0, 10**18 - 1).map(lambda n: _iban("DE", f"{n:018d}")),
)


@given(ibans, st.booleans())
def test_ibans_with_correct_check_digits_pass(iban, spaced):
    typed = " ".join(iban[i : i + 4] for i in range(0, len(iban), 4)) if spaced else iban

    assert normalise_iban(typed) == iban


@given(ibans, st.data())
def test_an_iban_with_one_character_changed_is_refused(iban, data):
    position = data.draw(st.integers(0, len(iban) - 1))
    replacement = data.draw(st.sampled_from("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    assume(replacement != iban[position])
    mutated = iban[:position] + replacement + iban[position + 1 :]

    with pytest.raises(ValidationError):
        normalise_iban(mutated)


@given(st.one_of(any_text, letters_digits))
def test_any_typed_iban_is_accepted_or_refused_with_a_validation_error(typed):
    stored = _valid(normalise_iban, typed)
    if stored is not None:
        assert normalise_iban(stored) == stored


# --- VAT ------------------------------------------------------------------------------------


def _belgian_vat(first_digit: int, body: int) -> str:
    eight = f"{first_digit}{body:07d}"
    return f"BE{eight}{97 - int(eight) % 97:02d}"


belgian_vats = st.builds(_belgian_vat, st.integers(0, 1), st.integers(1_000_000, 9_999_999))


@given(belgian_vats, st.sampled_from(["{v}", "{v2} ", "{dotted}", "{digits}"]))
def test_belgian_vat_numbers_with_correct_check_digits_pass(vat, shape):
    digits = vat[2:]
    typed = shape.format(
        v=vat,
        v2=vat.lower(),
        dotted=f"BE {digits[:4]}.{digits[4:7]}.{digits[7:]}",
        digits=digits,
    )

    assert normalise_vat(typed) == vat


@given(belgian_vats, st.data())
def test_a_vat_number_with_one_digit_changed_is_refused(vat, data):
    position = data.draw(st.integers(2, len(vat) - 1))
    digit = data.draw(st.sampled_from("0123456789"))
    assume(digit != vat[position])
    mutated = vat[:position] + digit + vat[position + 1 :]

    with pytest.raises(ValidationError):
        normalise_vat(mutated)


@given(st.one_of(any_text, letters_digits))
def test_any_typed_vat_number_is_accepted_or_refused_with_a_validation_error(typed):
    stored = _valid(normalise_vat, typed)
    if stored is not None:
        assert normalise_vat(stored) == stored


# --- names and birth dates ------------------------------------------------------------------


@given(any_text)
def test_name_matching_form_is_stable(name):
    once = normalise_name(name)

    assert normalise_name(once) == once


@given(st.dates(min_value=TODAY + dt.timedelta(days=1)))
def test_a_birth_date_in_the_future_is_always_refused(born):
    with pytest.raises(ValidationError) as refused:
        validate_birth_date(born, today=TODAY)

    assert refused.value.code == "future"


@given(st.dates())
def test_any_birth_date_is_accepted_or_refused_with_a_reason(born):
    assert _valid(lambda d: validate_birth_date(d, today=TODAY), born) in {born, None}
