"""The matching page: parameters, preview, comparison, creating proposals all-or-nothing."""

import re

import pytest
from sqlalchemy import func, select

from buddy.extensions import db
from buddy.lifecycle import services as lifecycle
from buddy.matchmaking import pool as matching_service
from buddy.models import AuditEvent, Match, MatchEvent, MatchingRun
from tests import factories as f
from tests.conftest import html_attr
from tests.helpers import matching_data, waiting


@pytest.fixture
def pool(org):
    """Three waiting participants (one unmatchable) and two volunteers with 3 places."""
    people = [waiting(org, first_name=name, waited_days=days)
              for name, days in (("Rania", 100), ("Omar", 20))]
    people.append(waiting(org, first_name="Nobody", availability=0))
    volunteers = [f.make_volunteer(org, first_name="Bram", capacity=2),
                  f.make_volunteer(org, first_name="Carla", capacity=1)]
    return people, volunteers


def _count(model):
    return db.session.scalar(select(func.count(model.id)))


def test_form_starts_with_the_organisations_weights(coord, org):
    org.weights = {**org.weights, "goals": 0.4}
    org.min_score = 0.3
    db.session.commit()
    page = coord.get("/coordinator/matching").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="goals"[^>]*value="0.4"', page)
    assert re.search(r'<input[^>]*name="min_score"[^>]*value="0.3"', page)
    assert "Centrum" in page  # the neighbourhoods to choose from


def test_preview_shows_pairs_reasons_unmatched_and_who_to_recruit(coord, pool):
    response = coord.post("/coordinator/matching", data=matching_data())
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2 proposed pairs" in page and "<bdi>Rania</bdi>" in page
    assert "Both have time on" in page and "Waiting 100 days" in page
    assert "In the same neighbourhood" in page
    assert "1 participant without a proposal" in page
    assert "has not said when they have time" in page
    assert "Who should we recruit?" in page
    assert "Create 2 proposals" in page
    assert _count(MatchingRun) == 0 and _count(Match) == 0


def test_second_preview_is_compared_with_the_first(coord, pool):
    coord.post("/coordinator/matching", data=matching_data())
    page = coord.post("/coordinator/matching", data=matching_data(min_score="0.99")
                      ).get_data(as_text=True)
    assert "Previous preview" in page
    summary = page.split('id="summary-h"')[1].split("</table>")[0]
    matched_row = summary.split("<th scope=\"row\">Matched</th>")[1].split("</tr>")[0]
    cells = [c.split("</td>")[0] for c in matched_row.split("<td>")[1:]]
    assert cells == ["0", "2", "-2"]


@pytest.mark.parametrize("changes", [
    {"goals": "-0.1"}, {"goals": "2"}, {"goals": "nan"}, {"goals": "inf"}, {"goals": "lots"},
    {"goals": ""}, {"min_score": "1.5"}, {"neighbourhoods": "999999"},
    dict.fromkeys(("availability", "proximity", "interests", "goals", "language", "waiting",
                   "priority"), "0"),
])
def test_bad_parameters_are_form_errors(coord, pool, changes):
    response = coord.post("/coordinator/matching", data=matching_data(**changes))
    assert response.status_code == 422
    assert 'class="error-summary"' in response.get_data(as_text=True)


def test_decimal_comma_is_accepted(coord, pool):
    response = coord.post("/coordinator/matching", data=matching_data(goals="0,3"))
    assert response.status_code == 200


def test_create_needs_a_preview_with_the_same_settings(coord, pool):
    response = coord.post("/coordinator/matching/create", data=matching_data())
    assert response.status_code == 200  # shows the preview first
    assert "check this preview first" in response.get_data(as_text=True)
    assert _count(MatchingRun) == 0


