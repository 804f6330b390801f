"""The daily reminder command (registered by ``buddy.cli``): meetings, check-ins, VOGs."""

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from ..extensions import db
from ..models import Organisation
from ..screening.services import queue_vog_renewal_reminders
from .reminders import queue_reminders


@click.command("send-reminders")
@with_appcontext
def send_reminders() -> None:
    """Queue meeting, check-in and VOG reminders (idempotent; run daily from cron or a timer)."""
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        counts = queue_reminders()
        counts["vog_renewal"] = sum(
            queue_vog_renewal_reminders(org_id)
            for org_id in db.session.scalars(select(Organisation.id)))
        db.session.commit()
    click.echo(" ".join(f"{kind}={count}" for kind, count in counts.items()))


COMMANDS = (send_reminders,)
