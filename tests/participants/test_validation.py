"""Every step refuses bad input with a short message next to the field, keeps what was
typed, renders left-to-right or right-to-left, and never answers with a 5xx."""

import html
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buddy.participants.forms import STEP_FORMS
from buddy.participants.services import STEPS
from tests.conftest import html_attr
from tests.participants.conftest import (
    answer,
    answer_until,
    is_checked,
    join_url,
    valid_answers,
)

LONG = "x" * 101


def input_value(page: str, field_id: str) -> str | None:
    """Return the (unescaped) value of the input with ``field_id``."""
    found = re.search(rf'<input[^>]*\bid="{field_id}"[^>]*\bvalue="([^"]*)"', page)
    return html.unescape(found.group(1)) if found else None

# (step, submitted data, text of the error shown, text that must be kept in the form)
INVALID = [
    ("name", {}, "Please write your first name.", None),
    ("name", {"first_name": "   "}, "Please write your first name.", None),
    ("name", {"first_name": LONG}, "between 1 and 100 characters", LONG),
    ("name", {"first_name": "<b>Amal</b>"}, "Please write only your name.", "<b>Amal</b>"),
    ("name", {"first_name": "www.example.nl"}, "Please write only your name.", None),
    ("name", {"first_name": "12345"}, "Please write only your name.", "12345"),
    ("name", {"first_name": "---"}, "Please write your name with letters.", "---"),
    ("name", {"first_name": ["Amal", "Noor"]}, "Please give one answer.", None),
    ("contact", {}, "Please write your phone number or your e-mail address.", None),
    ("contact", {"phone": "0612"}, "too short or too long", "0612"),
    ("contact", {"phone": "06 1234 5678 9"}, "too short or too long", "06 1234 5678 9"),
    ("contact", {"phone": "+1 23"}, "too short or too long", "+1 23"),
    ("contact", {"phone": "06-abc-45678"}, "Please write only numbers", "06-abc-45678"),
    ("contact", {"phone": "1" * 31}, "This is too long.", None),
    ("contact", {"email": "amal@"}, "Please write an e-mail address like", "amal@"),
    ("contact", {"email": "amal at example.org"}, "Please write an e-mail address like",
     "amal at example.org"),
    ("contact", {"email": "a" * 250 + "@example.org"}, "This is too long.", None),
    ("contact", {"email": "amal@example.org", "phone": "0612"}, "too short or too long",
     "amal@example.org"),
    ("neighbourhood", {}, "Please choose your neighbourhood.", None),
    ("neighbourhood", {"neighbourhood_id": "999999"}, "Please choose your neighbourhood.", None),
    ("neighbourhood", {"neighbourhood_id": "Overvecht"}, "Please choose your neighbourhood.",
     None),
    ("times", {}, "Please choose at least one time.", None),
    ("times", {"availability": ["mon-morning", "mon-night"]}, "Please choose from the list.",
     None),
    ("interests", {"interests": ["cooking", "knitting"]}, "Please choose from the list.", None),
    ("dutch", {}, "Please choose the sentence that fits you best.", None),
    ("dutch", {"dutch_level": "C2"}, "Please choose the sentence that fits you best.", None),
    ("dutch", {"dutch_level": ["A1", "A2"]}, "Please give one answer.", None),
    ("goals", {}, "Please choose at least one.", None),
    ("goals", {"goals": ["work", "fame"]}, "Please choose from the list.", None),
    ("main-goal", {}, "Please choose one.", None),
    ("main-goal", {"primary_goal": "study"}, "Please choose one.", None),  # not chosen before
    ("languages", {}, "Please choose at least one language.", None),
    ("languages", {"languages": ["ar", "klingon"]}, "Please choose from the list.", None),
    ("buddy", {}, "Please choose one.", None),
    ("buddy", {"gender_pref": "x"}, "Please choose one.", None),
    ("password", {"password": "short", "confirm": "short"}, "at least 12 characters", None),
    ("password", {"password": "p" * 129, "confirm": "p" * 129}, "This is too long.", None),
    ("password", {"password": "een lange zin als wachtwoord", "confirm": "iets anders hier"},
     "The two passwords are not the same.", None),
    ("password", {"password": "password1234", "confirm": "password1234"}, "too common", None),
    ("consent", {}, "Please tick the box if you agree.", None),
]


