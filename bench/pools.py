"""The rows the hot paths are measured on, made as `verification_create` makes them.

A right check, an answer and a code XML each use up what they read (the verification
ends, the code is spoken once), so every request of theirs gets a verification of its
own, made before the run: the same rows, codes, hashes and encryption as a create
writes, with the code kept by the bench alone to send it back. They are written in
bulk because a run needs tens of thousands of them; what is measured goes through the
real server.
"""

import itertools
import uuid
from datetime import timedelta

import phonenumbers
from django.db import transaction
from django.utils import timezone

from verification.codes import encrypt_code, generate_code, hash_code
from verification.conf import app_settings
from verification.models import (
    AuditEvent,
    Channel,
    Delivery,
    DeliveryStatus,
    Status,
    VerificationAttempt,
    tenant_of,
)

AREA_CODES = ["212", "312", "415", "646", "718", "213", "305", "617", "202", "206", "404", "512"]
BATCH = 2000


def _numbers():
    """Valid US mobile-or-fixed numbers, never the same twice in one process."""
    for exchange, area, line in itertools.product(range(201, 1000), AREA_CODES, range(10000)):
        number = f"+1{area}{exchange}{line:04d}"
        if phonenumbers.is_valid_number(phonenumbers.parse(number)):
            yield number


NUMBERS = _numbers()


def phone_numbers(count):
    return [next(NUMBERS) for _ in range(count)]


def wrong(code):
    """A code that is not `code`: every digit moved by one."""
    return "".join(str((int(digit) + 1) % 10) for digit in code)


def verifications(count, *, api_key, delivery_status=DeliveryStatus.SENT):
    """`count` pending call verifications of `api_key`, each with its delivery and audit
    lines as a create writes them; returns [(verification, delivery, code)]."""
    now = timezone.now()
    tenant = tenant_of(api_key)
    made = []
    for number in phone_numbers(count):
        code = generate_code(app_settings.CODE_LENGTH)
        verification = VerificationAttempt(
            phone_number=number,
            country="US",
            channel=Channel.CALL,
            locale="en-US",
            voice_mode="read",
            max_checks=app_settings.MAX_CHECKS,
            created_at=now,
            expires_at=now + timedelta(seconds=app_settings.TTL_SECONDS),
            last_sent_at=now,
            tenant=tenant,
            api_key=api_key,
            status=Status.PENDING,
        )
        verification.code_hash = hash_code(code, verification_id=verification.id)
        verification.code_encrypted = encrypt_code(code)
        delivery = Delivery(
            verification=verification,
            channel=Channel.CALL,
            carrier=app_settings.CARRIER,
            status=delivery_status,
            provider_id=str(uuid.uuid4()),
            tries=1,
            created_at=now,
            updated_at=now,
            due_at=now,
        )
        made.append((verification, delivery, code))
    for start in range(0, len(made), BATCH):
        chunk = made[start : start + BATCH]
        with transaction.atomic():
            VerificationAttempt.objects.bulk_create([v for v, _, _ in chunk])
            Delivery.objects.bulk_create([d for _, d, _ in chunk])
            AuditEvent.objects.bulk_create(
                [
                    line
                    for v, d, _ in chunk
                    for line in (
                        AuditEvent(verification=v, event="created", to_status=Status.PENDING, created_at=now,
                                   actor_type="api_key", actor=api_key.name, detail={"channel": "call"}),
                        AuditEvent(verification=v, delivery=d, event="delivery_queued", created_at=now,
                                   actor_type="api_key", actor=api_key.name, detail={"channel": "call"}),
                    )
                ]
            )  # fmt: skip
    return made
