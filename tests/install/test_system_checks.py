"""A site that installs the app learns from `manage.py check` what cannot work."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError


def check_output(**kwargs):
    out = io.StringIO()
    call_command("check", stdout=out, stderr=out, **kwargs)
    return out.getvalue()


def test_the_suites_own_settings_pass_the_checks():
    assert "System check identified no issues" in check_output()


def test_a_setting_that_cannot_work_is_an_error_that_names_it(settings):
    settings.VERIFICATION_CODE_LENGTH = 3
    settings.VERIFICATION_CARRIER = "twilio"
    with pytest.raises(SystemCheckError) as error:
        check_output()
    text = str(error.value)
    assert "verification.E001" in text
    assert "VERIFICATION_CODE_LENGTH must be between 4 and 10." in text
    assert "VERIFICATION_CARRIER must be one of sandbox, plivo." in text  # every problem, not the first only


def test_a_setting_of_the_wrong_type_is_named_with_what_it_got(settings):
    settings.VERIFICATION_TTL_SECONDS = "600"
    with pytest.raises(SystemCheckError) as error:
        check_output()
    assert "VERIFICATION_TTL_SECONDS must be int, not str ('600')." in str(error.value)


def test_plivo_without_credentials_is_refused(settings):
    settings.VERIFICATION_CARRIER = "plivo"
    settings.PLIVO_AUTH_ID = ""
    with pytest.raises(SystemCheckError) as error:
        check_output()
    assert "VERIFICATION_CARRIER=plivo needs PLIVO_AUTH_ID, PLIVO_AUTH_TOKEN and PLIVO_FROM_NUMBER." in str(error.value)


def test_keypad_mode_through_a_phlo_is_refused(settings):
    """A PHLO reads the code it is given: a keypad call through one could never be approved."""
    settings.VERIFICATION_PLIVO_API, settings.PLIVO_PHLO_ID = "phlo", "e564a9a4-8f73-4bbd-9b0d-1a4d6c8a9f11"
    settings.VERIFICATION_VOICE_MODE = "keypad"
    with pytest.raises(SystemCheckError) as error:
        check_output()
    assert "VERIFICATION_VOICE_MODE=keypad needs VERIFICATION_PLIVO_API=rest" in str(error.value)


def test_a_missing_required_app_is_an_error(settings):
    settings.INSTALLED_APPS = [app for app in settings.INSTALLED_APPS if app != "rest_framework_api_key"]
    with pytest.raises(SystemCheckError) as error:
        check_output()
    assert "verification.E002" in str(error.value) and "'rest_framework_api_key'" in str(error.value)


def test_a_per_process_cache_outside_debug_is_a_warning(settings):
    settings.DEBUG = False
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    output = check_output()
    assert "verification.W001" in output and "would not be shared between processes" in output
