"""Browser fixtures: a live server on a fresh, migrated database and headless Chromium.

``live_app`` makes the per-test transaction of ``tests/conftest.py`` step aside: the live
server runs real commits in its own threads, on its own database, which is dropped after
the test. Use ``live_server`` for the base URL, ``browser`` for Chromium and ``phone_page``
for a 375 x 812 touch screen; ``PageWeight`` sums what a page load transferred.
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


@pytest.fixture
def live_server(live_app):
    """Serve ``live_app`` from a thread on 127.0.0.1 and a free port; yield the base URL."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
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
    """A fresh browser context with a 375 x 812 touch screen and the HTTP cache off."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  device_scale_factor=1)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    try:
        yield page
    finally:
        context.close()


class PageWeight:
    """Count the bytes each page load transfers (document, CSS, JS, images; no fonts)."""

    COUNTED = {"document", "stylesheet", "script", "image"}

    def __init__(self, page) -> None:
        self.responses = []
        page.on("requestfinished", self._finished)

    def _finished(self, request) -> None:
        if request.resource_type in self.COUNTED:
            sizes = request.sizes()
            self.responses.append(
                (request.url, sizes["responseBodySize"] + sizes["responseHeadersSize"]))

    def take(self) -> tuple[int, list]:
        """Return the bytes since the last call and the responses they came from."""
        responses, self.responses = self.responses, []
        return sum(size for _url, size in responses), responses


def screenshot(page, name: str) -> Path:
    """Save a full-page PNG of ``page`` as ``screenshots/<name>.png``."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
