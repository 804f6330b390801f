"""Checklist items that are one assertion each: headers, probes, cookies, logs, schema."""

import base64
import json
import logging
import re
import zlib
from pathlib import Path

import pytest
from sqlalchemy import LargeBinary

from buddy import create_app
from buddy.models import Base
from tests import factories as f
from tests.conftest import app_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("path", ["/", "/login", "/nope", "/static/css/site.css"])
def test_headers_on_every_kind_of_response(client, path):
    response = client.get(path)
    response.close()
    csp = response.headers["Content-Security-Policy"]
    for part in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert part in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Access-Control-Allow-Origin" not in response.headers


def test_pages_are_not_cached_and_say_their_charset(client, login):
    login(f.make_user("volunteer"))
    response = client.get("/account")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"


def test_hsts_in_production(database_url):
    key = "0123456789abcdefghijklmnopqrstuv" * 2
    config = app_config(database_url, BUDDY_ENV="production", SECRET_KEY=key,
                        BASE_URL="https://buddy.example", TRUSTED_HOSTS=["buddy.example"],
                        MAIL_USE_TLS=True,
                        DATABASE_URL="postgresql://nobody@127.0.0.1:1/none",
                        RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15",
                        TOTP_ENCRYPTION_KEY="pW0OQ1mM4Yt0lBZb3fYcZ0bq5yoVJb1h4a3oTgYtS2A=",
                        SMS_BACKEND="off")
    app = create_app(config)
    response = app.test_client().get("/static/css/site.css", base_url="https://buddy.example")
    assert response.status_code == 200
    response.close()
    hsts = response.headers["Strict-Transport-Security"]
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31536000
    assert "includeSubDomains" in hsts


@pytest.mark.parametrize(("method", "path", "code"), [
    ("get", "/.git/HEAD", 404), ("get", "/static/", 404), ("trace", "/", 405),
    ("get", "/metrics", 404), ("get", "/apidocs", 404), ("get", "/static/../wsgi.py", 404),
])
def test_probes_find_nothing(client, method, path, code):
    response = client.open(path, method=method.upper())
    assert response.status_code == code


def _decode_session_cookie(value: str) -> dict:
    payload = value.split(".")[0]
    compressed = payload.startswith(".") or value.startswith(".")
    raw = value[1:].split(".")[0] if compressed else payload
    data = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    return json.loads(zlib.decompress(data) if compressed else data)


def test_session_cookie_holds_no_personal_data(client):
    f.make_user("volunteer", email="private.person@example.org")
    client.post("/login", data={"identifier": "private.person@example.org",
                                "password": f.PASSWORD})
    cookie = client.get_cookie("buddy_session").value
    content = json.dumps(_decode_session_cookie(cookie))
    assert "private.person" not in content and "example.org" not in content
    assert set(_decode_session_cookie(cookie)) <= {"sid", "_user_id", "_fresh", "_id",
                                                   "csrf_token", "next_after_login",
                                                   "_flashes", "lang", "_permanent"}


def test_spoofed_forwarded_for_does_not_escape_the_login_limit(client, clock):
    f.make_user("volunteer", email="xff@example.org")
    codes = [client.post("/login", data={"identifier": "xff@example.org", "password": "nope"},
                         headers={"X-Forwarded-For": f"10.9.{i}.1"}).status_code
             for i in range(12)]
    assert 429 in codes


def test_passwords_and_tokens_never_reach_the_logs(client, caplog):
    caplog.set_level(logging.DEBUG)
    f.make_user("volunteer", email="log@example.org")
    secret = "a very secret passphrase 991"
    client.post("/login", data={"identifier": "log@example.org", "password": secret})
    client.post("/login", data={"identifier": "log@example.org\nFAKE LINE",
                                "password": secret})
    _token, reset_secret = f.make_token(purpose="reset")
    client.get(f"/reset/{reset_secret}")
    text = caplog.text
    assert secret not in text
    assert "FAKE LINE" not in text
    assert "login failed" in text


def test_cross_tenant_attempt_is_logged(client, login, caplog):
    caplog.set_level(logging.WARNING, logger="buddy.access")
    other = f.make_participant()
    login(f.make_user("coordinator"))
    assert client.get(f"/coordinator/participants/{other.id}").status_code == 404
    assert "cross-organisation access" in caplog.text


def test_no_national_id_number_and_no_file_columns():
    for table in Base.metadata.tables.values():
        for column in table.columns:
            assert not re.search(r"bsn|burgerservice|nationality|religion", column.name)
            assert not isinstance(column.type, LargeBinary), f"{table.name}.{column.name}"


def test_matching_never_reads_barriers_or_notes():
    paths = [*ROOT.glob("buddy/matching/*.py"), ROOT / "buddy/matchmaking/pool.py"]
    for path in paths:
        source = path.read_text(encoding="utf-8")
        assert "barrier" not in source, path


def test_templates_do_not_mark_user_data_safe():
    offenders = []
    for path in ROOT.glob("buddy/**/templates/**/*.html"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if "|safe" in line.replace(" ", "") and "page.html" not in line and \
                    "html|safe" not in line.replace(" ", ""):
                offenders.append(f"{path.name}: {line.strip()}")
    assert offenders == []


def test_no_render_template_string_or_pickle_in_the_code():
    for path in ROOT.glob("buddy/**/*.py"):
        source = path.read_text(encoding="utf-8")
        assert "render_template_string" not in source, path
        assert "pickle" not in source, path


def test_no_password_expiry_or_rotation_setting(app):
    assert not [key for key in app.config if "EXPIR" in key and "PASSWORD" in key]
