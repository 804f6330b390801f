"""Load test: gunicorn (5 workers) on 127.0.0.1 with the demo data scaled to 5,000
participants and 2,000 volunteers, driven by Locust headless. Run by hand, not in CI:

    .venv/bin/python benchmarks/load.py [--users 40] [--seconds 60] [--json]

It creates its own PostgreSQL database on 127.0.0.1:5432 (dropped afterwards), seeds it,
runs one matching run so there are proposals to review, signs users in directly (sessions
written to the database, so argon2 logins do not dominate the measurement), starts
gunicorn and Locust, and prints requests per second, p50/p95/p99 latency, the error rate
and the number of 5xx responses.
"""

import argparse
import csv
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from buddy import create_app, migrate  # noqa: E402
from buddy.auth.services import SESSION_KEY  # noqa: E402
from buddy.demo import create_demo  # noqa: E402
from buddy.extensions import db, make_engine  # noqa: E402
from buddy.models import Organisation, User, UserSession  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(url: str, participants: int, volunteers: int, secret: str) -> dict:
    """Migrate, seed, run matching, and return session cookies of test users."""
    import hashlib

    from buddy.matchmaking.pool import MatchingParams, create_run

    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secret})
    started = time.perf_counter()
    with app.test_request_context():
        create_demo(seed=42, volunteers=volunteers, participants=participants)
        db.session.commit()
        org = db.session.scalar(select(Organisation))
        coordinator = db.session.scalar(select(User).where(User.role == "coordinator"))
        run = create_run(org, MatchingParams.defaults(org), coordinator)
        db.session.commit()
        print(
            f"seeded in {time.perf_counter() - started:.0f} s; {run.proposed_count} proposals",
            file=sys.stderr,
        )
        serializer = app.session_interface.get_signing_serializer(app)

        def cookie_for(user: User) -> str:
            token = secrets.token_urlsafe(32)
            db.session.add(
                UserSession(
                    id=hashlib.sha256(token.encode()).hexdigest(), user_id=user.id, mfa_passed=True
                )
            )
            return serializer.dumps({SESSION_KEY: token, "_user_id": token, "_fresh": True})

        people = db.session.scalars(
            select(User)
            .where(User.role == "participant", User.password_hash.is_not(None))
            .limit(300)
        ).all()
        cookies = {
            "coordinator": cookie_for(coordinator),
            "participants": [cookie_for(user) for user in people],
        }
        db.session.commit()
    db.session.remove()
    app.extensions["db_engine"].dispose()
    return cookies


def wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def probe(port: int) -> dict:
    """Live probe of the running server: nothing that should not be there is there."""
    import http.client

    results = {}
    for method, path in (("GET", "/.git/HEAD"), ("GET", "/static/"), ("TRACE", "/"),
                         ("GET", "/metrics"), ("GET", "/static/../wsgi.py")):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request(method, path)
        response = conn.getresponse()
        response.read()
        results[f"{method} {path}"] = response.status
        conn.close()
    return results


def kill_one_worker(master_pid: int) -> int | None:
    """SIGKILL one gunicorn worker (the master starts a new one); return its pid."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    pids = [int(pid) for pid in children.read_text().split()] if children.exists() else []
    if not pids:
        return None
    os.kill(pids[0], signal.SIGKILL)
    return pids[0]


def read_stats(prefix: Path) -> dict:
    """Turn Locust's CSV files into the figures we report."""
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv", encoding="utf-8")))  # noqa: SIM115
    failures = list(csv.DictReader(open(f"{prefix}_failures.csv", encoding="utf-8")))  # noqa: SIM115
    total = next(r for r in rows if r["Name"] == "Aggregated")
    server_errors = sum(
        int(f["Occurrences"]) for f in failures if " 5" in f["Error"] or "50" in f["Error"]
    )
    per_page = {
        r["Name"]: {
            "requests": int(r["Request Count"]),
            "p50_ms": float(r["50%"]),
            "p95_ms": float(r["95%"]),
            "p99_ms": float(r["99%"]),
        }
        for r in rows
        if r["Name"] != "Aggregated"
    }
    requests = int(total["Request Count"])
    return {
        "requests": requests,
        "rps": round(float(total["Requests/s"]), 1),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "p99_ms": float(total["99%"]),
        "error_rate": round(int(total["Failure Count"]) / max(requests, 1), 4),
        "server_errors": server_errors,
        "pages": per_page,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=5000)
    parser.add_argument("--volunteers", type=int, default=2000)
    parser.add_argument("--users", type=int, default=40, help="simulated users")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--server", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    name = f"buddy_load_{os.getpid()}"
    admin = create_engine(args.server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = args.server.rsplit("/", 1)[0] + f"/{name}"
    secret = secrets.token_hex(32)
    port = free_port()
    work = Path(tempfile.mkdtemp(prefix="buddy-load-"))
    server = None
    try:
        cookies = prepare(url, args.participants, args.volunteers, secret)
        (work / "cookies.json").write_text(json.dumps(cookies))
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SECRET_KEY": secret,
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/14",
            "MAIL_BACKEND": "smtp",
            "MAIL_PORT": "1",
            "BUDDY_ENV": "development",
            "BUDDY_LOAD_COOKIES": str(work / "cookies.json"),
        }
        server = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "-w",
                str(args.workers),
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
        )
        wait_for(port)
        probes = probe(port)
        killed: list = []
        killer = threading.Timer(
            args.seconds / 2, lambda: killed.append(kill_one_worker(server.pid))
        )
        killer.start()
        subprocess.run(
            [
                str(ROOT / ".venv/bin/locust"),
                "-f",
                str(ROOT / "benchmarks/locustfile.py"),
                "--headless",
                "-u",
                str(args.users),
                "-r",
                str(max(args.users // 5, 1)),
                "-t",
                f"{args.seconds}s",
                "-H",
                f"http://127.0.0.1:{port}",
                "--csv",
                str(work / "run"),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            check=False,
            stdout=subprocess.DEVNULL,
        )
        killer.cancel()
        stats = read_stats(work / "run")
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        stats.update(
            {
                "probes": probes,
                "killed_worker": killed[0] if killed else None,
                "workers_after": len(children),
                "case": "load",
                "users": args.users,
                "seconds": args.seconds,
                "workers": args.workers,
                "participants": args.participants,
                "volunteers": args.volunteers,
                "machine": f"{os.cpu_count()} cores",
            }
        )
        if args.json:
            print(json.dumps(stats))
        else:
            print(json.dumps(stats, indent=2))
        unexpected = {k: v for k, v in probes.items() if v not in (404, 405)}
        return 0 if stats["server_errors"] == 0 and not unexpected else 1
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
