from django import template
from django.urls import NoReverseMatch, reverse

from ..conf import app_settings

register = template.Library()


@register.simple_tag
def site_name():
    return app_settings.SITE_NAME


@register.simple_tag
def url_or_empty(name):
    """`reverse(name)`, or "" where the site does not route it (the frame's optional links)."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""
