"""One simulated call: the answer URL, its Plivo XML followed, the hangup callback."""

import dataclasses
import enum
import functools
import logging
import math
import time

from django.utils import timezone

from verification.health import through_database_blips

from . import callxml, records
from .callbacks import CallbackFailed, plivo_number, send
from .models import EntryStatus, InboxEntry
from .wire import Outcome

logger = logging.getLogger(__name__)

# A redirect loop in the app would otherwise ring forever.
MAX_DOCUMENTS = 10
PRESS_POLL_SECONDS = 0.05
# Asked for one key ("press any key"), the simulated person presses this one.
ANY_KEY = "1"


@dataclasses.dataclass(frozen=True)
class CallUrls:
    """Where a call reports to, and how (GET or POST), as given to the Call API."""

    answer_url: str
    answer_method: str = "POST"
    hangup_url: str | None = None
    hangup_method: str = "POST"
    ring_url: str | None = None
    ring_method: str = "POST"
    fallback_url: str | None = None
    fallback_method: str = "POST"


class Person(enum.Enum):
    """Who picks up, and what they do when the call asks for keys."""

    ANSWERS = "answers"  # presses a key when asked for one; types what the press endpoint gives
    VOICEMAIL = "voicemail"  # records, never presses anything: every GetDigits times out
    HASH_ONLY = "hash_only"  # presses '#' and nothing else

    @classmethod
    def for_outcome(cls, outcome):
        return {Outcome.VOICEMAIL: cls.VOICEMAIL, Outcome.HASH_ONLY: cls.HASH_ONLY}.get(outcome, cls.ANSWERS)


class CallFailed(Exception):
    def __init__(self, ending):
        super().__init__(ending.name)
        self.ending = ending


