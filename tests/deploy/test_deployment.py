"""A real deployment: Debian's nginx with the shipped site file and a throw-away certificate,
gunicorn (3 workers, ``BUDDY_ENV=production``) on a fresh PostgreSQL database, Redis for the
rate limits; every check goes over HTTPS through nginx from real loopback addresses.

Run with ``pytest -m deploy`` (a step of ``.ci/run``). Everything it starts is stopped, and
the database and Redis keys it made are removed, also when a check fails.
"""

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from buddy.config import normalise_database_url

pytestmark = [pytest.mark.deploy, pytest.mark.no_database]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SITE_FILE = ROOT / "deploy" / "nginx" / "inburgergids.conf"
HOST = "buddy.test"
PG_ADMIN = (os.environ.get("TEST_DATABASE_URL") or os.environ.get("CI_POSTGRES_URL")
            or "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = "redis://127.0.0.1:6379/13"  # 15: unit tests, 14: load benchmark
PASSWORD = "deploy test passphrase 2026"
WORKERS = 3


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def nginx_binary() -> str:
    """Return Debian's nginx, installing it with apt-get when it is missing."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                      else None)
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.fail("nginx is missing and cannot be installed here (needs root and apt-get)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=True, timeout=600)
    subprocess.run(["apt-get", "install", "-y", "-qq", "nginx"], env=env, check=True,
                   timeout=600, stdout=subprocess.DEVNULL)
    return shutil.which("nginx") or "/usr/sbin/nginx"


def render_site(port: int, http_port: int, app_port: int, cert: Path, key: Path) -> str:
    """The shipped site file with this test's ports, host and certificate: each value the
    operator edits is replaced, and must be found, so the file cannot drift from the test."""
    site = SITE_FILE.read_text()
    replacements = [
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{port} ssl http2;"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};"),
        ("/etc/letsencrypt/live/inburgergids.example.org/fullchain.pem", str(cert)),
        ("/etc/letsencrypt/live/inburgergids.example.org/privkey.pem", str(key)),
        ("inburgergids.example.org", HOST),
        ("shared:inburgergids_tls:10m", f"shared:buddy_test_{port}:1m"),
    ]
    for old, new in replacements:
        assert old in site, f"{SITE_FILE.name} no longer contains {old!r}"
        site = site.replace(old, new)
    site = "\n".join(line for line in site.splitlines() if "[::]" not in line)  # no IPv6 here
    return site


def stop(process: subprocess.Popen, first=signal.SIGTERM, wait: float = 20) -> None:
    """Stop ``process`` and its children (its own process group); kill after ``wait``."""
    if process.poll() is None:
        os.killpg(process.pid, first)
        try:
            process.wait(wait)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def wait_until(check, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def worker_pids(master: int) -> set[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return {int(pid) for pid in children.read_text().split()} if children.exists() else set()


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: str


@dataclass
class Browser:
    """An HTTPS client with its own loopback source address and cookie jar."""

    source: str
    port: int
    context: ssl.SSLContext
    cookies: dict = field(default_factory=dict)
    set_cookie_headers: list = field(default_factory=list)

    def request(self, method: str, path: str, form: dict | None = None, host: str = HOST,
                headers: dict | None = None) -> Response:
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context,
                                           source_address=(self.source, 0), timeout=30)
        sent = {"Host": f"{host}:{self.port}", "Accept-Language": "en",
                "Referer": f"https://{host}:{self.port}{path}", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=sent)
            raw = conn.getresponse()
            response = Response(raw.status, raw.headers, raw.read().decode())
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.set_cookie_headers.append(header)
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response

    def csrf(self, path: str) -> str:
        page = self.request("GET", path)
        assert page.status == 200, page.body[:300]
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.body).group(1)

    def login(self, identifier: str, password: str) -> Response:
        token = self.csrf("/login")
        return self.request("POST", "/login", {"identifier": identifier, "password": password,
                                               "csrf_token": token})


@dataclass
class Stack:
    port: int
    base_url: str
    context: ssl.SSLContext
    gunicorn: subprocess.Popen
    app_port: int
    database_url: str
    volunteer_email: str
    redis_prefix: str

    def browser(self, source: str) -> Browser:
        return Browser(source, self.port, self.context)

    def outbox(self) -> list[tuple[str, str]]:
        engine = create_engine(normalise_database_url(self.database_url))
        try:
            with engine.connect() as conn:
                return [tuple(row) for row in conn.execute(
                    text("SELECT recipient, body FROM outbox ORDER BY id"))]
        finally:
            engine.dispose()


def _create_database(stack: ExitStack) -> str:
    admin_url = make_url(normalise_database_url(PG_ADMIN))
    name = f"buddy_deploy_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    stack.callback(drop)
    return admin_url.set(database=name).render_as_string(hide_password=False)


def _certificate(tmp: Path) -> tuple[Path, Path]:
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST},IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    return cert, key


def _seed_volunteer(database_url: str) -> str:
    """Create an organisation and a volunteer through the app's own code (a subprocess, so
    this test process never binds the app's global session)."""
    code = (
        "import sys\n"
        "from buddy import create_app\n"
        "from buddy.extensions import db\n"
        "from buddy.auth.services import hash_password\n"
        "from buddy.models import Organisation, User\n"
        "app = create_app({'DATABASE_URL': sys.argv[1], 'SECRET_KEY': 'k' * 40})\n"
        "with app.app_context():\n"
        "    org = Organisation(slug='deploy', name='Deploy test', city='Utrecht')\n"
        "    db.session.add(org); db.session.flush()\n"
        "    db.session.add(User(role='volunteer', organisation_id=org.id, locale='en',\n"
        "                        email='volunteer@deploy.test',\n"
        "                        password_hash=hash_password(sys.argv[2])))\n"
        "    db.session.commit()\n"
    )
    subprocess.run([sys.executable, "-c", code, database_url, PASSWORD], cwd=ROOT, check=True,
                   timeout=120, env={**os.environ, "BUDDY_ENV": "development"})
    return "volunteer@deploy.test"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    nginx = nginx_binary()
    tmp = tmp_path_factory.mktemp("deploy")
    port, http_port, app_port = free_port(), free_port(), free_port()
    base_url = f"https://{HOST}:{port}"
    prefix = f"deploy-{uuid.uuid4().hex[:10]}"
    store = redis.Redis.from_url(REDIS_URL)
    with ExitStack() as cleanup:
        cleanup.callback(lambda: [store.delete(k) for k in store.scan_iter(f"*{prefix}*")])
        database_url = _create_database(cleanup)
        cert, key = _certificate(tmp)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("BUDDY_", "FLASK_", "MAIL_", "RATELIMIT_", "SMS_", "TOTP_"))}
        env.update({
            "BUDDY_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
            "DATABASE_URL": database_url, "RATELIMIT_STORAGE_URI": REDIS_URL,
            "RATELIMIT_KEY_PREFIX": prefix, "BASE_URL": base_url, "TRUSTED_HOSTS": HOST,
            "TRUSTED_PROXIES": "1", "MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": "1", "MAIL_USE_TLS": "1",  # mail stays in the outbox: no send-mail
            "TOTP_ENCRYPTION_KEY": Fernet.generate_key().decode(), "SMS_BACKEND": "off",
        })
        # The documented upgrade step, with the production settings.
        subprocess.run([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT,
                       env=env, check=True, timeout=300, capture_output=True)
        volunteer = _seed_volunteer(database_url)

        log = (tmp / "gunicorn.log").open("w")  # nginx's start-up messages go here too
        cleanup.callback(log.close)
        gunicorn = subprocess.Popen(
            [str(BIN / "gunicorn"), "--workers", str(WORKERS), "--bind", f"127.0.0.1:{app_port}",
             "--graceful-timeout", "5", "wsgi:app"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        cleanup.callback(stop, gunicorn)

        (tmp / "site.conf").write_text(render_site(port, http_port, app_port, cert, key))
        user = "user root;\n" if os.geteuid() == 0 else ""
        temp_paths = "".join(f"    {kind}_temp_path {tmp / kind};\n"
                             for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        (tmp / "nginx.conf").write_text(
            f"{user}worker_processes 1;\ndaemon off;\npid {tmp / 'nginx.pid'};\n"
            f"error_log {tmp / 'nginx-error.log'} warn;\n"
            "events { worker_connections 256; }\n"
            f"http {{\n    access_log {tmp / 'nginx-access.log'};\n{temp_paths}"
            f"    include {tmp / 'site.conf'};\n}}\n")
        server = subprocess.Popen([nginx, "-c", str(tmp / "nginx.conf"), "-p", str(tmp),
                                   "-e", str(tmp / "nginx-error.log")],
                                  start_new_session=True, stdout=log, stderr=subprocess.STDOUT)
        cleanup.callback(stop, server, signal.SIGQUIT, 10)

        context = ssl.create_default_context(cafile=str(cert))
        ready = Stack(port, base_url, context, gunicorn, app_port, database_url, volunteer,
                      prefix)
        probe = ready.browser("127.0.0.1")

        def healthy() -> bool:
            if gunicorn.poll() is not None or server.poll() is not None:
                pytest.fail("gunicorn or nginx stopped:\n" + (tmp / "gunicorn.log").read_text()
                            + (tmp / "nginx-error.log").read_text())
            return probe.request("GET", "/healthz").status == 200

        wait_until(healthy, "the app through nginx")
        wait_until(lambda: len(worker_pids(gunicorn.pid)) == WORKERS, "3 gunicorn workers")
        yield ready
    assert gunicorn.poll() is not None and server.poll() is not None
    assert not list(store.scan_iter(f"*{prefix}*"))


def test_health_check_answers_over_https_with_hsts(stack):
    for path in ("/healthz", "/"):
        response = stack.browser("127.0.0.2").request("GET", path)
        assert response.status == 200
        hsts = response.headers.get_all("Strict-Transport-Security")
        assert len(hsts) == 1, hsts
        assert int(re.search(r"max-age=(\d+)", hsts[0]).group(1)) >= 31536000
    assert json.loads(stack.browser("127.0.0.2").request("GET", "/healthz").body) == {
        "status": "ok"}


def test_cookies_are_secure_and_host_prefixed(stack):
    browser = stack.browser("127.0.0.5")
    assert browser.request("GET", "/login?lang=ar").status == 200
    names = {header.split("=", 1)[0] for header in browser.set_cookie_headers}
    assert names == {"__Host-buddy_session", "__Host-lang"}
    for header in browser.set_cookie_headers:
        attributes = [part.strip().lower() for part in header.split(";")[1:]]
        assert "secure" in attributes and "path=/" in attributes, header
        assert not any(part.startswith("domain=") for part in attributes), header


def test_login_limit_is_per_client_address_and_forwarded_for_cannot_escape_it(stack):
    attacker, colleague = stack.browser("127.0.0.2"), stack.browser("127.0.0.3")
    codes = [attacker.login("nobody@deploy.test", "wrong").status for _ in range(11)]
    assert codes[:10] == [200] * 10 and codes[10] == 429
    token = attacker.csrf("/login")
    for forged in ("10.1.2.3", "127.0.0.3", "203.0.113.1, 198.51.100.2"):
        response = attacker.request("POST", "/login", {
            "identifier": "nobody@deploy.test", "password": "wrong", "csrf_token": token},
            headers={"X-Forwarded-For": forged})
        assert response.status == 429, forged
    response = colleague.login(stack.volunteer_email, PASSWORD)
    assert response.status == 302 and "/login" not in response.headers["Location"]
    home = colleague.request("GET", response.headers["Location"])
    assert home.status == 200


def test_untrusted_host_gets_400_and_reset_link_starts_with_base_url(stack):
    browser = stack.browser("127.0.0.4")
    token = browser.csrf("/reset")
    before = stack.outbox()
    form = {"email": stack.volunteer_email, "csrf_token": token}
    refused = browser.request("POST", "/reset", form, host="evil.example")
    assert refused.status == 400
    assert stack.outbox() == before
    accepted = browser.request("POST", "/reset", form)
    assert accepted.status == 302
    new = stack.outbox()[len(before):]
    assert [recipient for recipient, _ in new] == [stack.volunteer_email]
    links = re.findall(r"\S+://\S+", new[0][1])
    assert links and all(link.startswith(stack.base_url + "/reset/") for link in links)


def test_a_killed_worker_is_replaced_without_a_failed_request(stack):
    browser = stack.browser("127.0.0.6")
    workers = worker_pids(stack.gunicorn.pid)
    assert len(workers) == WORKERS
    victim = min(workers)
    failures, statuses = [], []
    for i in range(60):
        if i == 10:
            os.kill(victim, signal.SIGKILL)
        try:
            statuses.append(browser.request("GET", "/healthz").status)
        except OSError as error:
            failures.append(repr(error))
    assert not failures and statuses == [200] * 60
    wait_until(lambda: len(worker_pids(stack.gunicorn.pid) - {victim}) == WORKERS,
               "a replacement worker", seconds=30)
    assert victim not in worker_pids(stack.gunicorn.pid)
    assert browser.request("GET", "/healthz").status == 200
