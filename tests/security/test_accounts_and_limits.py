"""Bootstrap without default secrets, visible logout, request limits, code brute force."""

import re

import pytest
from sqlalchemy import select

from buddy.extensions import db
from buddy.models import User
from tests import factories as f


def test_create_admin_prints_a_one_time_expiring_link(app, client):
    result = app.test_cli_runner().invoke(args=["create-admin", "--email", "Boss@Example.org"])
    assert result.exit_code == 0, result.output
    link = re.search(r"http://localhost(/invite/\S+)", result.output).group(1)
    admin = db.session.scalar(select(User).where(User.email == "boss@example.org"))
    assert admin.role == "admin" and admin.password_hash is None
    new = "the boss chose this passphrase"
    assert client.post(link, data={"password": new, "confirm": new}).status_code == 302
    assert client.post(link, data={"password": new, "confirm": new}).status_code == 404
    response = client.post("/login", data={"identifier": "boss@example.org", "password": new})
    assert response.headers["Location"].endswith("/login/code")  # still a second factor


def test_create_admin_refuses_a_taken_address(app):
    f.make_user("admin", email="taken@example.org")
    result = app.test_cli_runner().invoke(args=["create-admin", "--email", "taken@example.org"])
    assert result.exit_code != 0 and "already in use" in result.output


@pytest.mark.parametrize(("role", "path"), [
    ("volunteer", "/volunteer"), ("volunteer", "/volunteer/profile"), ("volunteer", "/account"),
    ("participant", "/me"), ("participant", "/me/details"), ("participant", "/account/data"),
    ("coordinator", "/coordinator/"), ("coordinator", "/coordinator/proposals"),
    ("coordinator", "/coordinator/volunteers"), ("admin", "/admin/"), ("admin", "/admin/audit"),
])
def test_every_signed_in_page_has_a_visible_logout(client, login, role, path):
    org = f.make_org()
    if role == "volunteer":
        user = f.make_volunteer(org).user
    elif role == "participant":
        user = f.make_participant(org).user
    else:
        user = f.make_user(role, org)
    login(user)
    page = client.get(path).get_data(as_text=True)
    assert re.search(r'<form method="post" action="/logout">', page), path


def test_too_many_form_parts_is_413(client):
    data = {f"field{i}": "x" for i in range(500)}
    response = client.post("/login", data=data, content_type="multipart/form-data")
    assert response.status_code == 413


def test_second_factor_code_guessing_is_throttled(client, clock):
    f.make_user("coordinator", email="guess@example.org")
    client.post("/login", data={"identifier": "guess@example.org", "password": f.PASSWORD})
    codes = [client.post("/login/code", data={"code": f"{i:06d}"}).status_code
             for i in range(12)]
    assert 429 in codes


def test_login_throttle_is_not_global(client, app):
    f.make_user("volunteer", email="victim@example.org")
    f.make_user("volunteer", email="other@example.org")
    for _ in range(12):
        client.post("/login", data={"identifier": "victim@example.org", "password": "nope"})
    other = app.test_client()
    response = other.post("/login", data={"identifier": "other@example.org",
                                          "password": f.PASSWORD},
                          environ_base={"REMOTE_ADDR": "10.1.1.1"})
    assert response.status_code == 302
