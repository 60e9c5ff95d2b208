"""Mounted at /admin/verification/ before the admin's own URLs."""

from django.contrib import admin
from django.urls import path

from . import admin_views

urlpatterns = [
    path("dashboard/", admin.site.admin_view(admin_views.dashboard), name="verification-dashboard"),
    path("rate-limits/", admin.site.admin_view(admin_views.rate_limits), name="verification-rate-limits"),
]
