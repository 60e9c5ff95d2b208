"""Reading Plivo XML as a call would: what is spoken, and how GetDigits waits."""

import dataclasses
import xml.etree.ElementTree as ET

# Plivo speaks loop="0" forever; the sandbox stops at this many times.
MAX_SPEAK_LOOPS = 10


class InvalidXML(Exception):
    """The document is not Plivo XML."""


def parse_document(body):
    """The <Response> element of a Plivo XML document."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise InvalidXML(f"not XML: {exc}") from None
    if root.tag != "Response":
        raise InvalidXML(f"the root element is <{root.tag}>, not <Response>")
    return root


def _int(value, default, *, minimum=0):
    try:
        return max(int(value), minimum)
    except (TypeError, ValueError):
        return default


def _spoken_pieces(node):
    # SSML: <sub alias="..."> says its alias instead of its text; every other
    # element (say-as, prosody, emphasis, w, s, p, lang, phoneme) says its text.
    if node.tag == "sub" and node.get("alias") is not None:
        yield node.get("alias")
        return
    yield node.text or ""
    for child in node:
        yield from _spoken_pieces(child)
        yield child.tail or ""


def speak_texts(speak):
    """What one <Speak> says, once per loop, as plain text with single spaces."""
    text = " ".join(" ".join(_spoken_pieces(speak)).split())
    if not text:
        return []
    loops = _int(speak.get("loop"), 1)
    return [text] * (loops or MAX_SPEAK_LOOPS)


def request_method(element):
    """The `method` attribute of a <GetDigits> or <Redirect>: GET or POST (the default), None if neither."""
    method = (element.get("method") or "POST").strip().upper()
    return method if method in ("GET", "POST") else None


def _finish_on_key(value):
    """The key that ends input: '#' when the attribute is absent (Plivo's default), none
    (every key is input) when it is empty or "none", as Plivo's GetDigits documentation says."""
    if value is None:
        return "#"
    value = value.strip()
    return "" if value.lower() in ("", "none") else value[:1]


@dataclasses.dataclass(frozen=True)
class GetDigits:
    """The attributes of a <GetDigits> that the simulated person reacts to."""

    action: str
    method: str | None  # GET or POST, how the digits go to the action URL (None: not a method Plivo knows)
    num_digits: int
    timeout: int
    retries: int
    finish_on_key: str  # '' when no key ends the input
    redirect: bool
    prompts: tuple

    @classmethod
    def from_element(cls, element):
        # Defaults are Plivo's: POST, 99 digits, 5 s, one try, '#', redirect on.
        return cls(
            action=(element.get("action") or "").strip(),
            method=request_method(element),
            num_digits=_int(element.get("numDigits"), 99, minimum=1),
            timeout=_int(element.get("timeout"), 5, minimum=1),
            retries=_int(element.get("retries"), 1, minimum=1),
            finish_on_key=_finish_on_key(element.get("finishOnKey")),
            redirect=(element.get("redirect") or "true").lower() != "false",
            prompts=tuple(child for child in element if child.tag == "Speak"),
        )

    def digits_from(self, keys):
        """The Digits Plivo would send for `keys` typed on the keypad."""
        if self.finish_on_key and self.finish_on_key in keys:
            keys = keys[: keys.index(self.finish_on_key)]
        return keys[: self.num_digits]
