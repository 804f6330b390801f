"""Monitor figures against hand-computed fixtures, the chart page, and the admin overview."""

import re
from datetime import date, timedelta

import pytest

from buddy import clock
from buddy.monitor import services as m
from tests import factories as f
from tests.helpers import waiting

TODAY = date(2026, 11, 15)


def test_last_months_ends_with_the_current_month():
    months = m.last_months(TODAY, 12)
    assert months[0] == date(2025, 12, 1) and months[-1] == date(2026, 11, 1)
    assert len(months) == 12


def test_matches_per_month():
    approved = [date(2026, 11, 2), date(2026, 11, 14), date(2026, 9, 30), date(2025, 11, 30)]
    per_month = dict(m.matches_per_month(approved, TODAY))
    assert per_month[date(2026, 11, 1)] == 2 and per_month[date(2026, 9, 1)] == 1
    assert date(2025, 11, 1) not in per_month  # 13 months ago
    assert sum(per_month.values()) == 3


def test_waiting_periods_of_a_rematched_participant():
    spells = m.waiting_periods(
        date(2026, 1, 1), "waiting", None,
        [(date(2026, 3, 1), date(2026, 5, 1))])  # matched, ended, back on the list
    assert spells == [(date(2026, 1, 1), date(2026, 3, 1)), (date(2026, 5, 1), None)]


def test_waiting_periods_end_when_a_participant_leaves():
    assert m.waiting_periods(date(2026, 1, 1), "withdrawn", date(2026, 2, 1), []) == [
        (date(2026, 1, 1), date(2026, 2, 1))]
    assert m.waiting_periods(date(2026, 1, 1), "matched", None,
                             [(date(2026, 1, 20), None)]) == [
        (date(2026, 1, 1), date(2026, 1, 20))]
    # an ended last match without going back to the list starts no new spell
    assert m.waiting_periods(date(2026, 1, 1), "withdrawn", date(2026, 6, 1),
                             [(date(2026, 1, 20), date(2026, 4, 1))]) == [
        (date(2026, 1, 1), date(2026, 1, 20))]


def test_waiting_list_over_time_counts_and_median():
    spells = [(date(2026, 9, 10), date(2026, 10, 5)),  # waiting at end of September only
              (date(2026, 9, 20), None),               # still waiting
              (date(2026, 10, 31), None)]              # joined on the last day of October
    by_month = {month: (count, med) for month, count, med in
                m.waiting_list_over_time(spells, TODAY)}
    assert by_month[date(2026, 9, 1)] == (2, 15.0)   # 20 and 10 days on 30 September
    assert by_month[date(2026, 10, 1)] == (2, 20.5)  # 41 and 0 days on 31 October
    assert by_month[date(2026, 11, 1)] == (2, 35.5)  # 56 and 15 days today
    assert by_month[date(2026, 8, 1)] == (0, None)


def test_matched_within_thresholds():
    first = [(TODAY - timedelta(days=100), TODAY - timedelta(days=80)),  # 20 days
             (TODAY - timedelta(days=100), TODAY - timedelta(days=20)),  # 80 days
             (TODAY - timedelta(days=100), None),
             (TODAY - timedelta(days=40), TODAY - timedelta(days=35)),   # 5 days, joined 40 ago
             (TODAY - timedelta(days=10), None)]                          # too recent for any
    assert m.matched_within(first, TODAY) == {30: (2, 4), 60: (1, 3), 90: (2, 3)}


def test_endings_split_completed_and_early():
    result = m.endings(["completed", "goal_reached", "no_click", "moved", "no_click"])
    assert result == {"completed": 2, "early": 3, "by_reason": {"no_click": 2, "moved": 1}}


def test_level_progress():
    result = m.level_progress([("A0", "A1"), ("A1", "A1"), ("A2", "B2+"), ("B1", "A2")])
    assert (result["assessed"], result["rose"], result["share"]) == (4, 2, 0.5)
    assert dict(result["start"])["A0"] == 1 and dict(result["latest"])["A1"] == 2
    assert m.level_progress([])["share"] is None


def test_matches_by_goal_most_common_first():
    assert m.matches_by_goal(["work", "language", "work", None, "bogus"]) == [
        ("work", 2), ("language", 1)]