class SimulatedCall:
    """One call's conversation with the app, recording what the person hears."""

    def __init__(self, entry, urls, session, person=Person.ANSWERS):
        self.entry = entry
        self.urls = urls
        self.session = session
        self.person = person
        # Plivo's request_uuid for an outbound call becomes the call's CallUUID.
        self.call_uuid = str(entry.pk)
        self.spoken = []
        self.language = ""  # of the first <Speak>, as the app asked it (Plivo's default: en-US)
        self.answered_at = None

    @property
    def text(self):
        return " ".join(self.spoken)

    def params(self, **extra):
        """What Plivo sends with every request about this call (an outbound call is its own A leg)."""
        return {
            "CallUUID": self.call_uuid,
            "RequestUUID": self.call_uuid,
            "ALegUUID": self.call_uuid,
            "ALegRequestUUID": self.call_uuid,
            "From": plivo_number(self.entry.from_number),
            "To": plivo_number(self.entry.to_number),
            "Direction": "outbound",
            "CallStatus": "in-progress",
            **extra,
        }

    def notify(self, url, method, **extra):
        """Request `url` for information only: its answer does not matter."""
        if not url:
            return
        try:
            send(self.session, url, self.params(**extra), method)
        except CallbackFailed as exc:
            logger.warning("Sandbox: call %s callback to %s failed (%s).", self.entry.pk, url, exc.reason)

    def fetch(self, url, method, kind, **extra):
        """The Plivo XML document that `url` answers; CallFailed with Plivo's cause if it answers none."""
        if method is None:
            raise CallFailed(records.url_error(kind, invalid_method=True))
        try:
            response = send(self.session, url, self.params(**extra), method)
        except CallbackFailed:
            raise CallFailed(records.url_error(kind)) from None
        try:
            return callxml.parse_document(response.content)
        except callxml.InvalidXML:
            raise CallFailed(records.url_error(kind, invalid_xml=True)) from None

    def answer(self):
        """Follow the call's XML from the answer URL to its end; return how it ended."""
        self.answered_at = timezone.now()
        self._save(status=EntryStatus.IN_PROGRESS, answered_at=self.answered_at)
        try:
            try:
                document = self.fetch(self.urls.answer_url, self.urls.answer_method, "answer", Event="StartApp")
            except CallFailed:
                if not self.urls.fallback_url:
                    raise
                # Plivo asks the fallback URL when the answer URL gives no valid XML.
                document = self.fetch(self.urls.fallback_url, self.urls.fallback_method, "answer", Event="StartApp")
            for _ in range(MAX_DOCUMENTS):
                document, ending = self.play(document)
                if document is None:
                    return ending
            logger.warning("Sandbox: call %s followed %d XML documents; hanging up.", self.entry.pk, MAX_DOCUMENTS)
            return records.END_OF_XML
        except CallFailed as exc:
            return exc.ending

    def play(self, document):
        """Run one document: return the next one to follow, or None and how the call ended."""
        for element in document:
            if element.tag == "Speak":
                self.hear(element)
            elif element.tag == "Hangup":
                return None, records.HUNG_UP
            elif element.tag == "Redirect":
                url = (element.text or "").strip()
                return self.fetch(url, callxml.request_method(element), "redirect", Event="Redirect"), None
            elif element.tag == "GetDigits":
                gather = callxml.GetDigits.from_element(element)
                digits = self.collect(gather)
                if digits and gather.action and gather.redirect:
                    return self.fetch(gather.action, gather.method, "action", Digits=digits), None
                if digits and gather.action and gather.method:
                    self.notify(gather.action, gather.method, Digits=digits)
            # Wait, Play and the rest say no words: nothing to record.
        return None, records.END_OF_XML

    def hear(self, speak):
        self.spoken.extend(callxml.speak_texts(speak))
        self.language = self.language or (speak.get("language") or "en-US")

    def collect(self, gather):
        """Speak the GetDigits prompts; return the digits typed, or '' if none came in any try."""
        for _ in range(gather.retries):
            for prompt in gather.prompts:
                self.hear(prompt)
            digits = gather.digits_from(self._keys(gather))
            if digits:
                return digits
        return ""

    def _keys(self, gather):
        """What the person presses during one try of a GetDigits."""
        if self.person is Person.VOICEMAIL:
            return ""  # nobody is there: the try times out
        if self.person is Person.HASH_ONLY:
            return "#"
        if gather.num_digits == 1:
            return ANY_KEY
        return self._wait_for_keys(gather.timeout)

    def _wait_for_keys(self, timeout):
        # The keys come from the press endpoint, maybe in another process: poll the row.
        self._save()  # show the prompt in the inbox while the person types
        entries = InboxEntry.objects.filter(pk=self.entry.pk)
        deadline = time.monotonic() + timeout
        while True:
            keys = self._persisted(lambda: entries.values_list("pressed_digits", flat=True).first())
            if keys and self._persisted(functools.partial(entries.filter(pressed_digits=keys).update, pressed_digits="")):
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
        self._save(
            status=ending.status,
            ended_at=ended_at,
            pressed_digits="",
            duration_seconds=duration,
            hangup_cause_code=ending.code,
            hangup_source=ending.source,
        )
        self.notify(
            self.urls.hangup_url,
            self.urls.hangup_method,
            CallStatus=ending.call_status,
            Event="Hangup",
            HangupCause=ending.cause,
            HangupCauseCode=str(ending.code),
            HangupCauseName=ending.name,
            HangupSource=ending.source,
            Duration=str(duration),
            BillDuration=str(records.billed_seconds(duration)),  # billed by the started minute
            BillRate=records.money(records.CALL_RATE_PER_MINUTE),
            TotalCost=records.call_cost(duration),
            StartTime=records.callback_time(self.entry.created_at),
            AnswerTime=records.callback_time(self.answered_at),
            EndTime=records.callback_time(ended_at),
        )

    def _save(self, **fields):
        self._persisted(
            lambda: InboxEntry.objects.filter(pk=self.entry.pk).update(text=self.text, language=self.language, **fields)
        )

    def _persisted(self, statement):
        """The sandbox's records live in the site's database; Plivo's do not: a dropped
        connection is retried on a new one rather than ending the call half-way."""
        return through_database_blips(statement, what=f"Sandbox call {self.entry.pk}")
