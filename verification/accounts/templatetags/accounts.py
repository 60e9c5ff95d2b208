from django import template

from ...conf import app_settings

register = template.Library()


@register.simple_tag
def site_name():
    return app_settings.SITE_NAME
