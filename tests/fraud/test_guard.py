"""The conversion guard over the API (APIClient, PostgreSQL, Redis)."""

import pytest
from django.core import mail
from django_redis import get_redis_connection

from tests.helpers import code_of
from verification import clock as vclock
from verification import fraud, services
from verification.exceptions import DeliveryBlocked, ServiceUnavailable
from verification.models import FraudBlock, VerificationAttempt
from verification.phones import parse_phone_number

from .conftest import MIN_SENDS, pumped

pytestmark = pytest.mark.django_db

URL = "/api/v1/verifications"


def create(api, number, channel="sms"):
    return api.post(URL, {"phone_number": number, "channel": channel}, format="json")


def approve(api, response):
    assert response.status_code == 201, response.content
    code = code_of(VerificationAttempt.objects.get(pk=response.json()["id"]))
    assert api.post(f"{URL}/{response.json()['id']}/check", {"code": code}, format="json").json()["status"] == "approved"


def assert_blocked(response):
    assert response.status_code == 403, response.content
    error = response.json()["errors"][0]
    assert (error["code"], error["attr"]) == ("delivery_blocked", "phone_number")


def pump(api, numbers):
    return [create(api, n).status_code for n in numbers]


def test_unconverted_sends_to_one_range_are_cut_off_at_min_sends(api):
    statuses = pump(api, pumped(25))
    assert statuses[:MIN_SENDS] == [201] * MIN_SENDS
    assert set(statuses[MIN_SENDS:]) == {403}
    assert_blocked(create(api, pumped(30)[29]))


def test_a_converting_range_is_never_blocked(api, clock):
    for number in pumped(14, prefix="+1312555"):
        approve(api, create(api, number))
    clock.advance(60)
    for number in pumped(14, prefix="+1312555"):  # and again: 28 sends, all used
        approve(api, create(api, number))
    assert not FraudBlock.objects.exists()


def test_a_range_converting_a_quarter_of_its_codes_stays_open(api):
    for i, number in enumerate(pumped(24, prefix="+1312555")):
        response = create(api, number)
        assert response.status_code == 201, response.content
        if i % 4 == 0:
            approve(api, response)
    assert not FraudBlock.objects.exists()


def test_a_blocked_range_touches_no_other_range_nor_its_country(api):
    pump(api, pumped(MIN_SENDS + 1))
    assert FraudBlock.objects.get().scope == "range"
    # The country's window no longer holds the blocked range's sends: other US ranges go on.
    for prefix in ("+1312555", "+1646555", "+1415555"):
        for number in pumped(3, prefix=prefix):
            assert create(api, number).status_code == 201
    assert create(api, "+447911123456").status_code == 201
    assert FraudBlock.objects.count() == 1


def test_a_country_whose_codes_go_unused_across_ranges_is_blocked(api):
    numbers = [f"+4479{r}1112{i:03d}" for i in range(3) for r in (0, 2, 3, 4)]  # 4 GB ranges, 3 sends each
    statuses = pump(api, numbers)
    assert statuses[:MIN_SENDS] == [201] * MIN_SENDS
    assert set(statuses[MIN_SENDS:]) == {403}
    block = FraudBlock.objects.get()
    assert (block.scope, block.subject, block.sends, block.approvals) == ("country", "GB", MIN_SENDS, 0)
    assert_blocked(create(api, "+447700123456"))  # another GB range: the whole country waits
    assert create(api, "+14155550123").status_code == 201  # the US does not


def test_a_resend_to_a_blocked_range_is_refused(api, clock):
    first = create(api, pumped(1)[0]).json()
    pump(api, pumped(MIN_SENDS + 1)[1:])
    clock.advance(60)
    assert_blocked(api.post(f"{URL}/{first['id']}/resend", {}, format="json"))


def test_refusals_use_up_no_cooldown_nor_cap_so_a_lifted_number_gets_its_code(api, clock, settings):
    settings.VERIFICATION_MAX_SENDS_PER_NUMBER_PER_HOUR = 5
    pump(api, pumped(MIN_SENDS + 1))
    block = FraudBlock.objects.get()
    number = pumped(30)[20]  # never sent to
    for _ in range(7):  # more than the number's hourly cap, inside its cooldown
        assert_blocked(create(api, number))
        clock.advance(5)
    fraud.lift(block.pk, actor=services.Actor(type="admin", name="ops"), now=vclock.now())
    created = create(api, number)
    assert created.status_code == 201, created.content  # not 429: no code had gone to it
    assert create(api, number).status_code == 429  # its own send does count


def test_a_refused_resend_uses_up_no_cooldown(api, clock):
    first = create(api, pumped(1)[0]).json()
    pump(api, pumped(MIN_SENDS + 1)[1:])
    clock.advance(60)
    assert_blocked(api.post(f"{URL}/{first['id']}/resend", {}, format="json"))
    fraud.lift(FraudBlock.objects.get().pk, actor=services.Actor(type="admin", name="ops"), now=vclock.now())
    assert api.post(f"{URL}/{first['id']}/resend", {}, format="json").status_code == 202


def test_the_block_ends_after_block_seconds_and_the_range_starts_afresh(api, clock, settings):
    settings.VERIFICATION_FRAUD_BLOCK_SECONDS = 600
    pump(api, pumped(MIN_SENDS + 1))
    clock.advance(599)
    assert_blocked(create(api, pumped(20)[15]))
    clock.advance(2)
    assert create(api, pumped(20)[16]).status_code == 201


def test_old_sends_leave_the_window(api, clock, settings):
    settings.VERIFICATION_FRAUD_WINDOW_SECONDS = 600
    pump(api, pumped(MIN_SENDS - 1))
    clock.advance(601)
    assert pump(api, pumped(2 * MIN_SENDS)[MIN_SENDS:2 * MIN_SENDS - 1]) == [201] * (MIN_SENDS - 1)
    assert not FraudBlock.objects.exists()