def test_figures_from_rows():
    rows = m.Rows(
        matches=[m.MatchRow(1, "active", date(2026, 10, 1), None, None, "work", "A1"),
                 m.MatchRow(2, "ended", date(2026, 6, 1), date(2026, 8, 1), "no_click",
                            "language", "A0"),
                 m.MatchRow(3, "rejected", None, None, None, "work", "A2"),
                 m.MatchRow(3, "proposed", None, None, None, "work", "A2")],
        participants=[m.ParticipantRow(1, date(2026, 9, 1), "matched", date(2026, 10, 1)),
                      m.ParticipantRow(2, date(2026, 5, 1), "waiting", date(2026, 8, 1)),
                      m.ParticipantRow(3, date(2026, 11, 1), "waiting", date(2026, 11, 1))],
        assessments=[(1, date(2026, 9, 1), "A1"), (1, date(2026, 11, 1), "A2"),
                     (2, date(2026, 7, 1), "A0")])
    figs = m.figures(rows, TODAY)
    assert figs["made_total"] == 2 and figs["active"] == 1 and figs["proposed"] == 1
    assert figs["endings"] == {"completed": 0, "early": 1, "by_reason": {"no_click": 1}}
    assert figs["goals"] == [("language", 1), ("work", 1)]
    assert figs["waiting_now"] == 2  # participant 2 since the ending, participant 3
    assert (figs["levels"]["assessed"], figs["levels"]["rose"]) == (2, 1)


def test_chart_geometry_scales_to_a_round_maximum():
    chart = m.bar_chart([("a", 3), ("b", 7)], width=600, height=220)
    assert chart.top == 8.0 and [value for value, _y in chart.ticks] == [0, 2, 4, 6, 8]
    tallest = max(chart.bars, key=lambda b: b.height)
    assert tallest.value == 7 and tallest.y + tallest.height == pytest.approx(chart.baseline)
    assert m.nice_top(0) == 1.0 and m.nice_top(4) == 4.0 and m.nice_top(13) == 15.0
    assert m.nice_top(48) == 60.0 and m.nice_top(480) == 600.0
    assert m.hbar_rows([("x", 1), ("y", 4)]) == [("x", 1, 25.0), ("y", 4, 100.0)]


@pytest.mark.parametrize(("count", "shown"), [(0, None), (4, None), (5, 5), (12, 12)])
def test_small_groups_are_suppressed(count, shown):
    assert m.suppress(count) == shown


def test_small_shares_are_suppressed():
    assert m.suppressed_share(2, 20) is None  # 2 people could be recognised
    assert m.suppressed_share(0, 20) == 0.0
    assert m.suppressed_share(5, 4) is None
    assert m.suppressed_share(6, 12) == 0.5


def test_monitor_page_has_accessible_svg_charts_and_tables(coord, org):
    for _ in range(3):
        f.make_match(waiting(org), f.make_volunteer(org), status="active",
                     approved_at=clock.now() - timedelta(days=3))
    page = coord.get("/coordinator/monitor").get_data(as_text=True)
    assert page.count('role="img"') >= 4
    for chart_id in ("per-month", "waiting", "within", "goals"):
        assert f'aria-labelledby="{chart_id}-t {chart_id}-d"' in page
        assert f'<title id="{chart_id}-t">' in page and f'<desc id="{chart_id}-d">' in page
    assert " style=" not in page and "<script" not in page
    assert '<table class="data">' in page
    assert re.search(r"<h2>3</h2>\s*<p>active matches</p>", page)


def test_monitor_counts_only_the_own_organisation(coord, org, other_org):
    for _ in range(4):
        f.make_match(waiting(other_org), f.make_volunteer(other_org), status="active")
    page = coord.get("/coordinator/monitor").get_data(as_text=True)
    assert re.search(r"<h2>0</h2>\s*<p>active matches</p>", page)


def test_admin_sees_all_organisations_with_small_groups_hidden(client, login, org, other_org):
    for _ in range(6):
        f.make_match(waiting(org), f.make_volunteer(org), status="active",
                     approved_at=clock.now() - timedelta(days=2))
    f.make_match(waiting(other_org), f.make_volunteer(other_org), status="active")
    admin = f.make_user("admin")
    org_name, other_name = org.name, other_org.name
    page = login(admin).get("/coordinator/figures/all").get_data(as_text=True)
    own_row = page.split(org_name)[1].split("</tr>")[0]
    other_row = page.split(other_name)[1].split("</tr>")[0]
    assert "<td>6</td>" in own_row
    assert "&lt; 5" in other_row and "<td>1</td>" not in other_row


def test_coordinators_cannot_see_the_cross_organisation_figures(coord):
    assert coord.get("/coordinator/figures/all").status_code == 403


def test_admin_cannot_use_the_coordinator_workspace(client, login):
    admin_client = login(f.make_user("admin"))
    assert admin_client.get("/coordinator/monitor").status_code == 403
