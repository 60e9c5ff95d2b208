"""The hot paths' statements, written once per process from the models' own metadata.

Django builds and compiles a queryset's SQL anew on every run: 0.2-1 ms of CPU a
statement on a small machine, more than PostgreSQL spends running it. The few
statements every check, read and Plivo fetch sends (a row lock, an update of named
fields, an audit line, the webhook lookup) are written here once, with the models'
table and column names, and their rows built as the ORM builds them: the fields'
own database converters, then `Model.from_db`. Values are adapted by each field's
`get_db_prep_save`, as the ORM adapts them.

A model with pre_save/post_save receivers (a site's own) is saved through the ORM
instead, so its signals still fire.
"""

from functools import cache, lru_cache

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models.signals import post_save, pre_save
from phonenumber_field.modelfields import PhoneNumberField
from phonenumber_field.phonenumber import PhoneNumber
from phonenumber_field.phonenumber import to_python as phonenumber_to_python


def _quote(name):
    return connection.ops.quote_name(name)


def _for_update():
    """` FOR UPDATE` where the database has row locks (PostgreSQL); SQLite (the embedded
    default) has none and needs none: its transactions take the write lock as they begin."""
    return f" {connection.ops.for_update_sql()}" if connection.features.has_select_for_update else ""


class Columns:
    """A model's concrete columns in a SELECT, and the instance built from a row of them."""

    def __init__(self, model, alias, only=None):
        self.model = model
        fields = [field for field in model._meta.concrete_fields if only is None or field.attname in only]
        self.sql = ", ".join(f"{alias}.{_quote(field.column)}" for field in fields)
        self.count = len(fields)
        self.attnames = [field.attname for field in fields]
        # As the ORM's compiler converts a column: the backend's converters (SQLite's for
        # datetimes and UUIDs), then the field's own, each given the column expression.
        self.converters = []
        for i, field in enumerate(fields):
            column = field.get_col(alias)
            funcs = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if isinstance(field, PhoneNumberField):
                funcs = [phone_number_from_db if func == field.from_db_value else func for func in funcs]
            if funcs:
                self.converters.append((i, column, funcs))

    def build(self, row, start=0):
        values = list(row[start : start + self.count])
        for i, column, funcs in self.converters:
            for convert in funcs:
                values[i] = convert(values[i], column, connection)
        return self.model.from_db(DEFAULT_DB_ALIAS, self.attnames, values)


@lru_cache(maxsize=4096)
def _phone_number(value):
    return phonenumber_to_python(value)


def phone_number_from_db(value, expression, connection):
    """PhoneNumberField's `from_db_value`, a number parsed once per process: a copy of the
    parsed number (each instance its own, as the field gives it), not a parse per row load,
    which cost more than the statement that read the row."""
    if not isinstance(value, str) or not value:
        return phonenumber_to_python(value)
    number = PhoneNumber()
    number.merge_from(_phone_number(value))
    return number


@cache
def columns(model, alias, only=None):
    """`only`: a tuple of attnames to load (the others deferred, as `.only()` leaves them)."""
    return Columns(model, alias, only)


def table(model):
    return _quote(model._meta.db_table)


