"""The XML a call follows, made with the SDK's `plivoxml`.

The code only ever leaves in these XML bodies, in answer to signed requests:
never in a URL. Digits are read one by one with a pause between them, so no
engine reads "4." as "fourth": separated by commas with Plivo's standard voices,
as SSML `say-as` digits and breaks with Polly (`VERIFICATION_VOICE_ENGINE`).
"""

from django.utils import translation
from django.utils.translation import gettext as _
from plivo import plivoxml

from .conf import app_settings
from .locales import django_language, voice_for

KEYPRESS_TIMEOUT_SECONDS = 10
KEYPRESS_RETRIES = 2
# GetDigits' finishOnKey that turns the finishing key off (Plivo's documented "none").
NO_FINISH_KEY = "none"
DIGIT_PAUSE = "300ms"
# Stands for the code in a translated sentence, wherever its language puts it.
CODE_MARK = "\ue000"


def spoken_digits(code):
    return ", ".join(code)


def _speak(text, locale):
    voice = voice_for(locale)
    return plivoxml.SpeakElement(text, voice=voice.voice, language=voice.language)


def _speak_code(sentence, code, locale):
    """Speak `sentence` with the code in place of its `CODE_MARK`."""
    before, _mark, after = sentence.partition(CODE_MARK)
    if app_settings.VOICE_ENGINE != "polly":
        if not after.strip(" .。।"):
            after = ""  # a full stop right after the last digit reads "4." as "fourth" in some languages
        return _speak(before + spoken_digits(code) + after, locale)
    speak = _speak(before, locale)
    for index, digit in enumerate(code):
        if index:
            speak.add_break(time=DIGIT_PAUSE)
        speak.add_say_as(digit, interpret_as="digits")
    if after:
        # An element's text precedes its children; <cont> is the SDK's way to
        # put text after them (to_string() unwraps it).
        speak.add_cont(after)
    return speak


def keypress_xml(*, locale, action_url):
    """Ask for a key press first, so a voicemail never records the code."""
    with translation.override(django_language(locale)):
        prompt = _("Hello, this is %(site)s. Press any key to hear your verification code.") % {
            "site": app_settings.SITE_NAME
        }
        goodbye = _("We did not receive a key press. Goodbye.")
    response = plivoxml.ResponseElement()
    get_digits = plivoxml.GetDigitsElement(
        action=action_url,
        method="POST",
        timeout=KEYPRESS_TIMEOUT_SECONDS,
        num_digits=1,
        retries=KEYPRESS_RETRIES,
        # "Press any key": '#' too. Plivo's default finishOnKey="#" would end the
        # input on it with no digits, and the person would hear nothing.
        finish_on_key=NO_FINISH_KEY,
        redirect=True,
        log=False,
    )
    get_digits.add(_speak(prompt, locale))
    response.add(get_digits)
    response.add(_speak(goodbye, locale))
    response.add(plivoxml.HangupElement())
    return response.to_string(pretty=False)


def code_xml(*, code, locale, repeat=None):
    """Read the code, digit by digit, `VERIFICATION_VOICE_REPEAT` times, then hang up."""
    repeat = repeat or app_settings.VOICE_REPEAT
    with translation.override(django_language(locale)):
        # Translators: %(digits)s is the code, read digit by digit.
        first = _("Your %(site)s verification code is: %(digits)s.") % {
            "site": app_settings.SITE_NAME,
            "digits": CODE_MARK,
        }
        again = _("Once again, your code is: %(digits)s.") % {"digits": CODE_MARK}
        goodbye = _("Goodbye.")
    response = plivoxml.ResponseElement()
    response.add(_speak_code(first, code, locale))
    for _index in range(repeat - 1):
        response.add(plivoxml.WaitElement(length=1))
        response.add(_speak_code(again, code, locale))
    response.add(_speak(goodbye, locale))
    response.add(plivoxml.HangupElement())
    return response.to_string(pretty=False)


def apology_xml(*, locale):
    """For a verification that is no longer pending: a short apology, never the code."""
    with translation.override(django_language(locale)):
        text = _("Sorry, this verification code is no longer valid. Please request a new one. Goodbye.")
    response = plivoxml.ResponseElement()
    response.add(_speak(text, locale))
    response.add(plivoxml.HangupElement())
    return response.to_string(pretty=False)


def keypad_xml(*, locale, action_url, num_digits, retry=False):
    """Keypad mode: ask the person to type the code shown on their screen."""
    with translation.override(django_language(locale)):
        # Translators: the pound key is # on a phone's keypad (the hash key in British English).
        ask = _("Please type the code shown on your screen, then press the pound key.")
        if retry:
            ask = _("That code is not correct.") + " " + ask
        goodbye = _("We did not receive a code. Goodbye.")
    response = plivoxml.ResponseElement()
    get_digits = plivoxml.GetDigitsElement(
        action=action_url,
        method="POST",
        timeout=app_settings.VOICE_KEYPAD_TIMEOUT_SECONDS,
        num_digits=num_digits,
        retries=app_settings.VOICE_KEYPAD_RETRIES,
        finish_on_key="#",
        redirect=True,
        log=False,  # typed codes stay out of Plivo's logs
    )
    get_digits.add(_speak(ask, locale))
    response.add(get_digits)
    response.add(_speak(goodbye, locale))
    response.add(plivoxml.HangupElement())
    return response.to_string(pretty=False)


def keypad_done_xml(*, locale, approved):
    """Keypad mode: the end of the call, approved or out of tries."""
    with translation.override(django_language(locale)):
        if approved:
            text = _("Thank you. Your phone number is verified. Goodbye.")
        else:
            text = _("Too many wrong codes. Please start again. Goodbye.")
    response = plivoxml.ResponseElement()
    response.add(_speak(text, locale))
    response.add(plivoxml.HangupElement())
    return response.to_string(pretty=False)
