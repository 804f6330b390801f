"""The systemd units and the environment example under deploy/ fit the app (fast checks;
the nginx site file is exercised for real by test_deployment.py)."""

import re
from pathlib import Path

import pytest

from buddy import create_app
from buddy.config import load_config

pytestmark = pytest.mark.no_database

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = DEPLOY / "systemd"


def _unit(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            values.setdefault(key, value)
    return values


def test_every_timer_starts_its_service_and_every_job_is_a_real_command(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "SECRET_KEY": "k" * 40})
    commands = set(app.cli.list_commands(None))
    timers = sorted(UNITS.glob("*.timer"))
    assert {t.stem for t in timers} == {f"inburgergids-{job}" for job in
                                        ("send-mail", "send-reminders", "purge-expired", "backup")}
    for timer in timers:
        assert _unit(timer)["OnCalendar"]
        service = _unit(timer.with_suffix(".service"))
        assert service["EnvironmentFile"] == "/etc/inburgergids/env"
        command = re.search(r"/\.venv/bin/flask --app wsgi (\S+)", service["ExecStart"]).group(1)
        assert command in commands, command


def test_the_app_service_runs_gunicorn_on_wsgi_app():
    service = _unit(UNITS / "inburgergids.service")
    assert service["EnvironmentFile"] == "/etc/inburgergids/env"
    assert "gunicorn" in service["ExecStart"] and service["ExecStart"].endswith(" wsgi:app")


def test_the_app_service_gives_numba_a_writable_cache():
    # ProtectSystem=strict makes the code tree read-only; CacheDirectory= is writable
    service = _unit(UNITS / "inburgergids.service")
    assert service["CacheDirectory"] == "inburgergids"
    assert service["Environment"] == "NUMBA_CACHE_DIR=/var/cache/inburgergids/numba"


def test_the_environment_example_is_a_complete_production_configuration(tmp_path, monkeypatch):
    for line in (DEPLOY / "inburgergids.env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            key, value = line.split("=", 1)
            monkeypatch.setenv(key, value)
    config = load_config(str(tmp_path))
    assert config["BUDDY_ENV"] == "production" and config["TRUSTED_PROXIES"] == 1


@pytest.mark.parametrize("directive", ["X-Forwarded-For $proxy_add_x_forwarded_for",
                                       "X-Forwarded-Proto $scheme", "Strict-Transport-Security"])
def test_the_nginx_site_sets_what_the_app_relies_on(directive):
    assert directive in (DEPLOY / "nginx" / "inburgergids.conf").read_text()
