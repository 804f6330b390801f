"""Flask commands of the coordinator workspace (registered by ``buddy.cli``)."""

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from ..models.base import today
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
        db.session.commit()
    click.echo(f"meeting_reminder={counts['meeting_reminder']} "
               f"checkin_due={counts['checkin_due']}")


COMMANDS = (send_reminders,)
