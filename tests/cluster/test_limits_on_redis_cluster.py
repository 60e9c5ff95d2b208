"""The rate limits and the fraud guard, unchanged, on a three-node Redis Cluster."""

import pytest
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from verification import fraud, ratelimit
from verification.exceptions import DeliveryBlocked, Throttled
from verification.models import FraudBlock
from verification.phones import parse_phone_number
from verification.services import Actor
from verification.services.verifications import create_rules, send_rules

MIN_SENDS = 5


def a_create(number, *, ip="203.0.113.9", key_id=7):
    """Every limit a create checks: the address, the key, the number, its country, all sends."""
    parsed = parse_phone_number(number)
    return create_rules(client_ip=ip, api_key_id=key_id) + send_rules(
        parsed.e164, tenant=f"key:{key_id}", country=parsed.country
    )


@pytest.fixture
def sent(cluster, monkeypatch):
    """The commands the product's cluster client sends (one request to a node each)."""
    client = ratelimit._redis()
    commands = []
    execute = client.execute_command

    def counted(*args, **kwargs):
        commands.append(str(args[0]).upper())
        return execute(*args, **kwargs)

    monkeypatch.setattr(client, "execute_command", counted)
    return commands


def test_a_creates_limits_are_checked_and_recorded_in_one_script_on_the_cluster(cluster, sent):
    rules = a_create("+14155550123")
    ratelimit.hit(rules)
    assert sent == ["EVAL"]  # one round trip, to one node
    assert {cluster.keyslot(rule.key) for rule in rules} == {cluster.keyslot(rules[0].key)}
    assert all(cluster.zcard(rule.key) >= 1 for rule in rules)


def test_the_cooldown_refuses_the_second_send_on_the_cluster(cluster):
    ratelimit.hit(a_create("+14155550124"))
    with pytest.raises(Throttled) as refused:
        ratelimit.hit(a_create("+14155550124"))
    assert refused.value.code == "resend_cooldown"
    assert ratelimit.seconds_until_free(a_create("+14155550124")[2]) > 0
    assert ("number-cooldown", "key:7|+14155550124") in {
        (name, subject) for name, subject, *_ in ratelimit.active_windows()
    }


def test_a_refused_hit_records_nothing_under_any_limit_on_the_cluster(cluster, settings):
    settings.VERIFICATION_MAX_VERIFICATIONS_PER_IP_PER_HOUR = 1
    ratelimit.hit(a_create("+14155550125"))
    with pytest.raises(Throttled) as refused:
        ratelimit.hit(a_create("+14155550126"))  # another number, the same address
    assert refused.value.code == "too_many_verifications_from_ip"
    assert not cluster.exists(a_create("+14155550126")[2].key)  # its number's cooldown was never taken


def test_an_admins_unblock_resets_one_limit_on_the_cluster(cluster):
    rules = a_create("+14155550127")
    ratelimit.hit(rules)
    ratelimit.reset(rules[2])
    ratelimit.hit([rules[2]])  # the cooldown is free again


@pytest.mark.django_db
def test_the_fraud_guard_blocks_a_pumped_range_in_one_script_on_the_cluster(cluster, sent, settings):
    settings.VERIFICATION_FRAUD_MIN_SENDS = MIN_SENDS
    settings.VERIFICATION_FRAUD_GRACE_SECONDS = 0  # judged at once (tests/fraud/test_grace.py has the grace)
    settings.ADMINS = []
    numbers = [parse_phone_number(f"+4479001{i:05d}") for i in range(MIN_SENDS + 1)]
    fraud.guard(numbers[0])  # an empty cluster: the first check writes back the blocks on record (none)
    assert sent == ["EVAL", "EVAL", "EVAL"]  # checked, written back, checked
    sent.clear()
    fraud.guard(numbers[1])
    assert sent == ["EVAL"]  # from then on, one script a request
    for parsed in numbers[2:MIN_SENDS]:
        fraud.guard(parsed)
    with pytest.raises(DeliveryBlocked):
        fraud.guard(numbers[MIN_SENDS])
    block = FraudBlock.objects.get()
    assert (block.scope, block.subject, block.sends) == ("range", "+44790010", MIN_SENDS)
    range_scope, country_scope = fraud.scopes_of(numbers[0].e164, "GB")
    assert cluster.exists(range_scope.key("block"))
    assert cluster.keyslot(range_scope.key("sends")) == cluster.keyslot(country_scope.key("sends"))

    fraud.lift(block.pk, actor=Actor(type="admin", name="ops"), now=timezone.now())
    assert not cluster.exists(range_scope.key("block"))
    fraud.guard(numbers[MIN_SENDS])  # lifted: the range may be sent to again


@pytest.mark.django_db
def test_approvals_count_on_the_cluster_and_keep_a_range_open(cluster, settings):
    settings.VERIFICATION_FRAUD_MIN_SENDS = MIN_SENDS

    class Approved:
        def __init__(self, number):
            self.pk, self.phone_number, self.country = f"verification-{number}", PhoneNumber.from_string(number), "FR"

    for i in range(MIN_SENDS * 2):
        number = f"+3361234{i:04d}"
        fraud.guard(parse_phone_number(number))
        fraud.approved(Approved(number))  # every code sent is used: never a block
    range_scope, country_scope = fraud.scopes_of("+33612340000", "FR")
    assert cluster.zcard(range_scope.key("approvals")) == cluster.zcard(country_scope.key("approvals")) == MIN_SENDS * 2
    assert country_scope.tag == range_scope.tag == "33"
