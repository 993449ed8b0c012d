"""One rule per identifier, used by forms, API and importer alike (R1.1, R1.3)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from candor.core.normalise import (
    normalise_email,
    normalise_iban,
    normalise_name,
    normalise_phone,
    normalise_url,
    normalise_vat,
    validate_birth_date,
)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


# --- e-mail -------------------------------------------------------------------------------------


@pytest.mark.req("R1.1")
@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("lotte.peeters@example.com", "lotte.peeters@example.com"),
        ("  Lotte.Peeters@Example.COM ", "lotte.peeters@example.com"),
        ("gilles+cv@sub.example.test", "gilles+cv@sub.example.test"),
        ("SOFIE@EXAMPLE.INVALID", "sofie@example.invalid"),
    ],
)
def test_an_email_is_trimmed_and_lower_cased(typed: str, stored: str) -> None:
    assert normalise_email(typed) == stored


@pytest.mark.req("R1.1")
@pytest.mark.parametrize(
    "typed",
    [
        "lotte",
        "lotte@",
        "@example.com",
        "lotte@@example.com",
        "lotte peeters@example.com",
        "lotte@example",
        "lotte@exa mple.com",
    ],
)
def test_something_that_is_not_an_email_is_refused_naming_the_value(typed: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        normalise_email(typed)
    assert excinfo.value.code == "invalid"
    assert f"“{typed.strip()}” is not a valid e-mail address." in excinfo.value.messages


@pytest.mark.req("R1.1")
@pytest.mark.parametrize("typed", ["", "   ", None])
def test_an_empty_email_is_required(typed: str | None) -> None:
    with pytest.raises(ValidationError) as excinfo:
        normalise_email(typed)  # type: ignore[arg-type]
    assert excinfo.value.code == "required"


# --- phone --------------------------------------------------------------------------------------


@pytest.mark.req("R1.1")
@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("0470 12 34 56", "+32470123456"),  # Belgian mobile, national form
        ("0470/12.34.56", "+32470123456"),
        ("+32 470 12 34 56", "+32470123456"),
        ("+32470123456", "+32470123456"),
        ("0032 470 12 34 56", "+32470123456"),
        ("02 512 34 56", "+3225123456"),  # Brussels landline
        ("081 22 33 44", "+3281223344"),  # Namur landline
        ("+31 6 12345678", "+31612345678"),  # Dutch mobile: foreign numbers need their +
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+49 30 1234567", "+49301234567"),
    ],
)
def test_a_phone_number_is_stored_in_e164_read_as_belgian_by_default(typed: str, e164: str) -> None:
    assert normalise_phone(typed) == e164


@pytest.mark.req("R1.1")
def test_a_national_number_is_read_in_the_given_region() -> None:
    assert normalise_phone("06 12345678", "NL") == "+31612345678"
    with pytest.raises(ValidationError):
        normalise_phone("06 12345678")  # not a Belgian number


@pytest.mark.req("R1.1")
@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("12345", "invalid"),
        ("0470 12", "invalid"),
        ("0470 12 34 56 78 90", "invalid"),
        ("call me", "invalid"),
        ("+99 123 456 789", "invalid"),
        ("", "required"),
    ],
)
def test_something_that_is_not_a_phone_number_is_refused(typed: str, code: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        normalise_phone(typed)
    assert excinfo.value.code == code
    if typed:
        assert f"“{typed}”" in excinfo.value.messages[0]


@pytest.mark.req("R1.1")
def test_plainly_written_belgian_numbers_take_a_shortcut_that_agrees_with_phonenumbers() -> None:
    """Belgian numbers written with digits and separators skip ``phonenumbers.parse``; the
    result, and whether a number is refused, must be what the full parse gives."""
    import random

    import phonenumbers

    def full(typed: str, region: str) -> str | None:
        try:
            parsed = phonenumbers.parse(typed, region)
        except phonenumbers.NumberParseException:
            return None
        if not phonenumbers.is_valid_number(parsed):
            return None
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)

    def ours(typed: str, region: str) -> str | None:
        try:
            return normalise_phone(typed, region)
        except ValidationError:
            return None

    rng = random.Random(7)  # noqa: S311 (test data, not secrets)
    starts = ["+32", "0", "+32 ", "0032", "+32(0)", "+32 0", "00", "+31", ""]
    firsts = ["45", "46", "47", "48", "49", "2", "3", "9", "50", "81", "71", "1", "0", "5"]
    for _ in range(3000):
        national = rng.choice(firsts) + "".join(rng.choices("0123456789", k=rng.randint(5, 8)))
        typed = rng.choice(starts)
        for digit in national:
            typed += digit + (rng.choice(" ./-()") if rng.random() < 0.2 else "")
        region = rng.choice(["BE", "BE", "NL"])
        assert ours(typed, region) == full(typed, region), (typed, region)


# --- IBAN ---------------------------------------------------------------------------------------


@pytest.mark.req("R1.3")
@pytest.mark.parametrize(
    ("typed", "compact"),
    [
        ("BE71 0961 2345 6769", "BE71096123456769"),
        ("be71096123456769", "BE71096123456769"),
        (" BE62 5100 0754 7061 ", "BE62510007547061"),
        ("NL91 ABNA 0417 1643 00", "NL91ABNA0417164300"),
    ],
)
def test_a_valid_iban_is_stored_compact(typed: str, compact: str) -> None:
    assert normalise_iban(typed) == compact


@pytest.mark.req("R1.3")
@pytest.mark.parametrize(
    "typed",
    [
        "BE71 0961 2345 6768",  # one digit off: the checksum catches it
        "BE72 0961 2345 6769",  # wrong check digits
        "BE71 0961 2345 676",  # too short for Belgium
        "XX71 0961 2345 6769",  # no such country
        "",
    ],
)
def test_an_invalid_iban_is_refused(typed: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        normalise_iban(typed)
    assert excinfo.value.code == "invalid"
    assert "is not a valid IBAN" in excinfo.value.messages[0]


# --- VAT ----------------------------------------------------------------------------------------


@pytest.mark.req("R1.3")
@pytest.mark.parametrize(
    ("typed", "compact"),
    [
        ("BE0123456749", "BE0123456749"),
        ("BE 0123.456.749", "BE0123456749"),
        ("be0123456749", "BE0123456749"),
        ("0123.456.749", "BE0123456749"),  # an enterprise number without prefix
        ("123456749", "BE0123456749"),  # and without its leading zero
        ("NL004495445B01", "NL004495445B01"),
    ],
)
def test_a_valid_vat_number_is_stored_compact_with_its_country(typed: str, compact: str) -> None:
    assert normalise_vat(typed) == compact


@pytest.mark.req("R1.3")
@pytest.mark.parametrize(
    "typed",
    ["BE0123456748", "BE0123456750", "0123.456.748", "BE012345674", "BE2123456749", "", "BTW"],
)
def test_an_invalid_vat_number_is_refused(typed: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        normalise_vat(typed)
    assert excinfo.value.code == "invalid"
    assert "is not a valid EU VAT number" in excinfo.value.messages[0]


# --- birth date ---------------------------------------------------------------------------------

TODAY = dt.date(2025, 3, 14)


@pytest.mark.req("R1.1")
@pytest.mark.parametrize(
    "born",
    [
        dt.date(1991, 3, 14),
        dt.date(1905, 1, 1),  # the oldest year still accepted
        dt.date(2011, 3, 1),  # just 14
    ],
)
def test_a_plausible_birth_date_is_accepted(born: dt.date) -> None:
    assert validate_birth_date(born, today=TODAY) == born


@pytest.mark.req("R1.1")
@pytest.mark.parametrize(
    ("born", "code"),
    [
        (dt.date(2025, 3, 15), "future"),  # tomorrow
        (dt.date(2030, 1, 1), "future"),
        (dt.date(1904, 12, 31), "old"),
        (dt.date(1850, 1, 1), "old"),
        (dt.date(2025, 3, 14), "young"),  # born today
        (dt.date(2012, 1, 1), "young"),
    ],
)
def test_an_implausible_birth_date_is_refused_with_its_reason(born: dt.date, code: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_birth_date(born, today=TODAY)
    assert excinfo.value.code == code


@pytest.mark.req("R1.1")
def test_a_birth_date_in_the_future_says_so() -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_birth_date(dt.date(2026, 1, 1), today=TODAY)
    assert excinfo.value.messages == ["A birth date cannot lie in the future."]


# --- names and web addresses --------------------------------------------------------------------


@pytest.mark.req("R1.1")
@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Lotte Van den Broeck", "lotte van den broeck"),
        ("  LOTTE   van den  BROECK ", "lotte van den broeck"),
        ("Zoë Lefèvre", "zoe lefevre"),
        ("Jérôme D'Hondt", "jerome d'hondt"),
    ],
)
def test_a_name_key_ignores_case_accents_and_spacing(typed: str, key: str) -> None:
    assert normalise_name(typed) == key


@pytest.mark.req("R1.1")
def test_different_names_keep_different_keys() -> None:
    assert normalise_name("Lotte Peeters") != normalise_name("Lien Peeters")


@pytest.mark.req("R1.1")
@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("https://www.linkedin.example.com/in/lotte/", "linkedin.example.com/in/lotte"),
        ("HTTP://Lotte.Example.com?utm=x#top", "lotte.example.com"),
        ("github.example.com/lotte", "github.example.com/lotte"),
    ],
)
def test_a_profile_url_is_compared_without_scheme_www_query_or_slash(
    typed: str, stored: str
) -> None:
    assert normalise_url(typed) == stored


@pytest.mark.req("R1.1")
@pytest.mark.parametrize("typed", ["", "lotte", "https://", "javascript:alert(1)"])
def test_something_that_is_not_a_web_address_is_refused(typed: str) -> None:
    with pytest.raises(ValidationError):
        normalise_url(typed)
