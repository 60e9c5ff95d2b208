"""A French call and a Brazilian SMS, end to end: the real SDK, the sandbox, its inbox."""

import pytest

from tests.helpers import code_of, inbox
from verification import services
from verification.contrib.sandbox import simulator

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_french_call_is_heard_in_french(live_site):
    verification = services.verification_create(phone_number="+33612345678", channel="call", locale="fr-FR")
    simulator.wait_until_idle(timeout=15)
    [call] = inbox(live_site, "+33612345678")
    digits = ", ".join(code_of(verification))
    assert call["status"] == "completed"
    assert call["text"] == (
        "Bonjour, ici OTP Site. Appuyez sur une touche pour entendre votre code de vérification. "
        f"Votre code de vérification OTP Site est : {digits} "
        f"Je répète, votre code est : {digits} "
        "Au revoir."
    )
    # The sandbox knows the language from the call's XML alone, as Plivo does: its phone
    # page reads the call aloud with a French voice without looking at the app's tables.
    from verification.contrib.sandbox.models import InboxEntry
    from verification.contrib.sandbox.phone import call_locale

    assert call_locale(InboxEntry.objects.get(to_number="+33612345678")) == "fr-FR"


def test_with_polly_a_french_call_reads_the_ssml_digits(live_site, settings):
    settings.VERIFICATION_VOICE_ENGINE = "polly"
    verification = services.verification_create(phone_number="+33612345678", channel="call", locale="fr-FR")
    simulator.wait_until_idle(timeout=15)
    [call] = inbox(live_site, "+33612345678")
    digits = " ".join(code_of(verification))
    assert f"Votre code de vérification OTP Site est : {digits}" in call["text"]
    assert f"Je répète, votre code est : {digits}" in call["text"]


def test_a_brazilian_sms_arrives_in_portuguese(live_site):
    services.verification_create(phone_number="+5511987654321", channel="sms", locale="pt-BR")
    simulator.wait_until_idle(timeout=15)
    [sms] = inbox(live_site, "+5511987654321")
    code = sms["text"].splitlines()[-1].split("#")[1]
    assert sms["text"].splitlines()[0] == f"OTP Site: seu código de verificação é {code}. Ele expira em 10 minutos."
    assert sms["status"] == "delivered"
