"""Production refuses to start with an unsafe setting; an unset BUDDY_ENV is safe."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from buddy.config import ConfigError, environment_when_unset, load_config

pytestmark = pytest.mark.client_language(None)

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "9f8e7d6c5b4a39281706f5e4d3c2b1a0ffeeddccbbaa99887766554433221100"
SAFE = {
    "BUDDY_ENV": "production",
    "SECRET_KEY": STRONG_KEY,
    "DATABASE_URL": "postgresql://x@localhost/db",
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    "BASE_URL": "https://inburgergids.example.org",
    "TRUSTED_HOSTS": "inburgergids.example.org, www.inburgergids.example.org",
    "MAIL_BACKEND": "smtp",
    "MAIL_SERVER": "smtp.example.org",
    "MAIL_USE_TLS": "1",
    "TOTP_ENCRYPTION_KEY": "pW0OQ1mM4Yt0lBZb3fYcZ0bq5yoVJb1h4a3oTgYtS2A=",
    "SMS_BACKEND": "off",
}
_SETTINGS = [*SAFE, "DEBUG", "REQUIRE_MFA", "MAIL_USE_SSL", "TRUSTED_PROXIES", "MAIL_PORT",
             "SMS_GATEWAY_URL"]


@pytest.fixture
def production_env(monkeypatch):
    """A safe production environment; tests change one setting at a time."""
    for key in _SETTINGS:
        monkeypatch.delenv(key, raising=False)
        monkeypatch.delenv(f"BUDDY_{key}", raising=False)
    for key, value in SAFE.items():
        monkeypatch.setenv(key, value)
    return monkeypatch


def test_production_accepts_safe_settings(tmp_path, production_env):
    production_env.setenv("TRUSTED_PROXIES", "1")
    config = load_config(str(tmp_path))
    assert config["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_NAME"] == "__Host-buddy_session"
    assert config["LANG_COOKIE_NAME"] == "__Host-lang"
    assert config["TRUSTED_HOSTS"] == ["inburgergids.example.org", "www.inburgergids.example.org"]
    assert config["TRUSTED_PROXIES"] == 1


def test_production_accepts_implicit_tls(tmp_path, production_env):
    production_env.delenv("MAIL_USE_TLS")
    production_env.setenv("MAIL_USE_SSL", "1")
    production_env.setenv("MAIL_PORT", "465")
    assert load_config(str(tmp_path))["MAIL_USE_SSL"] is True


@pytest.mark.parametrize(("key", "value", "message"), [
    ("BASE_URL", None, "BASE_URL must be the public https://"),
    ("BASE_URL", "http://inburgergids.example.org", "BASE_URL must be the public https://"),
    ("BASE_URL", "https://", "BASE_URL must be the public https://"),
    ("BASE_URL", "https://elsewhere.example.org", "not in TRUSTED_HOSTS"),
    ("TRUSTED_HOSTS", None, "TRUSTED_HOSTS is not set"),
    ("TRUSTED_HOSTS", " , ", "TRUSTED_HOSTS is not set"),
    ("MAIL_BACKEND", None, "MAIL_BACKEND='console' does not send e-mail"),
    ("MAIL_BACKEND", "console", "MAIL_BACKEND='console' does not send e-mail"),
    ("MAIL_USE_TLS", None, "SMTP without TLS"),
    ("MAIL_USE_TLS", "0", "SMTP without TLS"),
    ("REQUIRE_MFA", "0", "REQUIRE_MFA is off"),
    ("TRUSTED_PROXIES", "-1", "TRUSTED_PROXIES must be 0 or more"),
    ("BUDDY_ENV", "prod", "BUDDY_ENV='prod' is unknown"),
])
def test_production_refuses_an_unsafe_setting(tmp_path, production_env, key, value, message):
    if value is None:
        production_env.delenv(key)
    else:
        production_env.setenv(key, value)
    with pytest.raises(ConfigError) as refused:
        load_config(str(tmp_path))
    assert message in str(refused.value)


def test_environment_when_unset_is_development_only_under_the_flask_command(monkeypatch):
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
    assert environment_when_unset() == "production"
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    assert environment_when_unset() == "development"


# The children here test start-up, not time: in the moved-clock CI pass they run on the real
# clock (libfaketime's preload makes a `flask` child hang).
UNMOVED_CHILD = ("LD_PRELOAD", "FAKETIME")


def _clean_env(tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items()  # BUDDY_ENV too: `make test` exports it
           if k not in _SETTINGS and k.removeprefix("BUDDY_") not in _SETTINGS
           and k != "FLASK_RUN_FROM_CLI" and not k.startswith(UNMOVED_CHILD)}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}", SECRET_KEY=STRONG_KEY)
    return env


def test_a_wsgi_server_without_buddy_env_refuses_to_start(tmp_path):
    """gunicorn imports ``wsgi:app`` like this: without BUDDY_ENV the production checks run."""
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT,
                            env=_clean_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "ConfigError" in result.stderr and "BUDDY_ENV is not set" in result.stderr
    assert "SQLite" in result.stderr  # the first unsafe setting is named


def test_the_flask_command_without_buddy_env_runs_in_development(tmp_path):
    """Under ``flask`` (run, seed-demo, ...) the same settings start: SQLite is accepted,
    which production would refuse."""
    flask = Path(sys.executable).with_name("flask")
    result = subprocess.run([str(flask), "--app", "wsgi", "routes"], cwd=ROOT,
                            env=_clean_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "/healthz" in result.stdout


@pytest.mark.parametrize(("setting", "value", "message"), [
    ("TOTP_ENCRYPTION_KEY", "", "TOTP_ENCRYPTION_KEY"),
    ("TOTP_ENCRYPTION_KEY", "not-a-fernet-key", "TOTP_ENCRYPTION_KEY"),
    ("MAIL_BACKEND", "console", "MAIL_BACKEND"),
    ("SMS_BACKEND", "console", "SMS_BACKEND"),
    ("SMS_BACKEND", "http", "SMS_GATEWAY_URL"),
])
def test_production_refuses_plain_totp_secrets_and_console_backends(tmp_path, production_env,
                                                                     setting, value, message):
    production_env.setenv(setting, value)
    with pytest.raises(ConfigError, match=message):
        load_config(str(tmp_path))
