"""The coordinator's matching flow in a real browser on the demo data: log in with a second
factor, preview a run, create the proposals, approve one and see it approved. Screenshots go
to ``screenshots/coordinator-*.png``."""

from pathlib import Path

import pyotp
import pytest
from babel.support import Translations
from sqlalchemy import func, select

from buddy.demo import DEMO_PASSWORD, create_demo
from buddy.extensions import db
from buddy.models import Match, OutboxMessage, User
from tests.browser.conftest import PHONE, screenshot

pytestmark = pytest.mark.browser

COORDINATOR = "coordinator@demo.inburgergids.nl"
LAPTOP = {"width": 1280, "height": 900}


@pytest.fixture
def demo(live_app):
    """The demo organisation (seed 7), committed to the live database; the TOTP secret."""
    with live_app.app_context():
        create_demo(seed=7)
        db.session.commit()
        secret = db.session.scalar(select(User.totp_secret).where(User.email == COORDINATOR))
        db.session.remove()
    return secret


@pytest.fixture
def laptop_page(browser):
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def log_in(page, base: str, secret: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#identifier", COORDINATOR)
    page.fill("#password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/login/code")
    page.fill("#code", pyotp.TOTP(secret).now())
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/coordinator/")


DUTCH = Translations.load(str(Path(__file__).resolve().parents[2] / "translations"), ["nl"])


def fits(page, width: int) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= width


def test_preview_create_and_approve(live_app, live_server, demo, laptop_page, browser):
    page = laptop_page
    log_in(page, live_server, demo)
    # The coordinator works in Dutch, the default language and their saved preference.
    assert page.locator("h1").first.inner_text().startswith(DUTCH.gettext("Dashboard"))
    screenshot(page, "coordinator-dashboard")

    page.goto(f"{live_server}/coordinator/matching")
    page.locator("main button[name=action][value=preview]").click()
    page.wait_for_selector("#pairs-h")
    assert page.locator("#summary-h").is_visible()
    pairs = page.locator("#pairs-h + ul.cards > li")
    assert pairs.count() > 0
    pairs.first.locator("summary").click()  # open "Why this pair"
    assert pairs.first.locator("meter.score-bar").count() == 7
    screenshot(page, "coordinator-preview")

    page.fill("#min_score", "0.5")  # tweak and compare with the previous preview
    page.locator("main button[name=action][value=preview]").click()
    page.wait_for_selector("#pairs-h")
    assert DUTCH.gettext("Previous preview") in page.locator("main").inner_text()
    expected = page.locator("#pairs-h + ul.cards > li").count()
    screenshot(page, "coordinator-preview-compared")

    page.locator("main button[formaction$='/coordinator/matching/create']").click()
    page.wait_for_url("**/coordinator/proposals")
    assert page.locator(".flash-success").is_visible()
    with live_app.app_context():
        proposed = db.session.scalar(select(func.count(Match.id)).where(
            Match.status == "proposed"))
        db.session.remove()
    assert proposed == expected > 0  # the engine ran again on the same data
    screenshot(page, "coordinator-proposals")

    first = page.locator("main ul.cards > li").first
    match_id = int(first.get_attribute("id").removeprefix("proposal-"))
    first.locator("form[action$='/approve'] button").click()
    page.wait_for_url("**/coordinator/proposals")
    assert page.locator(".flash-success").is_visible()
    page.goto(f"{live_server}/coordinator/matches/{match_id}")
    assert page.locator("h1 .badge-ok").inner_text() == DUTCH.gettext("Approved")
    screenshot(page, "coordinator-approved")
    with live_app.app_context():
        match = db.session.get(Match, match_id)
        assert match.status == "approved"
        kinds = set(db.session.scalars(select(OutboxMessage.kind)))
        db.session.remove()
    assert "introduction_volunteer" in kinds

    page.goto(f"{live_server}/coordinator/monitor")
    assert page.locator("figure.chart svg[role=img]").count() >= 4
    screenshot(page, "coordinator-monitor")

    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                storage_state=page.context.storage_state()).new_page()
    for path, name in (("/coordinator/proposals?lang=ar", "coordinator-proposals-ar-phone"),
                       (f"/coordinator/matches/{match_id}?lang=ar", "coordinator-match-ar-phone"),
                       ("/coordinator/?lang=ar", "coordinator-dashboard-ar-phone")):
        phone.goto(f"{live_server}{path}")
        assert phone.locator("html").get_attribute("dir") == "rtl"
        assert fits(phone, PHONE["width"]), path
        screenshot(phone, name)
    phone.context.close()
