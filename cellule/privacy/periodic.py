"""What ``manage.py run_periodic`` does for retention: once a day, the 30-day warnings to the
coordinators, then the purge (which writes its certificate). See ``purge.run_daily``."""


def daily_purge(*, now) -> int:
    from cellule.privacy.purge import run_daily

    return run_daily(now=now)
