"""The dashboard's queues, the lists behind them, and who may see the workspace."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from buddy import clock
from buddy.dashboard import services
from buddy.extensions import db
from buddy.matchmaking import services as matchmaking
from buddy.models import PairRule
from tests import factories as f
from tests.conftest import html_attr
from tests.helpers import QueryCounter, waiting

PAGES = ["/coordinator/", "/coordinator/outbox", "/coordinator/matching", "/coordinator/proposals",
         "/coordinator/matches", "/coordinator/matches?show=checkins", "/coordinator/waiting",
         "/coordinator/rules", "/coordinator/monitor", "/coordinator/exports"]


def _card(page, heading_id):
    return page.split(f'id="{heading_id}-h"')[1].split("</li>\n\n")[0]


def test_queues_count_and_show_the_oldest_first(coord, org):
    today = clock.today()
    f.make_volunteer(org, first_name="Newer", screening="registered")
    old = f.make_volunteer(org, first_name="Oldest", screening="intake_done")
    old.created_at = clock.now() - timedelta(days=50)
    f.make_volunteer(org, first_name="Approved")  # not in the queue
    waiting(org, first_name="Short", waited_days=3)
    waiting(org, first_name="Long", waited_days=90)
    f.make_match(waiting(org), f.make_volunteer(org), status="proposed")
    active = f.make_match(waiting(org), f.make_volunteer(org), status="active",
                          planned_end_on=today - timedelta(days=1))
    f.make_checkin(active, due_on=today - timedelta(days=2))
    f.make_checkin(active, due_on=today + timedelta(days=5))
    f.make_volunteer(org, first_name="Stale", vog_issued_on=today - timedelta(days=4 * 365))
    f.make_outbox(f.make_user("volunteer", org), state="failed")
    db.session.commit()
    page = coord.get("/coordinator/").get_data(as_text=True)
    screen = _card(page, "screen")
    assert ">2</span>" in screen and screen.index("Oldest") < screen.index("Newer")
    assert "Approved" not in screen
    wait = _card(page, "waiting")
    assert ">2</span>" in wait and wait.index("Long") < wait.index("Short")
    assert "90 days" in wait
    assert ">1</span>" in _card(page, "proposals")
    assert ">1</span>" in _card(page, "checkins")
    assert ">1</span>" in _card(page, "past-end")
    assert "Stale" in _card(page, "vog")
    assert re.search(r"Failed</dt><dd><span class=\"badge badge-danger\">1<", page)


def test_dashboard_is_a_fixed_number_of_queries(coord, org):
    def count(n):
        for _ in range(n):
            f.make_match(waiting(org), f.make_volunteer(org), status="proposed")
            f.make_checkin(f.make_match(waiting(org), f.make_volunteer(org), status="active"),
                           due_on=clock.today())
        db.session.expire_all()
        with QueryCounter(db.engine) as counter:
            services.dashboard(db.session.get(type(org), org.id))
        return counter.count

    assert count(1) == count(4)


def test_lists_are_a_fixed_number_of_queries(org):
    def count(n):
        for _ in range(n):
            f.make_match(waiting(org), f.make_volunteer(org), status="proposed")
        db.session.expire_all()
        with QueryCounter(db.engine) as counter:
            for m in matchmaking.list_proposals(org.id):
                assert m.participant.neighbourhood.name and m.volunteer.first_name
        return counter.count

    assert count(1) == count(4)


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", ["ar", "nl"])
def test_every_page_renders_in_rtl_and_ltr_without_inline_code(coord, org, path, lang):
    waiting(org)
    f.make_match(waiting(org), f.make_volunteer(org), status="active")
    joiner = "&" if "?" in path else "?"
    response = coord.get(f"{path}{joiner}lang={lang}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html_attr(page, "html", "dir") == ("rtl" if lang == "ar" else "ltr")
    assert " style=" not in page and "<script>" not in page and "onclick" not in page


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_users_are_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.location


@pytest.mark.parametrize("role", ["volunteer", "participant"])
@pytest.mark.parametrize("path", PAGES)
def test_volunteers_and_participants_are_refused(client, login, org, role, path):
    assert login(f.make_user(role, org)).get(path).status_code == 403


def test_waiting_list_page(coord, org):
    waiting(org, first_name="Rania", waited_days=40, rematch_priority=True)
    page = coord.get("/coordinator/waiting").get_data(as_text=True)
    assert "<bdi>Rania</bdi>" in page and "40 days" in page and "rematch" in page


def test_matches_list_filters(coord, org):
    f.make_match(waiting(org, first_name="Zelda"), f.make_volunteer(org), status="ended")
    f.make_match(waiting(org, first_name="Yara"), f.make_volunteer(org), status="active")
    running = coord.get("/coordinator/matches").get_data(as_text=True)
    assert "<bdi>Yara</bdi>" in running and "Zelda" not in running
    ended = coord.get("/coordinator/matches?show=ended").get_data(as_text=True)
    assert "<bdi>Zelda</bdi>" in ended and "Yara" not in ended
    assert coord.get("/coordinator/matches?show=bogus&page=x").status_code == 200


def test_pair_rules_can_be_added_and_removed(coord, org):
    participant, volunteer = waiting(org), f.make_volunteer(org, first_name="Pinned")
    participant_id, volunteer_id = participant.id, volunteer.id
    base = f"/coordinator/participants/{participant_id}"
    coord.post(f"{base}/rules", data={"volunteer_id": str(volunteer_id), "kind": "forbid"})
    coord.post(f"{base}/rules", data={"volunteer_id": str(volunteer_id), "kind": "pin"})
    (rule,) = db.session.scalars(select(PairRule)).all()  # the pin replaced the forbid
    assert rule.kind == "pin" and rule.volunteer_id == volunteer_id
    assert "Pinned" in coord.get("/coordinator/rules").get_data(as_text=True)
    coord.post(f"/coordinator/rules/{rule.id}/delete")
    assert db.session.scalars(select(PairRule)).all() == []


def test_a_bad_rule_kind_is_refused(coord, org):
    participant, volunteer = waiting(org), f.make_volunteer(org)
    response = coord.post(f"/coordinator/participants/{participant.id}/rules",
                          data={"volunteer_id": str(volunteer.id), "kind": "marry"})
    assert response.status_code == 404
