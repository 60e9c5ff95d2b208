"""Named errors of the verification rules, each with a code and an HTTP status.

The API, the pages and the commands turn them into their own answers; the
codes are the contract's.
"""

from django.utils.translation import gettext

from .messages import try_again_in


class VerificationError(Exception):
    code = "verification_error"
    status_code = 400
    default_detail = "The verification could not be processed."
    attr = None

    def __init__(self, detail=None, *, attr=None):
        self.detail = detail or self.default_detail
        if attr is not None:
            self.attr = attr
        super().__init__(self.detail)


class InvalidPhoneNumber(VerificationError):
    code = "invalid_phone_number"
    default_detail = "This is not a valid phone number."
    attr = "phone_number"


class NumberTypeNotAllowed(InvalidPhoneNumber):
    """Premium-rate, shared-cost, UAN, pager and voicemail numbers: what toll fraud dials."""

    code = "number_type_not_allowed"
    default_detail = "Codes cannot be sent to this kind of number (premium-rate, shared-cost, pager or voicemail)."


class CountryNotAllowed(VerificationError):
    code = "country_not_allowed"
    default_detail = "Phone numbers from this country are not accepted."
    attr = "phone_number"


class ChannelNotAvailable(VerificationError):
    code = "channel_not_available"
    default_detail = "This channel cannot reach this phone number."
    attr = "channel"


class NotFound(VerificationError):
    code = "not_found"
    status_code = 404
    default_detail = "No such verification."


class Throttled(VerificationError):
    """Too many requests; `retry_after` says how many seconds to wait."""

    code = "throttled"
    status_code = 429

    def __init__(self, detail=None, *, retry_after, code=None, wait_seconds=None):
        self.retry_after = max(int(retry_after), 1)
        self.wait_seconds = wait_seconds if wait_seconds is not None else self.retry_after
        if code:
            self.code = code
        super().__init__(detail or f"{gettext('Too many requests.')} {try_again_in(self.retry_after)}")


class VerificationNotPending(VerificationError):
    """The verification has ended; the code names how."""

    status_code = 409
    CODES = {
        "approved": ("verification_approved", "This verification is already approved."),
        "canceled": ("verification_canceled", "This verification was canceled."),
        "expired": ("verification_expired", "This verification has expired."),
        "max_attempts_reached": ("max_attempts_reached", "Too many wrong codes: this verification is locked."),
        "failed": ("verification_failed", "The code could not be delivered: this verification failed."),
    }

    def __init__(self, status):
        self.status = status
        self.code, detail = self.CODES.get(status, ("verification_not_pending", "This verification has ended."))
        super().__init__(detail)


class KeypadOnly(VerificationError):
    """Keypad mode shows the code on the page: only digits typed on the phone prove anything."""

    code = "verification_keypad_only"
    status_code = 409
    default_detail = "This verification is approved by typing the code on the phone during the call, not here."


class ServiceUnavailable(VerificationError):
    """A dependency (Redis, the broker, the database) cannot be reached: try again shortly.

    Raised instead of going on without it, so nothing is sent unthrottled.
    """

    code = "service_unavailable"
    status_code = 503
    default_detail = "The service is briefly unavailable. Try again in a moment."
    retry_after = 5

    def __init__(self, detail=None, *, dependency=None, retry_after=None):
        self.dependency = dependency
        if retry_after is not None:
            self.retry_after = retry_after
        super().__init__(detail)


class DeliveryBlocked(VerificationError):
    """The fraud guard blocked this number's range or country: its codes were not being used."""

    code = "delivery_blocked"
    status_code = 403
    default_detail = "Codes cannot be sent to this phone number just now."
    attr = "phone_number"
