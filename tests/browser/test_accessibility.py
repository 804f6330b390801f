"""WCAG 2.2 AA checks with axe-core inside headless Chromium.

axe-core comes from the npm registry (``make browser`` installs it into node_modules).
The key pages must have no serious or critical violations: the pages a participant and a
volunteer see in all eight locales, on a phone and on a desktop screen; the public and the
coordinator's pages in Dutch and Arabic (the coordinator's UI is not offered in the other
participant languages' reading order, and Dutch plus a right-to-left language cover its layout).
"""

from pathlib import Path

import pytest
from sqlalchemy import select

from buddy.auth.services import SESSION_KEY
from buddy.demo import create_demo
from buddy.extensions import db
from buddy.models import Match, ParticipantProfile, User
from tests import factories as f
from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
LOCALES = ["nl", "en", "ar", "fa", "ti", "uk", "tr", "so"]
RTL = {"ar", "fa"}
DESKTOP = {"width": 1024, "height": 900}


@pytest.fixture
def demo(live_app):
    """The demo organisation, committed; returns the ids the pages need."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make browser` (npm install)")
    with live_app.app_context():
        create_demo(seed=11)
        db.session.commit()
        users = {u.email: u.id for u in db.session.scalars(select(User)) if u.email}
        ids = {
            "coordinator": users["coordinator@demo.inburgergids.nl"],
            "volunteer": users["vrijwilliger@demo.inburgergids.nl"],
            "participant": users["deelnemer@demo.inburgergids.nl"],
        }
        db.session.remove()
    return ids


def sign_in(live_app, context, base: str, user_id: int) -> None:
    """Give the browser context a live session of ``user_id`` (second factor passed)."""
    with live_app.app_context():
        user = db.session.get(User, user_id)
        _record, token = f.make_session(user)
        db.session.remove()
        cookie = live_app.session_interface.get_signing_serializer(live_app).dumps(
            {SESSION_KEY: token, "_user_id": token, "_fresh": True})
    context.add_cookies([{"name": "buddy_session", "value": cookie, "url": base}])


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page; return serious and critical violations."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"][:5]]}
        for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]


def check(page, url: str, lang: str) -> None:
    sep = "&" if "?" in url else "?"
    response = page.goto(f"{url}{sep}lang={lang}")
    expected = 404 if "does-not-exist" in url else 200
    assert response.status == expected, f"{url} answered {response.status}"
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang in RTL else "ltr")
    assert page.locator("html").get_attribute("lang") == lang
    violations = axe_violations(page)
    assert violations == [], f"{url} ({lang}): {violations}"


def pages_for(role: str, demo_ids: dict) -> list[str]:
    return {
        "anonymous": ["/", "/login", "/reset", "/privacy", "/organisations", "/toolkit/",
                      "/toolkit/first-meeting-checklist", "/toolkit/what-is-a-buddy",
                      "/toolkit/search?q=buddy", "/o/utrecht/volunteer/signup",
                      "/o/utrecht/join", "/does-not-exist"],
        "volunteer": ["/volunteer", "/volunteer/profile", "/volunteer/pause", "/account",
                      "/account/data", "/account/consent"],
        "participant": ["/me", "/me/details", "/account", "/account/data", "/account/consent",
                        "/toolkit/", "/toolkit/what-is-a-buddy",
                        "/toolkit/participant-dos-and-donts", "/toolkit/making-agreements"],
        "coordinator": ["/coordinator/", "/coordinator/matching", "/coordinator/proposals",
                        "/coordinator/volunteers", "/coordinator/participants",
                        "/coordinator/participants/new", "/coordinator/monitor"],
    }[role]


@pytest.mark.parametrize("lang", ["nl", "ar"])
@pytest.mark.parametrize("role", ["anonymous", "coordinator"])
def test_key_pages_have_no_serious_violations(live_app, live_server, browser, demo, role,
                                              lang):
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    try:
        if role != "anonymous":
            sign_in(live_app, context, live_server, demo[role])
        page = context.new_page()
        for path in pages_for(role, demo):
            check(page, live_server + path, lang)
    finally:
        context.close()


@pytest.mark.parametrize("lang", LOCALES)
def test_participant_and_volunteer_pages_have_no_serious_violations(live_app, live_server,
                                                                    browser, demo, lang):
    """Every page a participant or a volunteer sees, on a phone and on a desktop screen
    (tables that scroll sideways on a phone must be reachable by keyboard)."""
    for role in ("participant", "volunteer"):
        for viewport in (PHONE, DESKTOP):
            context = browser.new_context(viewport=viewport, bypass_csp=True)
            try:
                sign_in(live_app, context, live_server, demo[role])
                page = context.new_page()
                for path in pages_for(role, demo):
                    check(page, live_server + path, lang)
            finally:
                context.close()


@pytest.mark.parametrize("lang", LOCALES)
def test_match_pages_have_no_serious_violations(live_app, live_server, browser, demo, lang):
    with live_app.app_context():
        match = db.session.scalars(select(Match).where(Match.status == "active")).first()
        participant = db.session.get(ParticipantProfile, match.participant_id)
        volunteer_user = match.volunteer.user_id
        participant_user = participant.user_id
        match_id = match.id
        db.session.remove()
    for user_id in (volunteer_user, participant_user):
        context = browser.new_context(viewport=PHONE, bypass_csp=True)
        try:
            sign_in(live_app, context, live_server, user_id)
            check(context.new_page(), f"{live_server}/match/{match_id}", lang)
        finally:
            context.close()


@pytest.mark.parametrize("lang", LOCALES)
def test_every_participant_step_has_no_serious_violations(live_app, live_server, browser,
                                                          demo, lang):
    from tests.browser.test_participant_flow import walk_sign_up

    direction = "rtl" if lang in RTL else "ltr"
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  bypass_csp=True)
    page = context.new_page()
    seen = []

    def no_violations(step: str) -> None:
        seen.append(step)
        assert axe_violations(page) == [], f"participant step {step} ({lang})"

    try:
        walk_sign_up(browser, page, live_server, "utrecht", lang, direction, set(),
                     "Amal", password="mijn fiets staat bij de bieb", weigh=False,
                     on_arrive=no_violations)
    finally:
        context.close()
    assert "consent" in seen and "done" in seen
