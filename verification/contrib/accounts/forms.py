"""The pages' forms. They check what a form can; the rules stay in the services."""

import unicodedata

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.validators import RegexValidator
from django.utils import translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from verification.conf import app_settings
from verification.exceptions import CountryNotAllowed, InvalidPhoneNumber
from verification.phones import parse_phone_number

from .countries import country_choices
from .models import CodeChannel
from .pages import refusal_text


class AccessibleForm(forms.Form):
    """Puts the focus on the first field, in page order, with an error (`autofocus`: no script needed)."""

    def full_clean(self):
        super().full_clean()
        self._focus_first_error()

    def add_error(self, field, error):
        super().add_error(field, error)
        self._focus_first_error()  # also for errors a view adds after validation

    def _focus_first_error(self):
        first = next((name for name in self.fields if name in (self._errors or {})), None)
        for name, field in self.fields.items():
            if name == first:
                field.widget.attrs["autofocus"] = True
            else:
                field.widget.attrs.pop("autofocus", None)


class RadioSelect(forms.RadioSelect):
    """Radio buttons whose `autofocus`, if any, goes on the first option only."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        if index or subindex:
            option["attrs"].pop("autofocus", None)
        return option


# Django's own password and username messages are not translated in every language the pages speak
# (Hindi lacks them): ours, by the validator's code.
PASSWORD_TEXTS = {
    "password_too_common": _("This password is too common: choose one that is harder to guess."),
    "password_entirely_numeric": _("This password is only digits: add some letters or signs."),
    "password_too_similar": _("This password is too close to your username."),
}
USERNAME_TEXT = _("Use only letters, digits and @ . + - _ in the username.")


def password_errors(error):
    """The password validators' refusals, in the page's language."""
    texts = []
    for item in error.error_list:
        if item.code == "password_too_short":
            count = (item.params or {}).get("min_length", 8)
            text = ngettext(
                "This password is too short: it needs at least %(count)d character.",
                "This password is too short: it needs at least %(count)d characters.",
                count,
            )
            texts.append(forms.ValidationError(text % {"count": count}, code=item.code))
        elif item.code in PASSWORD_TEXTS:
            texts.append(forms.ValidationError(PASSWORD_TEXTS[item.code], code=item.code))
        else:
            texts.append(item)
    return texts


class PhoneFields(AccessibleForm):
    """A country picker and a number; `clean()` leaves the E.164 form in `phone_e164`."""

    country = forms.ChoiceField(label=_("Country"), choices=())
    phone_number = forms.CharField(
        label=_("Phone number"),
        max_length=32,
        help_text=_("Your mobile number, e.g. 415 555 0123, or in international form: +14155550123."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = country_choices(translation.get_language() or "en")

    def clean(self):
        data = super().clean()
        if data.get("phone_number") and data.get("country"):
            try:
                data["phone_e164"] = parse_phone_number(data["phone_number"], country=data["country"]).e164
            except (InvalidPhoneNumber, CountryNotAllowed) as exc:
                self.add_error("phone_number", refusal_text(exc))
        return data


class ChannelField(forms.ChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Send my codes by"))
        super().__init__(choices=CodeChannel.choices, widget=RadioSelect, initial=CodeChannel.SMS, **kwargs)


class SignupForm(PhoneFields):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator(message=USERNAME_TEXT)],
        help_text=_("Letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_("At least 8 characters, not only digits, not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    channel = ChannelField()
    field_order = ["username", "password", "country", "phone_number", "channel"]

    def clean_username(self):
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is taken."), code="username_taken")
        return username

    def clean(self):
        data = super().clean()
        if data.get("password"):
            user = get_user_model()(username=data.get("username", ""))
            try:
                password_validation.validate_password(data["password"], user)
            except forms.ValidationError as exc:
                self.add_error("password", password_errors(exc))
        return data


class LoginForm(AccessibleForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class CodeForm(AccessibleForm):
    code = forms.CharField(label=_("Code"), max_length=32)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        length = app_settings.CODE_LENGTH
        field = self.fields["code"]
        field.help_text = gettext("The %(count)s digits we sent you.") % {"count": length}
        message = gettext("Type the %(count)s digits of the code.") % {"count": length}
        self.code_validator = RegexValidator(rf"^[0-9]{{{length}}}\Z", message)
        field.widget.attrs.update(
            {
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": rf"\d{{{length}}}",
                "maxlength": str(length),
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        )

    def clean_code(self):
        # People paste "123 456" or "123-456": the digits are what count, in any script
        # ("١٢٣٤٥٦" from an Arabic keyboard is 123456), so no try is lost to the keyboard.
        code = "".join(self.cleaned_data["code"].split()).replace("-", "")
        code = "".join(str(unicodedata.digit(char, char)) for char in code)
        self.code_validator(code)
        return code


class PhoneChangeForm(PhoneFields):
    pass


class ChannelForm(AccessibleForm):
    preferred_channel = ChannelField()
