"""The periodic tasks the app needs, for a site's Celery beat schedule.

    CELERY_BEAT_SCHEDULE = {**beat_schedule(sweep_every=10.0), ...the site's own...}

Without them nothing expires on time, no lost delivery or webhook is picked up
again, and old records are never purged.
"""


def beat_schedule(*, sweep_every=10.0, accounts=False, sandbox=False):
    """`sweep_every`: VERIFICATION_SWEEP_INTERVAL_SECONDS; `accounts` and `sandbox`: add the
    purges of the optional apps that are installed."""
    schedule = {
        # As often as the sweep (an indexed query): verification.expired goes out within seconds.
        "expire-verifications": {"task": "verification.tasks.expire_due", "schedule": min(60.0, float(sweep_every))},
        "sweep-deliveries": {"task": "verification.tasks.sweep", "schedule": float(sweep_every)},
        "purge-old-records": {"task": "verification.tasks.purge", "schedule": 3600.0},
        "warm-dashboard": {"task": "verification.tasks.warm_dashboard", "schedule": 3600.0},
    }
    if accounts:
        schedule["purge-account-events"] = {"task": "verification.contrib.accounts.tasks.purge_account_events", "schedule": 3600.0}
    if sandbox:
        schedule["purge-sandbox-inbox"] = {"task": "verification.contrib.sandbox.tasks.purge_inbox", "schedule": 3600.0}
    return schedule
