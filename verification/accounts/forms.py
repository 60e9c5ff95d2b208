"""The pages' forms. They check what a form can; the rules stay in the services."""

import unicodedata

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.validators import RegexValidator
from django.utils import translation

from ..conf import app_settings
from ..exceptions import CountryNotAllowed, InvalidPhoneNumber
from ..phones import parse_phone_number
from .countries import country_choices
from .models import CodeChannel


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


class PhoneFields(AccessibleForm):
    """A country picker and a number; `clean()` leaves the E.164 form in `phone_e164`."""

    country = forms.ChoiceField(label="Country", choices=())
    phone_number = forms.CharField(
        label="Phone number",
        max_length=32,
        help_text="Your mobile number, e.g. 415 555 0123, or in international form: +14155550123.",
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
                self.add_error("phone_number", exc.detail)
        return data


class ChannelField(forms.ChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Send my codes by")
        super().__init__(choices=CodeChannel.choices, widget=RadioSelect, initial=CodeChannel.SMS, **kwargs)


class SignupForm(PhoneFields):
    username = forms.CharField(
        label="Username",
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text="Letters, digits and @ . + - _ only.",
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        help_text="At least 8 characters, not only digits, not a common password.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    channel = ChannelField()
    field_order = ["username", "password", "country", "phone_number", "channel"]

    def clean_username(self):
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("This username is taken.", code="username_taken")
        return username

    def clean(self):
        data = super().clean()
        if data.get("password"):
            user = get_user_model()(username=data.get("username", ""))
            try:
                password_validation.validate_password(data["password"], user)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data


class LoginForm(AccessibleForm):
    username = forms.CharField(
        label="Username",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class CodeForm(AccessibleForm):
    code = forms.CharField(label="Code", max_length=32)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        length = app_settings.CODE_LENGTH
        field = self.fields["code"]
        field.help_text = f"The {length} digits we sent you."
        self.code_validator = RegexValidator(rf"^[0-9]{{{length}}}\Z", f"Type the {length} digits of the code.")
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
