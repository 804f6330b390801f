"""The app factory, configuration, layout, language choice, headers and error pages."""

import pytest

from buddy import create_app
from buddy.config import ConfigError, load_config
from tests.conftest import app_config, html_attr

pytestmark = pytest.mark.client_language(None)

STRONG_KEY = "9f8e7d6c5b4a39281706f5e4d3c2b1a0ffeeddccbbaa99887766554433221100"


def test_home_is_dutch_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert html_attr(response.data, "html", "lang") == "nl"
    assert html_attr(response.data, "html", "dir") == "ltr"
    assert "Samen Nederlands leren, samen meedoen" in response.get_data(as_text=True)


@pytest.mark.parametrize(("lang", "direction"), [("ar", "rtl"), ("fa", "rtl"), ("nl", "ltr"),
                                                  ("ti", "ltr"), ("uk", "ltr")])
def test_lang_parameter_sets_lang_and_dir(client, lang, direction):
    response = client.get(f"/?lang={lang}")
    assert html_attr(response.data, "html", "lang") == lang
    assert html_attr(response.data, "html", "dir") == direction


def test_explicit_choice_is_remembered_in_a_cookie(client):
    client.get("/?lang=ar")
    response = client.get("/")
    assert html_attr(response.data, "html", "lang") == "ar"


def test_accept_language_is_used_without_a_choice(client):
    response = client.get("/", headers={"Accept-Language": "uk-UA,uk;q=0.9,en;q=0.5"})
    assert html_attr(response.data, "html", "lang") == "uk"


def test_unknown_language_falls_back_to_dutch(client):
    response = client.get("/?lang=xx", headers={"Accept-Language": "de"})
    assert html_attr(response.data, "html", "lang") == "nl"


def test_switcher_names_each_language_in_its_own_script(client):
    page = client.get("/?lang=nl").get_data(as_text=True)
    for name in ("العربية", "ትግርኛ", "Українська", "فارسی", "Türkçe", "Soomaali", "English"):
        assert name in page
    assert 'href="/?lang=ar"' in page


@pytest.mark.parametrize("path", ["/", "/login", "/does-not-exist"])
def test_security_headers_on_pages_and_errors(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_no_inline_scripts_or_styles_in_layout(client):
    page = client.get("/").get_data(as_text=True)
    assert "<script>" not in page and " style=" not in page and "<style" not in page


@pytest.mark.parametrize(("method", "path", "code"), [
    ("get", "/nope", 404),
    ("post", "/", 405),
    ("get", "/toolkit/%00", 404),
])
def test_error_pages_use_the_layout(client, method, path, code):
    response = getattr(client, method)(path)
    assert response.status_code == code
    assert b'<html lang="nl"' in response.data


def test_too_large_request_is_413_in_layout(client):
    response = client.post("/login", data={"identifier": "x" * 300_000, "password": "y"})
    assert response.status_code == 413
    assert b"<html" in response.data


def test_csrf_missing_is_400_with_message(client):
    response = client.post("/login", data={"identifier": "a@b.nl", "password": "x"}, csrf=False)
    assert response.status_code == 400
    assert b"<html" in response.data and b"Traceback" not in response.data


def test_unexpected_exception_renders_500_without_traceback(database_url):
    app = create_app(app_config(database_url))

    @app.get("/__boom")
    def boom():
        raise RuntimeError("secret internals")

    boom.is_public = True
    response = app.test_client().get("/__boom")
    assert response.status_code == 500
    assert b"secret internals" not in response.data and b"Traceback" not in response.data


def test_production_refuses_weak_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("BUDDY_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "short")
    monkeypatch.setenv("DATABASE_URL", "postgresql://x@localhost/db")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(str(tmp_path))


def test_production_refuses_missing_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("BUDDY_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("BUDDY_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(str(tmp_path))


def test_production_refuses_sqlite_and_debug(tmp_path, monkeypatch):
    monkeypatch.setenv("BUDDY_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    with pytest.raises(ConfigError, match="SQLite"):
        load_config(str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgresql://x@localhost/db")
    monkeypatch.setenv("DEBUG", "1")
    with pytest.raises(ConfigError, match="DEBUG"):
        load_config(str(tmp_path))




def test_development_key_is_generated_once(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("BUDDY_SECRET_KEY", raising=False)
    monkeypatch.delenv("BUDDY_ENV", raising=False)
    first = load_config(str(tmp_path))["SECRET_KEY"]
    second = load_config(str(tmp_path))["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_sqlite_connections_use_foreign_keys_and_wal(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "SECRET_KEY": "k" * 40})
    from buddy.extensions import db

    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    db.engine.dispose()
    assert app.config["DATABASE_URL"].startswith("sqlite")


def test_healthz_reports_ok(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
