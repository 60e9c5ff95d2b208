"""A django-otp site: django_otp's LoginView with our device, and a page only a verified user sees."""

from django.http import HttpResponse
from django.template import engines
from django.urls import path
from django_otp.decorators import otp_required
from django_otp.views import LoginView

from otpsite.urls import urlpatterns as site_urlpatterns

LOGIN = engines["django"].from_string(
    """<form method="post">{% csrf_token %}{{ form.as_p }}
    <button name="otp_challenge" value="1">Send me a code</button><button>Sign in</button></form>"""
)


class OtpLoginView(LoginView):
    def render_to_response(self, context, **kwargs):
        return HttpResponse(LOGIN.render(context, self.request))


@otp_required
def private(request):
    return HttpResponse(f"Signed in as {request.user.get_username()} with {request.user.otp_device.name}.")


urlpatterns = [
    path("otp/login/", OtpLoginView.as_view(), name="otp-login"),
    path("otp/private/", private, name="otp-private"),
    *site_urlpatterns,  # the Plivo callbacks and the sandbox
]
