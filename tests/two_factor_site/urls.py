from django.http import HttpResponse
from django.urls import include, path
from django_otp.decorators import otp_required
from two_factor.urls import urlpatterns as two_factor_urlpatterns

from otpsite.urls import urlpatterns as site_urlpatterns


@otp_required
def signed_in(request):
    """Only a user who passed the second factor gets here."""
    return HttpResponse(f"<h1>Signed in as {request.user.get_username()}, verified.</h1>")


urlpatterns = [
    path("", include(two_factor_urlpatterns)),
    path("signed-in/", signed_in, name="signed-in"),
    *site_urlpatterns,  # the Plivo callbacks, the sandbox
]
