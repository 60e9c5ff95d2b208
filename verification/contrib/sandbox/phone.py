"""The sandbox phone: a page showing what the simulated phones received, with each call as audio."""

import functools
import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .access import phone_reader
from .models import Channel, InboxEntry
from .wire import normalise_number

PAGE_LIMIT = 50
AUDIO_CACHE_SECONDS = 600
ESPEAK_TIMEOUT_SECONDS = 20


def espeak_path():
    return shutil.which("espeak-ng")


@functools.cache
def _espeak_voices(executable):
    result = subprocess.run([executable, "--voices"], capture_output=True, text=True, timeout=10, check=False)
    return {line.split()[1] for line in result.stdout.splitlines()[1:] if len(line.split()) > 1}


def espeak_voice(locale, executable):
    """`fr-FR` -> `fr-fr`, `en-IN` -> `en`: the closest voice espeak-ng has."""
    locale = (locale or "en-US").lower()
    voices = _espeak_voices(executable)
    for candidate in (locale, locale.split("-")[0]):
        if candidate in voices:
            return candidate
    return "en"


def call_locale(entry):
    """The language the call's XML asked for (the sandbox knows the app only over the wire)."""
    return entry.language or "en-US"


def render_speech(text, voice, executable):
    """WAV bytes of `text` spoken by espeak-ng; the text goes on stdin, never as an option."""
    with tempfile.TemporaryDirectory(prefix="otpsite-sandbox-") as folder:
        out = Path(folder) / "call.wav"
        subprocess.run(
            [executable, "-v", voice, "-w", str(out)],
            input=text.encode(),
            capture_output=True,
            timeout=ESPEAK_TIMEOUT_SECONDS,
            check=True,
        )
        return out.read_bytes()


@never_cache
@phone_reader()
@require_GET
def phone(request):
    """The inbox for a person: newest first; the page's script keeps it up to date."""
    entries = InboxEntry.objects.order_by("-created_at")
    to = request.GET.get("to", "").strip()
    number = normalise_number(to) if to else None
    if number:
        entries = entries.filter(to_number=number)
    context = {"entries": entries[:PAGE_LIMIT], "to": number or "", "espeak": bool(espeak_path())}
    return render(request, "sandbox/phone.html", context)


@never_cache
@phone_reader()
@require_GET
def call_audio(request, entry_id):
    """One call's spoken text as WAV, rendered by espeak-ng (404 when it is not installed)."""
    entry = get_object_or_404(InboxEntry, pk=entry_id, channel=Channel.CALL)
    executable = espeak_path()
    if not executable or not entry.text:
        raise Http404("No audio for this call.")
    voice = espeak_voice(call_locale(entry), executable)
    key = "sandbox-audio:" + hashlib.sha256(f"{entry.pk}:{voice}:{entry.text}".encode()).hexdigest()
    audio = cache.get(key)
    if audio is None:
        try:
            audio = render_speech(entry.text, voice, executable)
        except (subprocess.SubprocessError, OSError):
            raise Http404("espeak-ng could not render this call.") from None
        cache.set(key, audio, AUDIO_CACHE_SECONDS)
    response = HttpResponse(audio, content_type="audio/wav")
    response["Content-Disposition"] = f'inline; filename="call-{entry.pk}.wav"'
    return response
