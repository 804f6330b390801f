"""The participant's sign-up in a real browser: Arabic (RTL), Tigrinya and Ukrainian on a
375 px phone, without help from the test client. Screenshots go to ``screenshots/``."""

import pytest
from sqlalchemy import select

from buddy.extensions import db
from buddy.models import ConsentRecord, ContactClaim, ParticipantProfile, User
from tests import factories as f
from tests.browser.conftest import PHONE, cold_page_weight, screenshot

pytestmark = pytest.mark.browser

PAGE_BUDGET = 100 * 1024
MIN_TARGET = 44
PASSWORD = "mijn fiets staat bij de bieb"
# Buttons, links in button shape and every tile or row that holds an input.
TARGETS = ("main .btn:visible, main .lang-buttons a, main label.choice-card, "
           "main .level-statements label, main .radio-list label, main .checkbox-list label, "
           "main .avail-grid td label")


@pytest.fixture
def organisation(live_app):
    """An organisation with a few neighbourhoods, committed to the live database."""
    with live_app.app_context():
        org = f.make_org(slug="utrecht", name="Buddy Utrecht")
        for name in ("Kanaleneiland", "Overvecht", "Lunetten"):
            f.make_neighbourhood(org, name=name)
        slug = org.slug
        db.session.remove()
    return slug


def check_page(browser, page, lang: str, direction: str, weigh: bool = True) -> None:
    """The page is in ``lang``, fits the phone, has big targets and stays under budget."""
    page.wait_for_load_state("load")
    html = page.locator("html")
    assert html.get_attribute("lang") == lang
    assert html.get_attribute("dir") == direction
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for box in page.locator(TARGETS).evaluate_all(
            "els => els.map(e => { const r = e.getBoundingClientRect();"
            " return [r.width, r.height, e.textContent.trim().slice(0, 40)]; })"):
        assert box[0] >= MIN_TARGET and box[1] >= MIN_TARGET, f"small tap target {box}"
    if not weigh:
        return
    total, responses = cold_page_weight(browser, page)
    assert len(responses) > 2, "the document, CSS and pictograms were not measured"
    assert total < PAGE_BUDGET, f"{page.url} weighs {total} bytes: {responses}"


def tap(page, selector: str) -> None:
    page.locator(f"label:has({selector})").first.click()


def next_step(page) -> None:
    page.locator("main button[value=next]:visible").click()


def walk_sign_up(browser, page, base, slug, lang, direction, shots, name, password=None,
                 weigh=True, on_arrive=None):
    """Sign up from the language choice to the waiting list; screenshot the ``shots``;
    ``on_arrive(step)`` runs on every screen (the accessibility test uses it)."""
    counter = iter(range(1, 100))

    def arrive(step: str) -> None:
        check_page(browser, page, lang, direction, weigh)
        if on_arrive is not None:
            on_arrive(step)
        number = next(counter)
        if step in shots:
            screenshot(page, f"participant-{lang}-{number:02d}-{step}")

    page.goto(f"{base}/o/{slug}/join")
    page.locator(f".lang-buttons a[lang={lang}]").click()
    page.wait_for_url("**/join/name*")
    arrive("name")
    page.fill("#first_name", name)
    page.press("#first_name", "Enter")  # Enter means Next, not Back
    page.wait_for_url("**/join/contact")
    arrive("contact")
    page.fill("#phone", "06-1234 5678")
    page.check("#share_phone")
    next_step(page)
    page.wait_for_url("**/join/neighbourhood")
    arrive("neighbourhood")
    page.get_by_text("Overvecht").click()
    next_step(page)
    page.wait_for_url("**/join/times")
    arrive("times")
    for slot in ("mon-morning", "wed-afternoon", "sat-evening"):
        tap(page, f"input[value={slot}]")
    next_step(page)
    page.wait_for_url("**/join/interests")
    arrive("interests")
    for interest in ("cooking", "sport"):
        tap(page, f"input[value={interest}]")
    next_step(page)
    page.wait_for_url("**/join/dutch")
    arrive("dutch")
    tap(page, "input[value=A1]")
    next_step(page)
    page.wait_for_url("**/join/goals")
    arrive("goals")
    for goal in ("language", "work"):
        tap(page, f"input[value={goal}]")
    next_step(page)
    page.wait_for_url("**/join/main-goal")
    arrive("main-goal")
    tap(page, "input[value=work]")
    next_step(page)
    page.wait_for_url("**/join/languages")
    arrive("languages")
    if lang != "nl":  # the chosen language is ticked (Dutch is what they learn, not given)
        assert page.locator(f"input[name=languages][value={lang}]").is_checked()
    tap(page, "input[value=ar]" if lang == "en" else "input[value=en]")  # add one, untick none
    next_step(page)
    page.wait_for_url("**/join/buddy")
    arrive("buddy")
    tap(page, "input[value=f]")
    next_step(page)
    page.wait_for_url("**/join/password")
    arrive("password")
    if password:
        page.fill("#password", password)
        page.fill("#confirm", password)
        next_step(page)
    else:
        page.locator("main button[value=skip]").click()
    page.wait_for_url("**/join/consent")
    arrive("consent")
    page.check("#agree")
    next_step(page)
    page.wait_for_url("**/join/done")
    arrive("done")


