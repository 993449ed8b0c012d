"""Normalisers and validators for identifiers people type in many shapes.

Each normaliser returns the canonical form used for storage and duplicate detection, or raises
``django.core.exceptions.ValidationError`` with a message a person can act on. Forms, the API
and the importer all call these, so one rule holds everywhere.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from stdnum import iban as stdnum_iban
from stdnum.eu import vat as stdnum_vat
from stdnum.exceptions import ValidationError as StdnumError

DEFAULT_PHONE_REGION = "BE"


# Addresses of the plainest shape (letters, digits and ``._+-`` before the @, a host name of
# letters, digits and hyphens, a letter-only top-level domain): every one is also valid for
# Django's ``validate_email`` (a property test checks it), which costs several times as much and
# still judges every other shape.
_PLAIN_EMAIL = re.compile(
    r"[a-z0-9_+-]+(?:\.[a-z0-9_+-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}",
    re.IGNORECASE | re.ASCII,
)


def normalise_email(value: str) -> str:
    """Lower-cased, trimmed e-mail address; raises on anything that is not an address."""
    cleaned = (value or "").strip()
    if not cleaned:
        raise ValidationError(_("An e-mail address is required."), code="required")
    if len(cleaned) <= 254 and _PLAIN_EMAIL.fullmatch(cleaned):
        return cleaned.lower()
    try:
        validate_email(cleaned)
    except ValidationError:
        raise ValidationError(
            _("“%(value)s” is not a valid e-mail address."),
            code="invalid",
            params={"value": cleaned},
        ) from None
    return cleaned.lower()


# A Belgian number written with digits and common separators only: ``+32 470 12 34 56``,
# ``0470/12.34.56``. Its national number is its digits after +32 or after the one leading 0
# (Belgium's national prefix), which is what ``phonenumbers.parse`` finds for it too.
_BELGIAN = re.compile(r"(?:\+32|0)([1-9][0-9]{7,8})")
_SEPARATORS = str.maketrans("", "", " ./-()")


def _belgian_fast(cleaned: str, region: str) -> str | None:
    """The E.164 form of a valid Belgian number written plainly, without ``phonenumbers.parse``
    (about half of the cost of a number); None for anything else, which takes the full way."""
    compact = cleaned.translate(_SEPARATORS)
    m = _BELGIAN.fullmatch(compact)
    if m is None or (compact[0] == "0" and region != "BE"):
        return None
    national = m[1]
    if _BELGIAN_MOBILE(national):
        return f"+32{national}"
    number = phonenumbers.PhoneNumber(country_code=32, national_number=int(national))
    return f"+32{national}" if phonenumbers.is_valid_number(number) else None


def _matches(desc: phonenumbers.PhoneNumberDesc) -> Callable[[str], bool]:
    """Whether a national number fits a kind of number in the library's metadata, tested as
    ``phonenumbers`` tests it (length among the possible ones, then the whole pattern)."""
    lengths = frozenset(desc.possible_length or ())
    pattern = re.compile(desc.national_number_pattern or "(?!)")
    return lambda national: (
        (not lengths or len(national) in lengths) and bool(pattern.fullmatch(national))
    )


def _belgian_mobile() -> Callable[[str], bool]:
    """Most numbers imported are Belgian mobiles: a national number that fits both Belgium's
    general pattern and its mobile one is valid (``phonenumbers.is_valid_number`` finds its
    type), in two regular expressions instead of a dozen; any other goes the full way."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region("BE")
    if meta is None or meta.general_desc is None or meta.mobile is None:  # pragma: no cover
        return lambda _national: False
    general, mobile = _matches(meta.general_desc), _matches(meta.mobile)
    return lambda national: general(national) and mobile(national)


_BELGIAN_MOBILE = _belgian_mobile()


def normalise_phone(value: str, region: str = DEFAULT_PHONE_REGION) -> str:
    """The number in E.164 (``+3247…``); national numbers are read as Belgian by default."""
    cleaned = (value or "").strip()
    if not cleaned:
        raise ValidationError(_("A phone number is required."), code="required")
    if fast := _belgian_fast(cleaned, region):
        return fast
    try:
        parsed = phonenumbers.parse(cleaned, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            _("“%(value)s” is not a phone number."), code="invalid", params={"value": cleaned}
        ) from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(
            _("“%(value)s” is not a valid phone number (check the country code and length)."),
            code="invalid",
            params={"value": cleaned},
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalise_iban(value: str) -> str:
    """Compact IBAN without spaces, checksum verified."""
    try:
        return str(stdnum_iban.validate(value or ""))
    except StdnumError:
        raise ValidationError(
            _("“%(value)s” is not a valid IBAN (country, length or check digits are wrong)."),
            code="invalid",
            params={"value": value},
        ) from None


def normalise_vat(value: str) -> str:
    """Compact EU VAT number with its country prefix (``BE0123456749``), checksum verified."""
    cleaned = (value or "").strip().upper().replace(" ", "").replace(".", "")
    if cleaned.isdigit() and len(cleaned) in {9, 10}:
        cleaned = "BE" + cleaned.zfill(10)  # a Belgian enterprise number typed without prefix
    try:
        return str(stdnum_vat.validate(cleaned))
    except StdnumError:
        raise ValidationError(
            _("“%(value)s” is not a valid EU VAT number."), code="invalid", params={"value": value}
        ) from None


def validate_birth_date(value: dt.date, *, today: dt.date) -> dt.date:
    """A birth date must lie in the past and describe a person of working age or older (≥ 14)."""
    if value > today:
        raise ValidationError(_("A birth date cannot lie in the future."), code="future")
    if value.year < today.year - 120:
        raise ValidationError(
            _("A birth date more than 120 years ago is not plausible."), code="old"
        )
    if (today - value).days < 14 * 365:
        raise ValidationError(_("The person would be younger than 14."), code="young")
    return value


_SPACES = re.compile(r"\s+")
# The combining marks of Latin accents (U+034F, the grapheme joiner, is not a combining mark).
_LATIN_MARKS = re.compile("[\u0300-\u034e\u0350-\u036f]")


def strip_accents(value: str) -> str:
    """``value`` decomposed (NFKD) without its combining marks: ``Lefèvre`` → ``Lefevre``.

    ASCII text is returned as is (NFKD leaves it unchanged) and Latin accents are dropped by
    one regular expression; only other scripts go character by character. Imports call this
    for every name and indexed word, so the common cases must not cost a Python loop."""
    if value.isascii():
        return value
    decomposed = unicodedata.normalize("NFKD", value)
    if decomposed.isascii():
        return decomposed
    stripped = _LATIN_MARKS.sub("", decomposed)
    if stripped.isascii():
        return stripped
    return "".join(ch for ch in stripped if not unicodedata.combining(ch))


def normalise_name(value: str) -> str:
    """Case- and accent-insensitive form of a name, for matching only (never displayed)."""
    return _SPACES.sub(" ", strip_accents(value or "")).strip().casefold()


def normalise_url(value: str) -> str:
    """Profile URLs compared without scheme, ``www.``, query string or trailing slash."""
    cleaned = (value or "").strip()
    cleaned = re.sub(r"^[a-z]+://", "", cleaned, flags=re.IGNORECASE)
    cleaned = re.sub(r"^www\.", "", cleaned, flags=re.IGNORECASE)
    cleaned = cleaned.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    if not cleaned or "." not in cleaned.split("/", 1)[0]:
        raise ValidationError(
            _("“%(value)s” is not a web address."), code="invalid", params={"value": value}
        )
    return cleaned.lower()
