"""The monitor split by source of the guides: recruited, time to match, completion, level."""

from datetime import date, timedelta

import pytest

from buddy import clock
from buddy.partners import services
from tests import factories as f
from tests.helpers import waiting

D = date(2027, 1, 1)


@pytest.mark.no_database
def test_figures_by_source_from_plain_rows():
    guides = [(1, "individual", D), (2, "employer", D), (3, "employer", D),
              (4, "school", D + timedelta(days=5))]
    matches = [
        (1, 11, D + timedelta(days=40), "ended", "completed", "A1"),
        (2, 12, D + timedelta(days=10), "ended", "stopped_by_volunteer", "A0"),
        (2, 13, D + timedelta(days=90), "active", None, "A2"),  # not the first match
        (3, 14, D + timedelta(days=20), "ended", "goal_reached", "A1"),
        (4, 15, None, "proposed", None, None),  # not approved: no match yet
        (4, 16, D + timedelta(days=6), "rejected", None, "A1"),
    ]
    assessments = [(11, D + timedelta(days=100), "A2"), (12, D + timedelta(days=5), "B1"),
                   (14, D + timedelta(days=60), "A1")]
    rows = {row.source: row for row in services.figures_by_source(guides, matches,
                                                                   assessments)}
    assert list(rows) == ["individual", "employer", "school", "association", "other"]
    ind, emp, school = rows["individual"], rows["employer"], rows["school"]
    assert (ind.recruited, ind.matched, ind.median_days_to_match) == (1, 1, 40.0)
    assert (emp.recruited, emp.matched, emp.median_days_to_match) == (2, 2, 15.0)
    assert (emp.ended, emp.completed, emp.completion) == (2, 1, 0.5)
    # participant 12 was assessed before the match started: does not count
    assert (ind.assessed, ind.level_rose, emp.assessed, emp.level_rose) == (1, 1, 1, 0)
    assert (school.recruited, school.matched, school.median_days_to_match) == (1, 0, None)
    assert rows["association"].completion is None and rows["other"].level_share is None


def test_monitor_shows_the_split_and_the_pledges(coord, org):
    school = f.make_partner(org, kind="school", name="Stedelijk College")
    f.make_pledge(school, year=clock.today().year, guides=4)
    guide = f.make_volunteer(org, partner_id=school.id)
    f.make_match(waiting(org), guide, status="active", approved_at=clock.now())
    f.make_volunteer(org)
    page = coord.get("/coordinator/monitor").get_data(as_text=True)
    assert "Who brings in the guides" in page
    for label in ("Individual", "Employer", "School", "Association"):
        assert label in page
    assert "Stedelijk College" in page and "25%" in page
