"""The one clock: "today" is the Amsterdam date, every part of the app reads the clock, and
tests can move it."""

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

import buddy
from buddy import clock
from buddy.matches.forms import MeetingForm
from buddy.screening.forms import IntakeTalkForm

pytestmark = pytest.mark.client_language(None)

WALL_CLOCK = re.compile(r"datetime\.now\(|date\.today\(|utcnow\(|time\.time\(\)|func\.now\(")


def test_nothing_in_the_app_reads_the_wall_clock_but_the_clock_module():
    package = Path(buddy.__file__).parent
    offenders = [f"{path.relative_to(package)}:{number}"
                 for path in package.rglob("*.py") if path.name != "clock.py"
                 for number, line in enumerate(path.read_text().splitlines(), 1)
                 if WALL_CLOCK.search(line)]
    assert offenders == []


@pytest.mark.parametrize(("instant", "expected"), [
    (datetime(2026, 12, 5, 22, 59, tzinfo=UTC), date(2026, 12, 5)),   # 23:59 in Amsterdam
    (datetime(2026, 12, 5, 23, 0, tzinfo=UTC), date(2026, 12, 6)),    # midnight in Amsterdam
    (datetime(2026, 7, 1, 21, 59, tzinfo=UTC), date(2026, 7, 1)),     # summer time: UTC+2
    (datetime(2026, 7, 1, 22, 0, tzinfo=UTC), date(2026, 7, 2)),
    (datetime(2026, 3, 29, 0, 30, tzinfo=UTC), date(2026, 3, 29)),    # the night clocks go on
])
def test_today_is_the_amsterdam_date(clock, instant, expected):
    clock.move_to(instant)
    assert clock.today() == expected
    assert clock.now() == instant


def test_start_of_a_day_is_amsterdam_midnight():
    assert clock.start_of(date(2026, 12, 6)) == datetime(2026, 12, 5, 23, tzinfo=UTC)
    assert clock.start_of(date(2026, 7, 2)) == datetime(2026, 7, 1, 22, tzinfo=UTC)
    assert clock.local_date(datetime(2026, 12, 5, 23, 30, tzinfo=UTC)) == date(2026, 12, 6)


@pytest.mark.parametrize("form_class", [MeetingForm, IntakeTalkForm])
def test_forms_accept_the_amsterdam_today_just_after_midnight(app, clock, form_class):
    """At 00:30 in Amsterdam (23:30 UTC) the new day is "today", not "tomorrow"."""
    clock.move_to(datetime(2026, 12, 5, 23, 30, tzinfo=UTC))
    field = "met_on" if form_class is MeetingForm else "held_on"
    with app.test_request_context(method="POST"):
        today = form_class(MultiDict({field: "2026-12-06"}), meta={"csrf": False})
        tomorrow = form_class(MultiDict({field: "2026-12-07"}), meta={"csrf": False})
        today.validate()
        tomorrow.validate()
    assert field not in today.errors
    assert field in tomorrow.errors


def test_model_defaults_take_time_from_the_clock(app_ctx, clock):
    from tests import factories as f

    moved = datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC)
    clock.move_to(moved)
    org = f.make_org()
    assert org.created_at == moved
