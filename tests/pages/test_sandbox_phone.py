"""/sandbox/phone/: what the sandbox's phones received, newest first, with the calls as audio."""

import datetime as dt

import pytest
from django.utils import timezone

from verification.contrib.sandbox import phone
from verification.contrib.sandbox.models import InboxEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(db):
    now = timezone.now()
    call = InboxEntry.objects.create(
        channel="call", to_number="+14155550123", from_number="+14155550100", status="completed",
        text="Your OTP Site verification code is: 1, 2, 3, 4, 5, 6.", created_at=now - dt.timedelta(minutes=1),
    )
    sms = InboxEntry.objects.create(
        channel="sms", to_number="+14155550124", from_number="+14155550100", status="delivered",
        text="OTP Site: your verification code is 654321.\n\n@testserver #654321", created_at=now,
    )
    return call, sms


def test_the_page_lists_what_was_received_newest_first(client, entries):
    page = client.get("/sandbox/phone/").content.decode()
    assert page.index("654321") < page.index("1, 2, 3, 4, 5, 6")
    assert 'data-inbox-url="/sandbox/inbox/"' in page and "/static/sandbox/phone.js" in page


def test_the_page_can_show_one_number(client, entries):
    page = client.get("/sandbox/phone/?to=%2B14155550124").content.decode()
    assert "654321" in page and "1, 2, 3, 4, 5, 6" not in page
    assert 'data-inbox-url="/sandbox/inbox/?to=%2B14155550124"' in page


def test_without_espeak_the_page_says_so_and_offers_no_player(client, entries, monkeypatch):
    monkeypatch.setattr(phone, "espeak_path", lambda: None)
    page = client.get("/sandbox/phone/").content.decode()
    assert "espeak-ng is not installed" in page and "<audio" not in page
    assert client.get(f"/sandbox/phone/calls/{entries[0].pk}/audio.wav").status_code == 404


@pytest.mark.skipif(phone.espeak_path() is None, reason="espeak-ng is not installed here")
def test_with_espeak_each_call_has_a_player_with_its_spoken_text(client, entries):
    call, sms = entries
    page = client.get("/sandbox/phone/").content.decode()
    assert f'<audio controls preload="none" src="/sandbox/phone/calls/{call.pk}/audio.wav"' in page
    assert page.count("<audio") == 1
    response = client.get(f"/sandbox/phone/calls/{call.pk}/audio.wav")
    assert response.status_code == 200 and response["Content-Type"] == "audio/wav"
    assert response.content[:4] == b"RIFF" and response.content[8:12] == b"WAVE" and len(response.content) > 10_000


def test_an_sms_or_an_unknown_entry_has_no_audio(client, entries):
    assert client.get(f"/sandbox/phone/calls/{entries[1].pk}/audio.wav").status_code == 404
    assert client.get("/sandbox/phone/calls/00000000-0000-0000-0000-000000000000/audio.wav").status_code == 404


def test_a_voice_close_to_the_locale_is_chosen(monkeypatch):
    monkeypatch.setattr(phone, "_espeak_voices", lambda executable: {"en", "en-us", "fr-fr", "de"})
    voices = [phone.espeak_voice(locale, "espeak-ng") for locale in ("fr-FR", "en-IN", "de-DE", "xx-YY")]
    assert voices == ["fr-fr", "en", "de", "en"]
