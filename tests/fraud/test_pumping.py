"""SMS pumping over the API on a real socket: a range nobody confirms is cut off after
about MIN_SENDS, while a converting range and a normal number go on."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import mail

from tests.helpers import code_of, inbox, spoken_code
from verification.contrib.sandbox import simulator
from verification.models import FraudBlock, VerificationAttempt

from .conftest import MIN_SENDS, pumped

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_pumped_range_is_cut_off_and_converting_traffic_goes_on(http, live_site):
    pumping = [http.post(http.base, json={"phone_number": n, "channel": "sms"}, timeout=30) for n in pumped(40)[:5]]
    converting = pumped(14, prefix="+1312555")
    normal = None
    for i, number in enumerate(pumped(40)[5:]):
        pumping.append(http.post(http.base, json={"phone_number": number, "channel": "sms"}, timeout=30))
        if i < len(converting):  # people who get their code and type it in
            created = http.post(http.base, json={"phone_number": converting[i], "channel": "sms"}, timeout=30)
            assert created.status_code == 201, created.content
            code = code_of(VerificationAttempt.objects.get(pk=created.json()["id"]))
            checked = http.post(f"{http.base}/{created.json()['id']}/check", json={"code": code}, timeout=30)
            assert checked.json()["status"] == "approved"
        if i == 20:  # meanwhile, someone elsewhere asks for a call
            normal = http.post(http.base, json={"phone_number": "+14155550123", "channel": "call"}, timeout=30)
            assert normal.status_code == 201, normal.content
            simulator.wait_until_idle(timeout=15)
            code = spoken_code(inbox(live_site, "+14155550123")[0]["text"])
            checked = http.post(f"{http.base}/{normal.json()['id']}/check", json={"code": code}, timeout=30)
            assert checked.json()["status"] == "approved"
    simulator.wait_until_idle(timeout=30)

    sent = [r for r in pumping if r.status_code == 201]
    refused = [r for r in pumping if r.status_code != 201]
    assert len(sent) <= MIN_SENDS + 2
    assert len(sent) + len(refused) == 40
    for response in refused:
        assert response.status_code == 403, response.content
        assert response.json()["errors"][0]["code"] == "delivery_blocked"
        assert response.json()["errors"][0]["attr"] == "phone_number"
    # Nothing reached the refused numbers; each sent one got its one SMS.
    assert sum(len(inbox(live_site, n)) for n in pumped(40)) == len(sent)
    assert VerificationAttempt.objects.filter(phone_number__startswith="+1212555").count() == len(sent)

    block = FraudBlock.objects.get()
    assert (block.scope, block.subject, block.sends, block.approvals) == ("range", "+1212555", MIN_SENDS, 0)
    assert len(mail.outbox) == 1 and "+1212555••••" in mail.outbox[0].subject
    assert mail.outbox[0].to == ["ops@example.com"]


def test_parallel_pumping_gets_no_more_than_min_sends_through(http, live_site):
    def create(number):
        return http.post(http.base, json={"phone_number": number, "channel": "sms"}, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=15) as pool:
        statuses = list(pool.map(create, pumped(30)))
    simulator.wait_until_idle(timeout=30)
    assert statuses.count(201) == MIN_SENDS  # the check and the record are one step: none slips past
    assert statuses.count(403) == 30 - MIN_SENDS
    assert FraudBlock.objects.count() == 1 and len(mail.outbox) == 1