def test_the_guard_switched_off_blocks_nothing(api, settings):
    settings.VERIFICATION_FRAUD_GUARD = False
    assert set(pump(api, pumped(MIN_SENDS + 5))) == {201}
    assert not FraudBlock.objects.exists()


def test_each_block_is_one_row_with_its_figures_and_one_mail_to_the_admins(api):
    for number in pumped(2, prefix="+1212555"):
        approve(api, create(api, number))
    pump(api, pumped(30)[2:])
    block = FraudBlock.objects.get()
    # 2 of 10 is 20%, not under it: the 11th send (2 of 11) trips it.
    assert (block.scope, block.subject, block.sends, block.approvals) == ("range", "+1212555", MIN_SENDS + 1, 2)
    assert (block.min_sends, block.min_conversion, block.window_seconds, block.actor_type) == (10, 0.2, 3600, "system")
    assert block.conversion == 18.2
    assert (block.blocked_until - block.created_at).total_seconds() == 86400
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ops@example.com"]
    assert "+1212555••••" in message.subject
    assert f"{MIN_SENDS + 1} codes sent, 2 approved" in message.body
    assert "/admin/verification/rate-limits/" in message.body


def test_a_block_is_kept_and_only_ever_lifted(api):
    pump(api, pumped(MIN_SENDS + 1))
    block = FraudBlock.objects.get()
    with pytest.raises(PermissionError):
        block.delete()
    block.sends = 1
    with pytest.raises(PermissionError):
        block.save()


def test_redis_down_refuses_with_503_rather_than_send_unguarded(settings):
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        },
    }
    with pytest.raises(ServiceUnavailable):
        fraud.guard(parse_phone_number("+14155550123"))


def test_the_check_and_the_record_are_one_script_in_redis(db):
    parsed = parse_phone_number("+14155550123")
    for _ in range(MIN_SENDS):
        fraud.guard(parsed)
    redis = get_redis_connection("ratelimit")
    assert redis.zcard("otp:fg:{1}:range:+1415555:sends") == MIN_SENDS
    assert redis.zcard("otp:fg:{1}:country:US:sends") == MIN_SENDS
    with pytest.raises(DeliveryBlocked):
        fraud.guard(parsed)
    assert redis.exists("otp:fg:{1}:range:+1415555:block")
    assert not redis.exists("otp:fg:{1}:range:+1415555:sends")
    assert redis.zcard("otp:fg:{1}:country:US:sends") == 0


def test_the_service_refuses_before_anything_is_made(db):
    for number in pumped(MIN_SENDS):
        services.verification_create(phone_number=number, channel="sms")
    with pytest.raises(DeliveryBlocked):
        services.verification_create(phone_number=pumped(20)[15], channel="sms")
    assert VerificationAttempt.objects.count() == MIN_SENDS


def test_a_block_set_by_an_idempotent_create_is_still_recorded(api):
    pump(api, pumped(MIN_SENDS))
    # The idempotent create runs in a transaction that its refusal rolls back, row and all...
    response = api.post(URL, {"phone_number": pumped(20)[15], "channel": "sms"}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert_blocked(response)
    assert len(mail.outbox) == 1  # ...but the admins were told at once,
    assert_blocked(create(api, pumped(20)[16]))
    block = FraudBlock.objects.get()  # and the next refusal writes the row again, with the same figures.
    assert (block.scope, block.subject, block.sends, block.approvals) == ("range", "+1212555", MIN_SENDS, 0)
    assert (block.blocked_until - block.created_at).total_seconds() == 86400
    assert len(mail.outbox) == 1


def test_a_block_outlives_a_redis_that_restarted_empty(api):
    """Redis here keeps nothing on disk: a restart empties it. The block's row writes it
    back, and the pumped range stays refused while its country and others go on."""
    pump(api, pumped(MIN_SENDS + 1))
    block = FraudBlock.objects.get()
    get_redis_connection("ratelimit").flushdb()  # what a restart without persistence leaves

    assert_blocked(create(api, pumped(40)[35]))
    assert FraudBlock.objects.count() == 1  # the same block, not a new one
    assert create(api, "+12125560123").status_code == 201  # another range of the country
    fraud.lift(block.pk, actor=services.Actor(type="admin", name="ops"), now=block.created_at)
    assert create(api, pumped(40)[36]).status_code == 201  # a lifted block is not written back


def test_a_lifted_or_ended_block_is_not_written_back(api, clock):
    pump(api, pumped(MIN_SENDS + 1))
    clock.advance(86400 + 1)  # VERIFICATION_FRAUD_BLOCK_SECONDS
    get_redis_connection("ratelimit").flushdb()
    assert create(api, pumped(40)[35]).status_code == 201


def test_the_refusal_is_the_403_the_openapi_document_describes(api):
    import jsonschema

    pump(api, pumped(MIN_SENDS))
    refused = create(api, pumped(20)[15])
    assert_blocked(refused)
    document = api.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    described = document["paths"][URL]["post"]["responses"]["403"]["content"]["application/json"]["schema"]
    jsonschema.validate(refused.json(), {**described, "components": document["components"]})


def test_a_store_that_cannot_be_written_back_refuses_rather_than_sends_unguarded(api, monkeypatch):
    get_redis_connection("ratelimit").flushdb()
    monkeypatch.setattr(fraud, "_restore", lambda *args: None)  # emptied again as fast as it is written back
    with pytest.raises(ServiceUnavailable):
        fraud.guard(parse_phone_number("+12125550123"))
    answer = create(api, "+12125550124")
    assert answer.status_code == 503 and answer["Retry-After"]
    assert not VerificationAttempt.objects.exists()
