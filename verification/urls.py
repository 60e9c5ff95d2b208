from django.urls import path

from .views import health
from .views import plivo as plivo_views

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("plivo/voice/<uuid:delivery_id>/answer/", plivo_views.voice_answer, name="plivo-voice-answer"),
    path("plivo/voice/<uuid:delivery_id>/code/", plivo_views.voice_code, name="plivo-voice-code"),
    path("plivo/voice/<uuid:delivery_id>/digits/", plivo_views.voice_digits, name="plivo-voice-digits"),
    path("plivo/voice/<uuid:delivery_id>/hangup/", plivo_views.voice_hangup, name="plivo-voice-hangup"),
]
urlpatterns.append(path("plivo/sms/<uuid:delivery_id>/status/", plivo_views.sms_status, name="plivo-sms-status"))