@pytest.mark.parametrize(("step", "data", "message", "kept"), INVALID)
def test_invalid_answer_is_shown_next_to_the_field_and_kept(client, org, hood_id, step, data,
                                                            message, kept):
    answer_until(client, org.slug, valid_answers(hood_id), stop=step)
    response = answer(client, org.slug, step, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'class="error-summary"' in page and "field-error" in page
    assert message in html.unescape(page)
    if kept is not None:
        assert kept in [html.unescape(v) for v in re.findall(r'value="([^"]*)"', page)]
    assert response.headers["Content-Type"].startswith("text/html")


def test_error_is_linked_to_its_field(client, org):
    page = answer(client, org.slug, "name", {"first_name": ""}).get_data(as_text=True)
    assert '<a href="#first_name">' in page
    assert 'aria-describedby="first_name-hint first_name-error"' in page
    assert 'aria-invalid="true"' in page


@pytest.mark.parametrize("name", [
    "A", "ليلى", "محمد علی", "مهرنوش‌", "ሳባ", "Олена", "Zoë-Anne", "O'Neil", "阿明", "Nguyễn",
    "Ṣaliḥ", "Şükrü", "Aşk",
])
def test_names_of_any_script_are_accepted_and_kept(client, org, name):
    response = answer(client, org.slug, "name", {"first_name": name})
    assert response.status_code == 303
    page = client.get(join_url(org.slug, "name")).get_data(as_text=True)
    assert input_value(page, "first_name") == name


@pytest.mark.parametrize(("typed", "stored"), [
    ("06 1234 5678", "+31612345678"),
    ("06-12345678", "+31612345678"),
    ("+31 6 1234 5678", "+31612345678"),
    ("0031 6 12345678", "+31612345678"),
    ("(030) 123 4567", "+31301234567"),
    ("+32 470 12 34 56", "+32470123456"),
    ("+44 7911 123456", "+447911123456"),
])
def test_phone_numbers_are_normalised(client, org, typed, stored):
    answer(client, org.slug, "name", {"first_name": "Amal"})
    assert answer(client, org.slug, "contact", {"phone": typed}).status_code == 303
    page = client.get(join_url(org.slug, "contact")).get_data(as_text=True)
    assert input_value(page, "phone") == stored


def test_email_is_stored_in_lower_case_and_sharing_needs_the_item(client, org):
    answer(client, org.slug, "name", {"first_name": "Amal"})
    answer(client, org.slug, "contact", {"email": " Amal@Example.ORG ", "share_phone": "y"})
    page = client.get(join_url(org.slug, "contact")).get_data(as_text=True)
    assert 'value="amal@example.org"' in page
    assert not is_checked(page, "share_phone")  # nothing to share without a phone


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize(("lang", "direction"), [("ar", "rtl"), ("fa", "rtl"), ("nl", "ltr"),
                                                  ("ti", "ltr")])
def test_every_step_renders_in_the_reading_direction(client, org, hood_id, step, lang,
                                                     direction):
    answer_until(client, org.slug, valid_answers(hood_id), stop=step)
    response = client.get(join_url(org.slug, step) + f"?lang={lang}")
    assert response.status_code == 200
    assert html_attr(response.data, "html", "lang") == lang
    assert html_attr(response.data, "html", "dir") == direction
    page = response.get_data(as_text=True)
    assert " style=" not in page and "<script>" not in page and "onclick" not in page
    last = step == "consent"  # its button says "Sign up" with a check mark instead
    assert ('class="picto icon-dir" src="/static/img/picto/next.svg"' in page) is not last
    assert 'class="picto icon-dir" src="/static/img/picto/back.svg"' in page
    assert "readaloud" in page and 'class="progress"' in page


# -- fuzzing: arbitrary text in every field of every step -------------------------------------

FIELD_VALUES = st.one_of(
    st.text(max_size=300),
    st.lists(st.text(max_size=40), max_size=4),
    st.sampled_from(["", "0", "-1", "99999999999999999999", "A1", "f", "mon-morning", "y"]),
)
NAVIGATION = st.sampled_from(["next", "back", "skip", "", "sideways"])


def form_fields(step: str) -> list[str]:
    """Return the names of the fields a person fills in on ``step``."""
    form_class = STEP_FORMS[step]
    return sorted(name for name in dir(form_class)
                  if getattr(getattr(form_class, name), "_formfield", False) and name != "nav")


def test_every_step_has_fields_to_fuzz():
    assert all(form_fields(step) for step in STEPS)
    assert form_fields("contact") == ["email", "phone", "share_email", "share_phone"]


@pytest.mark.parametrize("step", STEPS)
def test_any_input_on_any_step_never_gives_a_server_error(client, org, hood_id, step):
    answer_until(client, org.slug, valid_answers(hood_id), stop=step)
    fields = form_fields(step)

    @settings(max_examples=50, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(values=st.fixed_dictionaries({name: FIELD_VALUES for name in fields}),
           nav=NAVIGATION)
    def post_anything(values, nav):
        response = client.post(join_url(org.slug, step), data={**values, "nav": nav})
        assert response.status_code < 500, (values, nav)

    post_anything()