def fetch(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _written_here():
    """The statements below are PostgreSQL's (row locks, `= ANY(%s)`, its parameter types);
    on any other database (SQLite, the embedded default) each function takes the ORM's
    own path, the one its docstring names."""
    return connection.vendor == "postgresql"


def _has_receivers(model):
    return pre_save.has_listeners(model) or post_save.has_listeners(model)


@cache
def _update_sql(model, fields):
    assignments = ", ".join(f"{_quote(model._meta.get_field(name).column)} = %s" for name in fields)
    return f"UPDATE {table(model)} SET {assignments} WHERE {_quote(model._meta.pk.column)} = %s"


def save_fields(instance, fields):
    """`instance.save(update_fields=fields)`, as one UPDATE of those fields by primary key."""
    model = type(instance)
    if _has_receivers(model) or not _written_here():
        instance.save(update_fields=fields)
        return
    fields = tuple(dict.fromkeys(fields))
    with connection.cursor() as cursor:
        cursor.execute(_update_sql(model, fields), _update_params(instance, fields))


def _update_params(instance, fields):
    meta = type(instance)._meta
    params = [meta.get_field(name).get_db_prep_save(getattr(instance, meta.get_field(name).attname), connection)
              for name in fields]  # fmt: skip
    params.append(meta.pk.get_db_prep_value(instance.pk, connection))
    return params


def save_fields_and_insert(instance, fields, row):
    """`save_fields(instance, fields)`, then `insert(row)`, as one statement (one round trip):
    `WITH saved AS (UPDATE ...) INSERT ...`, PostgreSQL running both, the UPDATE first, to
    completion, in the caller's transaction. Either model with save receivers, or another
    database: the two statements, as they were."""
    if _has_receivers(type(instance)) or _has_receivers(type(row)) or not _written_here():
        save_fields(instance, fields)
        return insert(row)
    fields = tuple(dict.fromkeys(fields))
    insert_sql, insert_fields, returning = _insert_sql(type(row))
    sql = f"WITH saved AS ({_update_sql(type(instance), fields)}) {insert_sql}"
    params = [*_update_params(instance, fields), *_insert_params(row, insert_fields)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        _inserted(row, cursor, returning)
    return row


@cache
def _insert_sql(model):
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not (field.primary_key and field.db_returning)]
    names = ", ".join(_quote(field.column) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    returning = [field for field in meta.concrete_fields if field.primary_key and field.db_returning]
    sql = f"INSERT INTO {table(model)} ({names}) VALUES ({marks})"
    if returning and connection.features.can_return_columns_from_insert:
        sql += f" RETURNING {_quote(returning[0].column)}"
    return sql, fields, returning[0] if returning else None


def insert(instance):
    """`instance.save(force_insert=True)` as one INSERT (RETURNING its serial key)."""
    model = type(instance)
    if _has_receivers(model) or not _written_here():
        instance.save(force_insert=True)
        return instance
    sql, fields, returning = _insert_sql(model)
    with connection.cursor() as cursor:
        cursor.execute(sql, _insert_params(instance, fields))
        _inserted(instance, cursor, returning)
    return instance


def _insert_params(instance, fields):
    return [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]


def _inserted(instance, cursor, returning):
    """The row as the ORM leaves it once inserted: its serial key set, no longer `adding`."""
    if returning is not None:
        returned = cursor.fetchone()[0] if connection.features.can_return_columns_from_insert else cursor.lastrowid
        setattr(instance, returning.attname, returned)
    instance._state.adding = False
    instance._state.db = DEFAULT_DB_ALIAS


# The hot paths' reads.


def _verification_model():
    from ..models import VerificationAttempt

    return VerificationAttempt


@cache
def _verification_lock_sql(by_key):
    model = _verification_model()
    sql = (
        f"SELECT {columns(model, 'v').sql}, {_webhook_url_column('v')} FROM {table(model)} v"
        f" WHERE v.{_quote(model._meta.pk.column)} = %s"
    )
    if by_key:
        sql += f" AND v.{_quote(model._meta.get_field('api_key').column)} = %s"
    return sql + _for_update()


def verification_locked(verification_id, *, api_key_id=None, by_key=False):
    """The verification's row, locked (the caller's transaction): `select_for_update().get(pk=...)`,
    only among `api_key_id`'s with `by_key`. None if there is none. Its key's webhook URL is
    read in the same statement, for the events of this transaction (`webhook_url_of`)."""
    if not _written_here():
        rows = _verification_model().objects.select_for_update().filter(pk=verification_id)
        return (rows.filter(api_key_id=api_key_id) if by_key else rows).first()
    params = [verification_id, api_key_id] if by_key else [verification_id]
    rows = fetch(_verification_lock_sql(by_key), params)
    if not rows:
        return None
    verification_columns = columns(_verification_model(), "v")
    verification = verification_columns.build(rows[0])
    _webhook_url_read(verification, rows[0][verification_columns.count])
    return verification


@cache
def _verification_read_sql():
    from ..models import Delivery

    model = _verification_model()
    pk, key = _quote(model._meta.pk.column), _quote(model._meta.get_field("api_key").column)
    link = _quote(Delivery._meta.get_field("verification").column)
    created = _quote(Delivery._meta.get_field("created_at").column)
    return (
        f"SELECT {columns(model, 'v').sql}, {columns(Delivery, 'd').sql} FROM {table(model)} v"
        f" LEFT JOIN {table(Delivery)} d ON d.{link} = v.{pk}"
        f" WHERE v.{pk} = %s AND v.{key} = %s ORDER BY d.{created}, d.{_quote(Delivery._meta.pk.column)}"
    )


def verification_with_deliveries(verification_id, *, api_key_id):
    """The key's verification with its deliveries (oldest first) in one statement, as
    `prefetch_related("deliveries")` leaves it; None if the key has no such verification."""
    from django.db.models import Prefetch

    from ..models import Delivery

    if not _written_here():
        deliveries = Prefetch("deliveries", queryset=Delivery.objects.order_by("created_at", "pk"))
        rows = _verification_model().objects.filter(pk=verification_id, api_key_id=api_key_id)
        return rows.prefetch_related(deliveries).first()

    rows = fetch(_verification_read_sql(), [verification_id, api_key_id])
    if not rows:
        return None
    verification_columns = columns(_verification_model(), "v")
    verification = verification_columns.build(rows[0])
    delivery_columns = columns(Delivery, "d")
    deliveries = [delivery_columns.build(row, verification_columns.count) for row in rows
                  if row[verification_columns.count] is not None]  # fmt: skip
    attach_deliveries(verification, deliveries)
    return verification


def attach_deliveries(verification, deliveries):
    """As a prefetch leaves them: `verification.deliveries.all()` answers without a query."""
    from ..models import Delivery

    link = Delivery._meta.get_field("verification")
    for delivery in deliveries:
        link.set_cached_value(delivery, verification)
    manager = verification.deliveries
    queryset = manager.get_queryset()  # the verification's deliveries, not yet run
    queryset._result_cache = deliveries
    queryset._prefetch_done = True
    verification._prefetched_objects_cache = {manager.field.remote_field.cache_name: queryset}


# What a Plivo fetch reads of a delivery and its verification: loading the rest (the
# phone number is parsed on every load) costs more than the statement.
FETCH_READS = (
    ("id", "channel", "verification_id"),
    ("id", "status", "expires_at", "code_encrypted", "locale", "voice_mode"),
)


def _delivery_columns(lock):
    from ..models import Delivery

    delivery_only, verification_only = (None, None) if lock else FETCH_READS
    return columns(Delivery, "d", delivery_only), columns(_verification_model(), "v", verification_only)


@cache
def _delivery_sql(lock):
    from ..models import Delivery

    model = _verification_model()
    link = _quote(Delivery._meta.get_field("verification").column)
    delivery_columns, verification_columns = _delivery_columns(lock)
    webhook = f", {_webhook_url_column('v')}" if lock else ""
    sql = (
        f"SELECT {delivery_columns.sql}, {verification_columns.sql}{webhook} FROM {table(Delivery)} d"
        f" INNER JOIN {table(model)} v ON v.{_quote(model._meta.pk.column)} = d.{link}"
        f" WHERE d.{_quote(Delivery._meta.pk.column)} = %s"
    )
    return sql + (_for_update() if lock else f" AND d.{_quote(Delivery._meta.get_field('channel').column)} = %s")


def _delivery_from(rows, lock):
    from ..models import Delivery

    if not rows:
        return None
    delivery_columns, verification_columns = _delivery_columns(lock)
    delivery = delivery_columns.build(rows[0])
    verification = verification_columns.build(rows[0], delivery_columns.count)
    if lock:
        _webhook_url_read(verification, rows[0][delivery_columns.count + verification_columns.count])
    Delivery._meta.get_field("verification").set_cached_value(delivery, verification)
    return delivery


def delivery_locked(delivery_id):
    """`Delivery.objects.select_for_update().select_related("verification").get(pk=...)`:
    the delivery and its verification, both rows locked as that locks them; None if none."""
    if not _written_here():
        from ..models import Delivery

        return Delivery.objects.select_for_update().select_related("verification").filter(pk=delivery_id).first()
    return _delivery_from(fetch(_delivery_sql(True), [delivery_id]), True)


def delivery_of_channel(delivery_id, channel):
    """The delivery of `channel` with what a Plivo fetch reads of it and its verification
    (FETCH_READS; the rest deferred, as `.only()` leaves it), unlocked; or None."""
    if not _written_here():
        from ..models import Delivery

        delivery_only, verification_only = FETCH_READS
        only = [*delivery_only, *(f"verification__{name}" for name in verification_only)]
        rows = Delivery.objects.select_related("verification").only(*only)
        return rows.filter(pk=delivery_id, channel=channel).first()
    return _delivery_from(fetch(_delivery_sql(False), [delivery_id, channel]), False)


# The key's webhook URL, read with a verification's row lock: an event of the same
# transaction (the check that ends it, a carrier's step) needs no statement of its own.
# NULL: the key has no webhook (its URL column is never NULL).
_WEBHOOK_READ = "_webhook_url_under_lock"


def _webhook_url_column(alias):
    from ..models import WebhookEndpoint

    meta = WebhookEndpoint._meta
    key = _quote(meta.get_field("api_key").column)
    return (
        f"(SELECT w.{_quote(meta.get_field('url').column)} FROM {table(WebhookEndpoint)} w"
        f" WHERE w.{key} = {alias}.{_quote(_verification_model()._meta.get_field('api_key').column)} LIMIT 1)"
    )


def _webhook_url_read(verification, url):
    if verification.api_key_id is not None:
        setattr(verification, _WEBHOOK_READ, url)


def webhook_url_of(verification):
    """`webhook_url(verification.api_key_id)`, taken from the statement that locked the
    verification when that ran in this transaction (once: a later event reads it again)."""
    url = verification.__dict__.pop(_WEBHOOK_READ, _NOT_READ)
    if url is not _NOT_READ and connection.in_atomic_block:
        return url
    return webhook_url(verification.api_key_id)


_NOT_READ = object()


@cache
def _webhook_url_sql():
    from ..models import WebhookEndpoint

    meta = WebhookEndpoint._meta
    return (
        f"SELECT {_quote(meta.get_field('url').column)} FROM {table(WebhookEndpoint)}"
        f" WHERE {_quote(meta.get_field('api_key').column)} = %s LIMIT 1"
    )


def webhook_url(api_key_id):
    """The key's webhook URL: "" if it has a webhook without one, None if it has none."""
    if not _written_here():
        from ..models import WebhookEndpoint

        return WebhookEndpoint.objects.filter(api_key_id=api_key_id).values_list("url", flat=True).first()
    rows = fetch(_webhook_url_sql(), [api_key_id])
    return rows[0][0] if rows else None


@cache
def _code_spoken_sql():
    from ..models import Delivery

    meta = Delivery._meta
    spoken, status = _quote(meta.get_field("code_spoken_at").column), _quote(meta.get_field("status").column)
    return (
        f"UPDATE {table(Delivery)} SET {spoken} = %s WHERE {_quote(meta.pk.column)} = %s"
        f" AND {spoken} IS NULL AND NOT ({status} = ANY(%s))"
    )


def delivery_mark_code_spoken(delivery_id, *, now, final_statuses):
    """`filter(pk=..., code_spoken_at=None).exclude(status__in=final).update(code_spoken_at=now)`:
    how many rows it changed (0 or 1)."""
    if not _written_here():
        from ..models import Delivery

        rows = Delivery.objects.filter(pk=delivery_id, code_spoken_at=None).exclude(status__in=list(final_statuses))
        return rows.update(code_spoken_at=now)
    with connection.cursor() as cursor:
        cursor.execute(_code_spoken_sql(), [now, delivery_id, [str(status) for status in final_statuses]])
        return cursor.rowcount


@cache
def _pending_sql():
    model = _verification_model()
    meta = model._meta
    tenant, number, status = (_quote(meta.get_field(name).column) for name in ("tenant", "phone_number", "status"))
    return (
        f"SELECT {columns(model, 'v').sql} FROM {table(model)} v"
        f" WHERE v.{tenant} = %s AND v.{number} = %s AND v.{status} = %s{_for_update()}"
    )


def pending_locked(*, tenant, phone_number):
    """The tenant's pending verifications of `phone_number` (E.164), their rows locked:
    `select_for_update().filter(tenant=..., phone_number=..., status="pending")`."""
    from ..models import Status

    if not _written_here():
        rows = _verification_model().objects.select_for_update()
        return list(rows.filter(tenant=tenant, phone_number=phone_number, status=Status.PENDING))

    rows = fetch(_pending_sql(), [tenant, phone_number, Status.PENDING.value])
    verification_columns = columns(_verification_model(), "v")
    return [verification_columns.build(row) for row in rows]
