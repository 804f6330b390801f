"""Partners in a real browser (issue 16): a pupil signs up through the school's link on a
phone; the coordinator's partner page, the poster and a pupil's certificate of hours.
Screenshots go to ``screenshots/partner-*.png`` and ``screenshots/pupil-*.png``."""

import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from buddy import clock
from buddy.demo import DEMO_PASSWORD, create_demo
from buddy.extensions import db
from buddy.models import Match, MeetingLog, OutboxMessage, Partner, User, VolunteerProfile
from tests.browser.conftest import PHONE, screenshot
from tests.volunteers.conftest import PASSWORD, valid_steps

pytestmark = pytest.mark.browser

COORDINATOR = "coordinator@demo.inburgergids.nl"
PUPIL = "pupil.browser@example.org"


@pytest.fixture
def demo(live_app):
    """The demo organisation with its four partners; the school's link token."""
    with live_app.app_context():
        create_demo(seed=13)
        db.session.commit()
        school = db.session.scalar(select(Partner).where(Partner.kind == "school"))
        data = {"token": school.link_token, "school_id": school.id,
                "hood_id": school.organisation.neighbourhoods[0].id,
                "secret": db.session.scalar(select(User.totp_secret).where(
                    User.email == COORDINATOR))}
        db.session.remove()
    return data


def fill(page, data: dict) -> None:
    """Fill the current step's form with ``data`` (text, selects, radios, checkboxes)."""
    for name, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            field = page.locator(f"main form [name='{name}']").first
            kind = field.evaluate("e => e.tagName === 'SELECT' ? 'select' : e.type")
            if kind == "select":
                page.select_option(f"main form select[name='{name}']", item)
            elif kind in ("radio", "checkbox"):
                selector = f"main form input[name='{name}']"
                if item != "y":
                    selector += f"[value='{item}']"
                page.check(selector)
            else:
                field.fill(item)


def next_step(page) -> None:
    page.locator("main form button.btn-primary[name=next]").click()
    page.wait_for_load_state()


def fits_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_pupil_signs_up_through_the_school_link_on_a_phone(live_app, live_server, demo,
                                                           phone_page):
    page = phone_page
    page.goto(f"{live_server}/o/utrecht/partner/{demo['token']}?lang=en")
    assert "Stedelijk College Utrecht" in page.locator("h1").inner_text()
    assert fits_phone(page)
    page.locator("main a.btn-primary").click()
    page.wait_for_url("**/volunteer/signup/account")
    steps = valid_steps(demo["hood_id"], PUPIL)
    steps["about"]["age_band"] = "12-17"
    born = clock.today().replace(year=clock.today().year - 15)
    steps["source"] = {"birth_date": born.isoformat(),
                       "teacher_email": "mentor@college.example", "placement_hours": "30",
                       "placement_end_on": (clock.today() + timedelta(days=90)).isoformat()}
    for name, data in steps.items():
        assert page.url.split("?")[0].endswith(f"/signup/{name}"), (name, page.url)
        if name == "source":
            # the school link chose the school and ticked "pupil" already
            assert page.locator("select[name=partner]").input_value() == str(demo["school_id"])
            assert page.locator("input[name=pupil]").is_checked()
            too_young = clock.today().replace(year=clock.today().year - 6)
            fill(page, {**data, "birth_date": too_young.isoformat()})
            next_step(page)
            assert "between 12 and 100" in page.locator("#birth_date-error").inner_text()
            assert page.url.split("?")[0].endswith("/signup/source") and fits_phone(page)
            screenshot(page, "pupil-signup-source")  # the refusal next to the field
        fill(page, data)
        assert fits_phone(page), name
        next_step(page)
    page.wait_for_url("**/volunteer/welcome")
    assert fits_phone(page)
    # the address counts once confirmed: open the link from the e-mail, then log in
    with live_app.app_context():
        body = db.session.scalar(select(OutboxMessage.body).where(
            OutboxMessage.recipient == PUPIL, OutboxMessage.kind == "verify_email"))
        db.session.remove()
    page.goto(live_server + re.search(r"https?://[^/\s]+(/verify/\S+)", body).group(1))
    page.locator("main form button[type=submit]").click()
    page.goto(f"{live_server}/login?lang=en")
    page.fill("#identifier", PUPIL)
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/volunteer**")
    page.goto(f"{live_server}/volunteer?lang=en")
    assert "Rules for pupils on a placement" in page.content()
    assert fits_phone(page)
    screenshot(page, "pupil-own-page")
    with live_app.app_context():
        profile = db.session.scalar(select(VolunteerProfile).join(
            User, User.id == VolunteerProfile.user_id).where(User.email == PUPIL))
        assert (profile.partner_id, profile.age_band, profile.placement_hours) == (
            demo["school_id"], "12-17", 30)
        assert profile.birth_date == born
        assert db.session.scalar(select(OutboxMessage.recipient).where(
            OutboxMessage.kind == "school_confirmation")) == "school@partner.demo.inburgergids.nl"
        db.session.remove()


def test_partner_page_poster_and_certificate(live_app, live_server, demo, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    try:
        with live_app.app_context():
            pupil = db.session.scalar(select(VolunteerProfile).where(
                VolunteerProfile.partner_id == demo["school_id"]))
            match = db.session.scalar(select(Match).where(Match.volunteer_id == pupil.id))
            if match is None:
                from tests import factories as f

                match = f.make_match(f.make_participant(pupil.organisation), pupil,
                                     status="active", activated_at=clock.now())
            for minutes in (90, 60, 75):
                db.session.add(MeetingLog(match_id=match.id, met_on=clock.today(),
                                          minutes=minutes, activity="Taalspel"))
            db.session.commit()
            pupil_id = pupil.id
            db.session.remove()
        page.goto(f"{live_server}/login")
        page.fill("#identifier", COORDINATOR)
        page.fill("#password", DEMO_PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/login/code")
        page.fill("#code", pyotp.TOTP(demo["secret"]).now())
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/coordinator/")
        page.goto(f"{live_server}/coordinator/partners/{demo['school_id']}?lang=en")
        assert "Stedelijk College Utrecht" in page.locator("h1").inner_text()
        screenshot(page, "partner-page")
        page.goto(f"{live_server}/coordinator/partners/{demo['school_id']}/poster")
        assert page.locator("figure.poster-qr svg").count() == 1
        screenshot(page, "partner-poster")
        page.goto(f"{live_server}/coordinator/volunteers/{pupil_id}/certificate")
        page.locator("main form button.btn-primary").click()
        page.wait_for_load_state()
        assert page.locator("#certificate-hours").inner_text() in ("3.8", "3,8")
        screenshot(page, "pupil-certificate")
        with page.expect_download() as download:
            page.locator("main a[href$='certificate.pdf']").click()
        assert download.value.suggested_filename == f"certificate-{pupil_id}.pdf"
    finally:
        context.close()
