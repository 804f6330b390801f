"""Browser fixtures: a live server on a fresh, migrated database and headless Chromium.

``live_app`` makes the per-test transaction of ``tests/conftest.py`` step aside: the live
server runs real commits in its own threads, on its own database, which is dropped after
the test. Use ``live_server`` for the base URL, ``browser`` for Chromium and ``phone_page``
for a 375 x 812 touch screen; ``cold_page_weight`` measures what a page costs to load.
"""

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from buddy import create_app
from buddy.extensions import db
from tests.conftest import app_config, fresh_database, migrated_engine

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
PHONE = {"width": 375, "height": 812}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


@pytest.fixture
def live_app(tmp_path):
    """An app on its own fresh, migrated database; ``db`` is bound to it while it lives."""
    previous_engine = db.engine
    with fresh_database(tmp_path) as url:
        migrated_engine(url).dispose()
        app = create_app(app_config(url))
        app.instance_path = str(tmp_path / "instance")
        live_engine = app.extensions["db_engine"]
        db.engine = live_engine
        db._factory.configure(bind=live_engine, join_transaction_mode="conditional_savepoint")
        db.session.remove()
        try:
            yield app
        finally:
            db.session.remove()
            live_engine.dispose()
            db.engine = previous_engine
            if previous_engine is not None:
                db._factory.configure(bind=previous_engine)


def _closed_at_once(app):
    """``app`` with every response body read into memory and closed before it is sent.

    Werkzeug's development server skips closing a response body when the client drops the
    connection while the server drains the request (Chromium leaving a page during a favicon
    request): the static file stays open and its ResourceWarning fails a later test.
    Production runs gunicorn; this only keeps the live test server tidy.
    """

    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return wsgi


@pytest.fixture
def live_server(live_app):
    """Serve ``live_app`` from a thread on 127.0.0.1 and a free port; yield the base URL."""
    server = make_server("127.0.0.1", 0, _closed_at_once(live_app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright (no browser download)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def phone_page(browser):
    """A fresh browser context with a 375 x 812 touch screen."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  device_scale_factor=1)
    try:
        yield context.new_page()
    finally:
        context.close()


COUNTED_TYPES = {"document", "stylesheet", "script", "image"}


def cold_page_weight(browser, page) -> tuple[int, list[tuple[str, int]]]:
    """Load ``page``'s URL again with an empty cache (same cookies); return the bytes it
    transferred for the document, CSS, JS and images (fonts excluded) and per response."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  storage_state=page.context.storage_state())
    responses = []

    def finished(request) -> None:
        if request.resource_type in COUNTED_TYPES:
            sizes = request.sizes()
            responses.append((request.url,
                              sizes["responseBodySize"] + sizes["responseHeadersSize"]))

    try:
        cold = context.new_page()
        cold.on("requestfinished", finished)
        cold.goto(page.url, wait_until="load")
    finally:
        context.close()
    return sum(size for _url, size in responses), responses


def screenshot(page, name: str) -> Path:
    """Save a full-page PNG of ``page`` as ``screenshots/<name>.png``."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