def test_arabic_sign_up_on_a_phone(live_app, live_server, organisation, browser, phone_page):
    page = phone_page
    shots = {"name", "contact", "neighbourhood", "times", "interests", "dutch", "goals",
             "main-goal", "languages", "buddy", "password", "consent", "done"}
    page.goto(f"{live_server}/o/{organisation}/join?lang=ar")
    check_page(browser, page, "ar", "rtl")
    screenshot(page, "participant-ar-00-start")

    walk_sign_up(browser, page, live_server, organisation, "ar", "rtl", shots, "ليلى",
                 PASSWORD)

    assert page.locator("html").get_attribute("dir") == "rtl"
    page.locator("main a[href='/me']").click()
    page.wait_for_url("**/me")
    check_page(browser, page, "ar", "rtl")
    assert page.locator("main bdi", has_text="ليلى").count() == 1
    screenshot(page, "participant-ar-14-dashboard")
    page.locator("main a[href='/me/details']").click()
    page.wait_for_url("**/me/details")
    check_page(browser, page, "ar", "rtl")
    screenshot(page, "participant-ar-15-details")
    with live_app.app_context():
        profile = db.session.scalar(select(ParticipantProfile))
        user = db.session.get(User, profile.user_id)
        purposes = sorted(db.session.scalars(select(ConsentRecord.purpose)))
        assert (profile.first_name, profile.status, user.locale) == ("ليلى", "waiting", "ar")
        assert (user.phone, profile.share_phone, user.password_hash is not None) == (
            None, True, True)  # the phone number counts once its code is typed
        claim = db.session.scalar(select(ContactClaim).where(ContactClaim.user_id == user.id))
        assert (claim.kind, claim.value) == ("phone", "+31612345678")
        assert (profile.primary_goal, profile.gender_pref, profile.languages) == (
            "work", "f", ["en", "ar"])
        assert purposes == ["privacy", "share_contact"]
        db.session.remove()


@pytest.mark.parametrize(("lang", "name"), [("ti", "ሳባ"), ("uk", "Олена")])
def test_sign_up_in_tigrinya_and_ukrainian(live_app, live_server, organisation, browser,
                                           phone_page, lang, name):
    page = phone_page
    page.goto(f"{live_server}/o/{organisation}/join?lang={lang}")
    check_page(browser, page, lang, "ltr")
    screenshot(page, f"participant-{lang}-00-start")
    walk_sign_up(browser, page, live_server, organisation, lang, "ltr",
                 {"name", "times", "interests", "dutch", "consent", "done"}, name,
                 weigh=False)  # the same pages as in Arabic, weighed there
    with live_app.app_context():
        profile = db.session.scalar(select(ParticipantProfile))
        assert (profile.first_name, profile.languages) == (name, ["en", lang])
        db.session.remove()


def test_errors_are_shown_next_to_the_field_in_arabic(live_server, organisation, browser,
                                                      phone_page):
    page = phone_page
    page.goto(f"{live_server}/o/{organisation}/join/name?lang=ar")
    next_step(page)
    page.wait_for_load_state("load")
    assert page.locator(".error-summary").is_visible()
    assert page.locator(".field.has-error .field-error").is_visible()
    check_page(browser, page, "ar", "rtl")
    screenshot(page, "participant-ar-error-name")
