"""Phone numbers in, E.164 out, with the country rules applied."""

from dataclasses import dataclass

import phonenumbers

from .conf import app_settings
from .exceptions import CountryNotAllowed, InvalidPhoneNumber, NumberTypeNotAllowed


@dataclass(frozen=True)
class ParsedNumber:
    e164: str
    country: str
    is_fixed_line: bool


def parse_phone_number(raw, *, country=None):
    """Parse E.164 (or a national number with `country`) and check it may be used."""
    text = (raw or "").strip()
    if not text:
        raise InvalidPhoneNumber("A phone number is required.")
    region = (country or "").strip().upper() or None
    if not text.startswith("+") and not region:
        raise InvalidPhoneNumber("Give the number in E.164 form (+14155550123) or a national number with a country.")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise InvalidPhoneNumber() from None
    if number.extension:  # a code cannot be texted to an extension, nor is the extension part of E.164
        raise InvalidPhoneNumber("Give the number without an extension: a code cannot be sent to one.")
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber()
    region_code = phonenumbers.region_code_for_number(number) or ""
    if len(region_code) != 2:  # "001": satellite and other non-geographic numbers
        raise InvalidPhoneNumber("Non-geographic numbers (satellite, international freephone) cannot be verified.")
    allowed = app_settings.allowed_countries
    if allowed and region_code not in allowed:
        raise CountryNotAllowed(f"Phone numbers from {region_code or 'this country'} are not accepted.")
    number_type = phonenumbers.number_type(number)
    if number_type in app_settings.blocked_number_types:
        raise NumberTypeNotAllowed()
    return ParsedNumber(
        e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        country=region_code,
        is_fixed_line=number_type == phonenumbers.PhoneNumberType.FIXED_LINE,
    )


STAFF_VISIBLE_DIGITS = 4  # the admin's lists must tell +14155550123 from +14155550223


def mask_phone_number(e164, *, keep=2):
    """`+14155550123` -> `+1 415 ••• ••23` (`keep=4`: `+1 415 ••• 0123`): enough to recognise, not to dial."""
    try:
        number = phonenumbers.parse(str(e164), None)
    except phonenumbers.NumberParseException:
        return "•••"
    national = phonenumbers.national_significant_number(number)
    head = national[:3] if len(national) > 6 else national[:1]
    keep = max(0, min(keep, len(national) - len(head) - 2))  # at least two digits stay hidden
    tail = national[len(national) - keep :] if keep else ""
    hidden = len(national) - len(head) - len(tail)
    bullets = "•" * hidden
    if hidden > 3:
        bullets = f"{bullets[:3]} {bullets[3:]}"
    if len(tail) > 2:
        return f"+{number.country_code} {head} {bullets} {tail}"
    return f"+{number.country_code} {head} {bullets}{tail}"


def mask_phone_number_for_staff(e164):
    """The admin's mask: the last four digits, so two numbers never look alike."""
    return mask_phone_number(e164, keep=STAFF_VISIBLE_DIGITS)


def is_fixed_line(e164):
    """True for numbers phonenumbers knows to be fixed lines: they cannot receive SMS."""
    try:
        number = phonenumbers.parse(str(e164), None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.FIXED_LINE
