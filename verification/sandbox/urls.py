from django.urls import path

from . import views

app_name = "sandbox"

urlpatterns = [
    # Where make_rest_client() sends the SDK's https://api.plivo.com/v1 requests.
    path("plivo/v1/Account/<str:auth_id>/Call/", views.call_create, name="plivo-call"),
    path("plivo/v1/Account/<str:auth_id>/Message/", views.message_create, name="plivo-message"),
    path("inbox/", views.inbox, name="inbox"),
    path("calls/<uuid:entry_id>/press", views.call_press, name="call-press"),
    path("calls/<uuid:entry_id>/press/", views.call_press),
]
