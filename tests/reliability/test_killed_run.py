"""A matching run killed half-way (SIGKILL) leaves nothing behind and can be run again."""

import os
import signal
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import func, select

from buddy.demo import create_demo
from buddy.extensions import db
from buddy.matchmaking.pool import MatchingParams, create_run
from buddy.models import Match, MatchingRun, Organisation, OutboxMessage, User

pytestmark = pytest.mark.slow

CHILD = textwrap.dedent("""
    import sys, time
    from sqlalchemy import select
    from buddy import create_app
    from buddy.matchmaking import pool as ms
    from buddy.extensions import db
    from buddy.models import Organisation, User

    app = create_app({"DATABASE_URL": sys.argv[1], "SECRET_KEY": sys.argv[2],
                      "RATELIMIT_STORAGE_URI": "memory://"})
    original, calls = ms.propose_pair, []

    def propose_then_stall(*args, **kwargs):
        result = original(*args, **kwargs)
        calls.append(1)
        if len(calls) == 3:
            db.session.flush()
            print("HALFWAY", flush=True)
            time.sleep(120)
        return result

    ms.propose_pair = propose_then_stall
    with app.test_request_context():
        org = db.session.scalar(select(Organisation))
        actor = db.session.scalar(select(User).where(User.role == "coordinator"))
        ms.create_run(org, ms.MatchingParams.defaults(org), actor)
        db.session.commit()
""")


def _counts() -> tuple[int, int, int]:
    return (db.session.scalar(select(func.count()).select_from(MatchingRun)),
            db.session.scalar(select(func.count()).select_from(Match)
                              .where(Match.status == "proposed")),
            db.session.scalar(select(func.count()).select_from(OutboxMessage)))


def test_sigkill_half_way_leaves_no_rows_and_the_run_can_be_repeated(live_app):
    with live_app.app_context():
        create_demo(seed=5)
        db.session.commit()
        before = _counts()
    child = subprocess.Popen([sys.executable, "-c", CHILD, live_app.config["DATABASE_URL"],
                              live_app.config["SECRET_KEY"]],  # the same key for TOTP secrets
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             cwd=os.getcwd())
    try:
        line = child.stdout.readline()
        assert line.strip() == "HALFWAY", child.stderr.read()
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        child.stdout.close()
        child.stderr.close()
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    with live_app.test_request_context():
        db.session.remove()
        assert _counts() == before
        org = db.session.scalar(select(Organisation))
        actor = db.session.scalar(select(User).where(User.role == "coordinator"))
        run = create_run(org, MatchingParams.defaults(org), actor)
        db.session.commit()
        assert run.proposed_count > 3
        assert _counts()[1] == before[1] + run.proposed_count
        db.session.remove()
