"""Load profile for ``benchmarks/load.py``: participants, coordinators reviewing and approving.

Sessions are prepared by load.py (no argon2 logins under load): it writes the cookies of
signed-in users to the file named by ``BUDDY_LOAD_COOKIES``.
"""

import json
import os
import random
import re

from locust import HttpUser, between, task

COOKIES = json.loads(open(os.environ["BUDDY_LOAD_COOKIES"], encoding="utf-8").read())  # noqa: SIM115
APPROVE_FORM = re.compile(
    r'action="(/coordinator/matches/\d+/approve)".*?name="csrf_token" value="([^"]+)"', re.S
)


class Participant(HttpUser):
    """A newcomer on a phone: own page, the toolkit, the first sign-up screens."""

    weight = 6
    wait_time = between(0.5, 2)

    def on_start(self) -> None:
        self.client.cookies.set(
            "buddy_session", random.choice(COOKIES["participants"]), domain="127.0.0.1", path="/"
        )

    @task(4)
    def own_page(self) -> None:
        self.client.get("/me", name="participant: /me")

    @task(2)
    def toolkit(self) -> None:
        self.client.get("/toolkit/what-is-a-buddy?lang=ar", name="participant: toolkit page")

    @task(1)
    def details(self) -> None:
        self.client.get("/me/details", name="participant: /me/details")

    @task(1)
    def sign_up_start(self) -> None:
        self.client.get("/o/utrecht/join?lang=ti", name="anonymous: join")


class Coordinator(HttpUser):
    """A coordinator on a laptop: dashboard, proposal review, approvals."""

    weight = 2
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.client.cookies.set(
            "buddy_session", COOKIES["coordinator"], domain="127.0.0.1", path="/"
        )

    @task(3)
    def dashboard(self) -> None:
        self.client.get("/coordinator/", name="coordinator: dashboard")

    @task(3)
    def proposals(self) -> None:
        self.client.get("/coordinator/proposals", name="coordinator: proposals")

    @task(1)
    def approve(self) -> None:
        page = self.client.get("/coordinator/proposals", name="coordinator: proposals")
        found = APPROVE_FORM.search(page.text)
        if found:
            self.client.post(
                found.group(1),
                data={"csrf_token": found.group(2)},
                name="coordinator: approve",
                allow_redirects=False,
            )
