"""GET /sandbox/inbox/: what the simulated phones received."""

import datetime

import pytest
from django.utils import timezone

from verification.contrib.sandbox.models import InboxEntry

from .support import ANSWERED, NO_ANSWER

OTHER = "+442079460123"


@pytest.fixture
def inbox(client, settings, db):
    """Read the inbox through the site's URLs with the test client."""
    settings.ROOT_URLCONF = "tests.sandbox.urls"

    def read(query=""):
        response = client.get("/sandbox/inbox/" + query)
        assert response.status_code == 200
        return response.json()

    return read


def make_entry(to, minutes_ago, channel="sms", text="Your code is 4071."):
    created_at = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    return InboxEntry.objects.create(
        channel=channel, to_number=to, from_number="+14155550100", text=text, status="delivered", created_at=created_at
    )


def test_inbox_filters_by_a_number_given_with_a_literal_plus(inbox):
    mine = make_entry(ANSWERED, minutes_ago=1)
    make_entry(OTHER, minutes_ago=1)

    # In a query string '+' decodes to a space: the inbox must still find the number.
    assert [entry["id"] for entry in inbox("?to=+14155550123")] == [str(mine.pk)]


def test_inbox_filters_by_a_number_given_percent_encoded(inbox):
    mine = make_entry(ANSWERED, minutes_ago=1)
    make_entry(OTHER, minutes_ago=1)

    assert [entry["id"] for entry in inbox("?to=%2B14155550123")] == [str(mine.pk)]


def test_inbox_lists_newest_first(inbox):
    old = make_entry(ANSWERED, minutes_ago=5)
    new = make_entry(ANSWERED, minutes_ago=1, channel="call")
    middle = make_entry(NO_ANSWER, minutes_ago=3)

    assert [entry["id"] for entry in inbox()] == [str(new.pk), str(middle.pk), str(old.pk)]


def test_inbox_entry_carries_the_contract_fields(inbox):
    entry = make_entry(ANSWERED, minutes_ago=1)

    assert inbox() == [
        {
            "id": str(entry.pk),
            "channel": "sms",
            "to": ANSWERED,
            "from": "+14155550100",
            "text": "Your code is 4071.",
            "status": "delivered",
            "created_at": entry.created_at.isoformat(),
        }
    ]


def test_inbox_refuses_a_to_that_is_not_a_number(client, settings, db):
    settings.ROOT_URLCONF = "tests.sandbox.urls"

    assert client.get("/sandbox/inbox/?to=alice").status_code == 400
