"""The daily reminder command (registered by ``buddy.cli``): meetings, check-ins, VOGs."""

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from ..extensions import db
from ..models import Organisation
from ..models.base import today
from ..screening.services import queue_vog_renewal_reminders
from .reminders import queue_reminders


@click.command("send-reminders")
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Pretend today is this date (YYYY-MM-DD); default: today.")
@with_appcontext
def send_reminders(on) -> None:
    """Queue meeting and check-in reminders (idempotent; run daily from cron or a timer)."""
    day = on.date() if on else today()
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        counts = queue_reminders(day)
        counts["vog_renewal"] = sum(
            queue_vog_renewal_reminders(org_id, day)
            for org_id in db.session.scalars(select(Organisation.id)))
        db.session.commit()
    click.echo(" ".join(f"{kind}={count}" for kind, count in counts.items()))


COMMANDS = (send_reminders,)
