"""Rate limits shared between gunicorn workers through Redis."""

import uuid

import pytest
from itsdangerous import URLSafeTimedSerializer

from buddy import create_app
from tests.conftest import app_config

REDIS = "redis://127.0.0.1:6379/15"


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_login_limit_is_shared_between_two_workers(live_app):
    """Two app instances (as two gunicorn workers) count against one Redis store."""
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    config = app_config(live_app.config["DATABASE_URL"], RATELIMIT_STORAGE_URI=REDIS,
                        RATELIMIT_KEY_PREFIX=prefix)
    worker_a, worker_b = create_app(config), create_app(config)
    codes = []
    for i in range(12):
        worker = worker_a if i % 2 else worker_b
        client = worker.test_client()
        with client.session_transaction() as session:
            session["csrf_token"] = "x" * 40
        token = URLSafeTimedSerializer(worker.secret_key, salt="wtf-csrf-token").dumps("x" * 40)
        codes.append(client.post("/login", data={"identifier": "nobody@example.org",
                                                 "password": "wrong", "csrf_token": token}
                                 ).status_code)
    assert codes[:10] == [200] * 10 and codes[10:] == [429, 429]


