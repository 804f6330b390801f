"""The one clock of the app: every "now" and every "today" comes from here.

``now()`` is an aware UTC instant: timestamps, expiry, time-outs, retention. ``today()`` is
the calendar date people see, in Amsterdam (the Netherlands' time zone): due dates, "not in
the future", VOG validity, monitor months. Tests move this clock (``time-machine``, see the
``clock`` fixture in ``tests/conftest.py``); nothing else in ``buddy/`` reads the wall clock.
Monotonic timers that only measure a duration (``time.perf_counter``) are not clocks.
"""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Europe/Amsterdam")


def now() -> datetime:
    """Return the current instant, timezone-aware in UTC."""
    return datetime.now(UTC)


def today() -> date:
    """Return today's date in Amsterdam: the date on people's calendars."""
    return local(now()).date()


def local(instant: datetime) -> datetime:
    """Return ``instant`` (aware) as Amsterdam wall time."""
    return instant.astimezone(LOCAL_ZONE)


def start_of(day: date) -> datetime:
    """Return the UTC instant at which ``day`` begins in Amsterdam."""
    return datetime.combine(day, time(0), LOCAL_ZONE).astimezone(UTC)


def local_date(instant: datetime) -> date:
    """Return the Amsterdam calendar date of ``instant`` (aware)."""
    return local(instant).date()
