"""The code step in progress, kept in the session: which verification, never its code."""

import dataclasses

SESSION_KEY = "accounts_code_flow"


class Purpose:
    SIGNUP = "signup"  # the account's first number; verifying it activates the account
    LOGIN = "login"  # the second step of a sign-in
    PHONE_CHANGE = "phone_change"  # a new number, replacing the old one once verified


@dataclasses.dataclass
class CodeFlow:
    purpose: str
    user_id: int
    verification_id: str
    phone_number: str
    channel: str
    next_url: str = ""
    username: str = ""
    # A number another account holds: the step looks the same, sends nothing, never succeeds (withheld.py).
    withheld: dict | None = None


def flow_save(request, flow):
    data = dataclasses.asdict(flow)
    if data["withheld"] is None:
        del data["withheld"]  # the usual case: the session looks as it always did
    request.session[SESSION_KEY] = data


def flow_load(request):
    data = request.session.get(SESSION_KEY)
    try:
        return CodeFlow(**data) if data else None
    except TypeError:  # a session written by another version of this page
        return None


def flow_clear(request):
    request.session.pop(SESSION_KEY, None)
