"""Arbitrary text at every field of every sign-up step and of the profile form: never a 5xx."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buddy.volunteers import wizard
from buddy.volunteers.forms import ProfileForm
from tests import factories as f

ODD = st.sampled_from([
    "", " ", "\x00", "\x00abc\x1b[2J", "\u202eevil\u202c", "\u200f\u200e", "\ufeff", "\r\n\r\n",
    "<script>alert(1)</script>", "' OR 1=1 --", "%(name)s %s {0}", "{{ 7*7 }}", "..%2f..%2f",
    "9" * 5000, "x" * 300, "ሰላም", "محمد", "١٢", "-1", "0", "1e9", "NaN", "2026-02-30",
    "mon-morning", "in_person", "native", "y", "🙂" * 2000, "a@b.c" * 100,
])
TEXT = st.one_of(
    ODD,
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=200),
    st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=3).map(
        lambda s: s * 4000),
)
VALUE = st.one_of(TEXT, st.lists(TEXT, max_size=3))
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


def field_names(form_class) -> list[str]:
    """Return every field name a form class declares (mixins included), plus extras."""
    names = [name for name in dir(form_class)
             if hasattr(getattr(form_class, name, None), "_formfield")]
    return names + ["role", "organisation_id", "screening", "back"]


def form_data(form_class):
    return st.fixed_dictionaries({}, optional={name: VALUE for name in field_names(form_class)})


def seed_draft(client, org_id: int, steps: dict, until: str) -> None:
    """Put valid kept values of the steps before ``until`` in the client's session."""
    kept = {}
    for name in wizard.STEPS[:wizard.STEPS.index(until)]:
        kept[name] = {k: v for k, v in steps[name].items() if k != "password"}
    f.seed_signup_draft(client, wizard.DRAFT_KIND, org_id,
                        {"steps": kept, "password_hash": f.password_hash()})


@pytest.mark.parametrize("step", wizard.STEPS)
def test_signup_steps_never_fail_on_any_input(app, client, org, steps, signup_url, step):
    form_class = wizard._FORMS[step]

    @FUZZ
    @given(data=form_data(form_class))
    def check(data):
        browser = app.test_client()
        seed_draft(browser, org.id, steps, step)
        response = browser.post(signup_url(step), data=data)
        assert response.status_code < 500, response.status_code
        for page in (signup_url(step), signup_url(wizard.previous_step(step))):
            assert browser.get(page).status_code < 500

    check()


def test_profile_form_never_fails_on_any_input(client, login, org):
    login(f.make_volunteer(org).user)

    @FUZZ
    @given(data=form_data(ProfileForm))
    def check(data):
        response = client.post("/volunteer/profile", data=data)
        assert response.status_code < 500, response.status_code
        assert client.get("/volunteer").status_code < 500

    check()


def test_pause_form_never_fails_on_any_input(client, login, org):
    login(f.make_volunteer(org).user)

    @FUZZ
    @given(until=VALUE, reason=VALUE)
    def check(until, reason):
        response = client.post("/volunteer/pause", data={"until": until, "reason": reason})
        assert response.status_code < 500, response.status_code

    check()
