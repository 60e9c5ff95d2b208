"""One simulated call: the answer URL, its Plivo XML followed, the hangup callback."""

import dataclasses
import logging
import math
import time
import uuid

import requests
from django.utils import timezone

from . import callxml
from .callbacks import plivo_number, post_signed
from .models import EntryStatus, InboxEntry

logger = logging.getLogger(__name__)

# A redirect loop in the app would otherwise ring forever.
MAX_DOCUMENTS = 10
PRESS_POLL_SECONDS = 0.05
# Asked for one key ("press any key"), the simulated person presses this one.
ANY_KEY = "1"


@dataclasses.dataclass(frozen=True)
class CallUrls:
    """Where a call reports to, as given to the Call API."""

    answer_url: str
    hangup_url: str | None = None
    ring_url: str | None = None
    fallback_url: str | None = None


@dataclasses.dataclass(frozen=True)
class Ending:
    """How a call ended: the sandbox's status and what the hangup callback says."""

    status: str
    call_status: str
    cause: str
    cause_name: str


NO_ANSWER = Ending(EntryStatus.NO_ANSWER, "no-answer", "NO_ANSWER", "No Answer")
BUSY = Ending(EntryStatus.BUSY, "busy", "USER_BUSY", "Busy Line")
HUNG_UP = Ending(EntryStatus.COMPLETED, "completed", "NORMAL_CLEARING", "Normal Hangup")
END_OF_XML = Ending(EntryStatus.COMPLETED, "completed", "NORMAL_CLEARING", "End Of XML Instructions")
INVALID_XML = Ending(EntryStatus.FAILED, "failed", "INVALID_ANSWER_XML", "Invalid Answer XML")


def unreachable(url_kind):
    """The ending of a call whose `url_kind` URL ("Answer", "Action"...) gave no XML."""
    name = f"Error Reaching {url_kind} URL"
    return Ending(EntryStatus.FAILED, "failed", name.upper().replace(" ", "_"), name)


class CallFailed(Exception):
    def __init__(self, ending):
        super().__init__(ending.cause_name)
        self.ending = ending


class SimulatedCall:
    """One call's conversation with the app, recording what the person hears."""

    def __init__(self, entry, urls, session):
        self.entry = entry
        self.urls = urls
        self.session = session
        self.call_uuid = str(uuid.uuid4())
        self.spoken = []
        self.started_at = timezone.now()
        self.answered_at = None

    @property
    def text(self):
        return " ".join(self.spoken)

    def params(self, **extra):
        """What Plivo sends with every request about this call."""
        return {
            "CallUUID": self.call_uuid,
            "RequestUUID": str(self.entry.pk),
            "From": plivo_number(self.entry.from_number),
            "To": plivo_number(self.entry.to_number),
            "Direction": "outbound",
            "CallStatus": "in-progress",
            **extra,
        }

    def notify(self, url, **extra):
        """POST to `url` for information only: its answer does not matter."""
        if not url:
            return
        try:
            post_signed(self.session, url, self.params(**extra))
        except requests.RequestException as exc:
            logger.warning("Sandbox: call %s callback failed: %s", self.entry.pk, type(exc).__name__)

    def fetch(self, url, url_kind, **extra):
        """The Plivo XML document that `url` answers; CallFailed if it answers none."""
        try:
            response = post_signed(self.session, url, self.params(**extra))
        except requests.RequestException:
            raise CallFailed(unreachable(url_kind)) from None
        if response.status_code != 200:
            raise CallFailed(unreachable(url_kind))
        try:
            return callxml.parse_document(response.content)
        except callxml.InvalidXML:
            raise CallFailed(INVALID_XML) from None

    def answer(self):
        """Follow the call's XML from the answer URL to its end; return how it ended."""
        self.answered_at = timezone.now()
        self._save(status=EntryStatus.IN_PROGRESS)
        try:
            try:
                document = self.fetch(self.urls.answer_url, "Answer", Event="StartApp")
            except CallFailed:
                if not self.urls.fallback_url:
                    raise
                document = self.fetch(self.urls.fallback_url, "Fallback", Event="StartApp")
            for _ in range(MAX_DOCUMENTS):
                document, ending = self.play(document)
                if document is None:
                    return ending
            logger.warning("Sandbox: call %s followed %d XML documents; hanging up.", self.entry.pk, MAX_DOCUMENTS)
            return END_OF_XML
        except CallFailed as exc:
            return exc.ending

    def play(self, document):
        """Run one document: return the next one to follow, or None and how the call ended."""
        for element in document:
            if element.tag == "Speak":
                self.spoken.extend(callxml.speak_texts(element))
            elif element.tag == "Hangup":
                return None, HUNG_UP
            elif element.tag == "Redirect":
                return self.fetch((element.text or "").strip(), "Redirect", Event="Redirect"), None
            elif element.tag == "GetDigits":
                gather = callxml.GetDigits.from_element(element)
                digits = self.collect(gather)
                if digits and gather.action and gather.redirect:
                    return self.fetch(gather.action, "Action", Digits=digits), None
                if digits and gather.action:
                    self.notify(gather.action, Digits=digits)
            # Wait, Play and the rest say no words: nothing to record.
        return None, END_OF_XML

    def collect(self, gather):
        """Speak the GetDigits prompts; return the digits typed, or '' if none came in time."""
        for _ in range(gather.retries):
            for prompt in gather.prompts:
                self.spoken.extend(callxml.speak_texts(prompt))
            if gather.num_digits == 1:
                return ANY_KEY
            digits = gather.digits_from(self._wait_for_keys(gather.timeout))
            if digits:
                return digits
        return ""

    def _wait_for_keys(self, timeout):
        # The keys come from the press endpoint, maybe in another process: poll the row.
        self._save()  # show the prompt in the inbox while the person types
        entries = InboxEntry.objects.filter(pk=self.entry.pk)
        deadline = time.monotonic() + timeout
        while True:
            keys = entries.values_list("pressed_digits", flat=True).first()
            if keys and entries.filter(pressed_digits=keys).update(pressed_digits=""):
                return keys
            if time.monotonic() >= deadline:
                return ""
            time.sleep(PRESS_POLL_SECONDS)

    def hang_up(self, ending):
        """Record how the call ended, then post the hangup callback."""
        ended_at = timezone.now()
        duration = 0
        if self.answered_at is not None:
            duration = max(1, math.ceil((ended_at - self.answered_at).total_seconds()))
        self._save(status=ending.status, ended_at=ended_at, pressed_digits="")
        self.notify(
            self.urls.hangup_url,
            CallStatus=ending.call_status,
            Event="Hangup",
            HangupCause=ending.cause,
            HangupCauseName=ending.cause_name,
            Duration=str(duration),
            BillDuration=str(60 * math.ceil(duration / 60)),  # billed by the started minute
            StartTime=_plivo_time(self.started_at),
            AnswerTime=_plivo_time(self.answered_at),
            EndTime=_plivo_time(ended_at),
        )

    def _save(self, **fields):
        InboxEntry.objects.filter(pk=self.entry.pk).update(text=self.text, **fields)


def _plivo_time(moment):
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""
