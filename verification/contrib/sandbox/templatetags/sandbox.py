"""The sandbox phone's words: its delivery statuses as its page says them (phone.js draws
new entries with the same words). The sandbox needs no other app's tags."""

import json

from django import template
from django.utils.translation import pgettext_lazy

register = template.Library()

STATUS_WORDS = {
    "queued": pgettext_lazy("delivery status", "queued"),
    "in_progress": pgettext_lazy("delivery status", "in progress"),
    "completed": pgettext_lazy("delivery status", "completed"),
    "no_answer": pgettext_lazy("delivery status", "no answer"),
    "busy": pgettext_lazy("delivery status", "busy"),
    "failed": pgettext_lazy("delivery status", "failed"),
    "delivered": pgettext_lazy("delivery status", "delivered"),
    "undelivered": pgettext_lazy("delivery status", "undelivered"),
}


@register.filter
def status_words(status):
    return STATUS_WORDS.get(status, status)


@register.simple_tag
def status_words_json():
    return json.dumps({status: str(words) for status, words in STATUS_WORDS.items()}, ensure_ascii=False)
