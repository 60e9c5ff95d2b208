from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from verification.contrib.accounts.views import admin_login

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    # Before the admin's own: its password-only form is never routed; the admin signs in as everyone does.
    path("admin/login/", admin_login),
    path("admin/verification/", include("verification.admin_urls")),  # before the admin's own
    path("admin/", admin.site.urls),
    path("api/v1/", include("verification.api.urls")),
    path("accounts/", include("verification.contrib.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the footer's language switch
    path("", include("verification.urls")),
]

if settings.SANDBOX_ENABLED:
    urlpatterns.append(path("sandbox/", include("verification.contrib.sandbox.urls")))
