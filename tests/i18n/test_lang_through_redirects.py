"""``?lang=xx`` survives a redirect: the cookie is set and the parameter is carried on."""

import pytest

from buddy import i18n
from tests import factories as f
from tests.conftest import html_attr

pytestmark = pytest.mark.client_language(None)


def test_volunteer_signup_link_in_arabic_opens_the_first_step_in_arabic(client):
    org = f.make_org()
    response = client.get(f"/o/{org.slug}/volunteer/signup?lang=ar")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(f"/o/{org.slug}/volunteer/signup/") and "lang=ar" in location
    assert client.get_cookie(i18n.COOKIE).value == "ar"
    first_step = client.get(location)
    assert html_attr(first_step.data, "html", "lang") == "ar"
    assert html_attr(first_step.data, "html", "dir") == "rtl"
    # The cookie alone keeps Arabic on the next page, without the parameter.
    again = client.get(location.split("?")[0])
    assert html_attr(again.data, "html", "lang") == "ar"


def test_lang_is_added_once_and_only_to_redirects_within_the_site(app, client):
    org = f.make_org()
    response = client.get(f"/o/{org.slug}/volunteer/signup?lang=fa&lang=fa")
    assert response.headers["Location"].count("lang=") == 1
    with app.test_request_context("/?lang=ti", base_url="http://localhost"):
        assert i18n._with_lang("https://elsewhere.example/x", "ti") == "https://elsewhere.example/x"
        assert i18n._with_lang("/x?a=1&lang=en", "ti") == "/x?a=1&lang=en"
        assert i18n._with_lang("/x?a=1", "ti") == "/x?a=1&lang=ti"
        assert i18n._with_lang("http://localhost/x", "ti") == "http://localhost/x?lang=ti"


def test_an_unknown_lang_changes_nothing(client):
    org = f.make_org()
    response = client.get(f"/o/{org.slug}/volunteer/signup?lang=xx")
    assert "lang=" not in response.headers["Location"]
    assert client.get_cookie(i18n.COOKIE) is None


def test_a_signed_in_users_redirect_keeps_the_explicit_choice(client, login):
    login(f.make_user("volunteer", locale="nl"))
    response = client.get("/login?lang=uk")  # signed in: sent on to the own page
    assert response.status_code == 302 and "lang=uk" in response.headers["Location"]
    page = client.get(response.headers["Location"])
    assert html_attr(page.data, "html", "lang") == "uk"
