from django.urls import path

from . import phlo, phone, views

app_name = "sandbox"

urlpatterns = [
    # Where make_rest_client() sends the SDK's https://api.plivo.com/v1 requests.
    path("plivo/v1/Account/<str:auth_id>/Call/", views.call_create, name="plivo-call"),
    path("plivo/v1/Account/<str:auth_id>/Message/", views.message_create, name="plivo-message"),
    path("plivo/v1/Account/<str:auth_id>/Call/<str:call_uuid>/", views.call_get, name="plivo-call-get"),
    path("plivo/v1/Account/<str:auth_id>/Message/<str:message_uuid>/", views.message_get, name="plivo-message-get"),
    # Where the PHLO client's https://phlorunner.plivo.com/v1 requests go.
    path("plivo/phlo/v1/account/<str:auth_id>/phlo/<str:phlo_id>/", phlo.run_phlo, name="phlo-run"),
    path("inbox/", views.inbox, name="inbox"),
    path("phone/", phone.phone, name="phone"),
    path("phone/calls/<uuid:entry_id>/audio.wav", phone.call_audio, name="phone-call-audio"),
    path("calls/<uuid:entry_id>/press", views.call_press, name="call-press"),
    path("calls/<uuid:entry_id>/press/", views.call_press),
]