def test_create_proposals_after_preview(coord, pool, coordinator):
    coord.post("/coordinator/matching", data=matching_data())
    response = coord.post("/coordinator/matching/create", data=matching_data())
    assert response.status_code == 302 and response.location.endswith("/coordinator/proposals")
    run = db.session.scalar(select(MatchingRun))
    assert run.proposed_count == 2 and run.created_by_id == coordinator.id
    assert _count(Match) == 2 and _count(MatchEvent) == 2
    audit = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "matching.run_created"))
    assert audit.details["proposed"] == 2 and audit.target_id == run.id
    page = coord.get(f"/coordinator/runs/{run.id}").get_data(as_text=True)
    assert "<bdi>Rania</bdi>" in page and "Proposed" in page


def test_create_reruns_the_engine_on_fresh_data(coord, pool, org):
    coord.post("/coordinator/matching", data=matching_data())
    newcomer = waiting(org, first_name="Late", waited_days=300)
    newcomer_id = newcomer.id
    coord.post("/coordinator/matching/create", data=matching_data())
    proposed = set(db.session.scalars(select(Match.participant_id)))
    assert newcomer_id in proposed and len(proposed) == 3


def test_posted_pairs_are_ignored(coord, pool):
    people, volunteers = pool
    coord.post("/coordinator/matching", data=matching_data())
    coord.post("/coordinator/matching/create", data=matching_data(
        participant_id=str(people[2].id), volunteer_id=str(volunteers[0].id)))
    assert people[2].id not in set(db.session.scalars(select(Match.participant_id)))


def test_a_failure_half_way_leaves_nothing_behind(coord, pool, monkeypatch):
    """Inject an exception on the second proposal: no run, no match, no event, no audit."""
    real = matching_service.propose_pair
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(matching_service, "propose_pair", failing)
    coord.post("/coordinator/matching", data=matching_data())
    response = coord.post("/coordinator/matching/create", data=matching_data())
    assert response.status_code == 500 and b"disk full" not in response.data
    assert len(calls) == 2
    assert _count(MatchingRun) == 0 and _count(Match) == 0 and _count(MatchEvent) == 0
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "matching.run_created")) is None


def test_a_concurrent_change_half_way_is_reported_and_rolled_back(coord, pool, monkeypatch):
    real = matching_service.propose_pair
    calls = []

    def conflicting(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise lifecycle.MatchActionError("volunteer_full")
        return real(*args, **kwargs)

    monkeypatch.setattr(matching_service, "propose_pair", conflicting)
    coord.post("/coordinator/matching", data=matching_data())
    response = coord.post("/coordinator/matching/create", data=matching_data(),
                          follow_redirects=True)
    assert response.status_code == 200
    assert "nothing was saved" in response.get_data(as_text=True)
    assert _count(MatchingRun) == 0 and _count(Match) == 0


def test_nothing_to_propose_is_a_message(coord, org):
    waiting(org)
    coord.post("/coordinator/matching", data=matching_data())
    response = coord.post("/coordinator/matching/create", data=matching_data(),
                          follow_redirects=True)
    assert "nothing to propose" in response.get_data(as_text=True)
    assert _count(MatchingRun) == 0


def test_scope_to_one_neighbourhood(coord, org):
    north = f.make_neighbourhood(org, name="Noord", lat=52.1, lon=5.12)
    waiting(org, first_name="Inside", neighbourhood_id=north.id)
    waiting(org, first_name="Outside")
    f.make_volunteer(org, capacity=3)
    page = coord.post("/coordinator/matching", data=matching_data(neighbourhoods=str(north.id))
                      ).get_data(as_text=True)
    assert "<bdi>Inside</bdi>" in page and "Outside" not in page


@pytest.mark.parametrize("lang", ["ar", "nl"])
def test_matching_pages_render_in_rtl_and_ltr(coord, pool, lang):
    page = coord.post(f"/coordinator/matching?lang={lang}", data=matching_data())
    text = page.get_data(as_text=True)
    assert html_attr(text, "html", "lang") == lang
    assert html_attr(text, "html", "dir") == ("rtl" if lang == "ar" else "ltr")
    assert " style=" not in text and "<script>" not in text
