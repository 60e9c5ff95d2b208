from django.urls import path

from . import verify, views

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("verify/", verify.verify, name="verify"),
    path("verify/status/", verify.status, name="verify-status"),
    path("verify/continue/", verify.keypad_continue, name="keypad-continue"),
    path("verify/resend/", verify.resend, name="resend"),
    path("verify/restart/", verify.restart, name="restart"),
    path("verify/cancel/", verify.cancel, name="cancel"),
    path("profile/", views.profile, name="profile"),
    path("profile/phone/", views.profile_phone, name="profile-phone"),
    path("profile/channel/", views.profile_channel, name="profile-channel"),
]
