"""Administration pages work in right-to-left and left-to-right languages."""

import pytest

from tests import factories as f
from tests.conftest import html_attr


@pytest.mark.parametrize(("lang", "direction"), [("ar", "rtl"), ("nl", "ltr")])
def test_admin_pages_render_in_each_direction(client, login, admin_user, lang, direction):
    org = f.make_org(name="Stichting Taalmaatje")
    coordinator = f.make_user("coordinator", org)
    f.make_audit(org, action="volunteer.approved")
    urls = ["/admin/", "/admin/organisations/new", f"/admin/organisations/{org.id}",
            f"/admin/organisations/{org.id}/edit", f"/admin/users/{coordinator.id}",
            "/admin/audit"]
    login(admin_user)
    for url in urls:
        response = client.get(f"{url}?lang={lang}")
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert html_attr(page, "html", "dir") == direction
        assert " style=" not in page and "<script>" not in page, url
