"""Notifications: e-mails are written to an outbox table in the request's transaction and
delivered afterwards (SMTP, or the console in development), with retries.

Because the message is only a row until the decision commits, a mail server that is down
never loses a decision, and a rolled-back decision never sends a mail.
"""

import smtplib
import sys
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app, render_template
from flask_babel import force_locale, gettext
from sqlalchemy import select

from .extensions import db
from .models import OutboxMessage, User, utcnow


def _subjects() -> dict[str, str]:
    return {
        "password_reset": gettext("Set a new password for Inburgergids"),
        "invitation": gettext("Your account at Inburgergids"),
        "introduction": gettext("Meet your buddy"),
        "introduction_volunteer": gettext("Meet the newcomer you will guide"),
        "meeting_reminder": gettext("How are the meetings going?"),
        "checkin_due": gettext("Check-ins are due"),
        "vog_renewal": gettext("A certificate of conduct (VOG) needs renewal"),
        "welcome_volunteer": gettext("Thank you for signing up as a volunteer"),
        "welcome_participant": gettext("You are on the waiting list"),
    }


def queue_email(user: User, kind: str, **context) -> OutboxMessage | None:
    """Write an e-mail for ``user`` in their own language to the outbox (not sent yet)."""
    if not user.email:
        return None
    with force_locale(user.locale or "nl"):
        subject = _subjects()[kind]
        body = render_template(f"email/{kind}.txt", user=user, **context)
    message = OutboxMessage(
        organisation_id=user.organisation_id, user_id=user.id, kind=kind,
        recipient=user.email, locale=user.locale or "nl", subject=subject, body=body,
    )
    db.session.add(message)
    return message


def build_message(item: OutboxMessage, sender: str) -> EmailMessage:
    """Build the MIME message; ``EmailMessage`` refuses CR/LF in headers (no injection)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = formataddr(("", item.recipient))
    message["Subject"] = item.subject.replace("\r", " ").replace("\n", " ")
    message["Message-ID"] = make_msgid(domain="inburgergids.local")
    message["Content-Language"] = item.locale
    message.set_content(item.body)
    return message


def deliver_pending(limit: int = 100) -> dict[str, int]:
    """Send due outbox messages; back off exponentially on failure. Commits per message."""
    config = current_app.config
    now = utcnow()
    due = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.state == "pending", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id).limit(limit)
    ).all()
    counts = {"sent": 0, "failed": 0, "retry": 0}
    for item in due:
        try:
            _send(build_message(item, config["MAIL_FROM"]))
        except (OSError, smtplib.SMTPException, ValueError) as error:
            item.attempts += 1
            item.last_error = f"{type(error).__name__}: {error}"[:300]
            if item.attempts >= config["MAIL_MAX_ATTEMPTS"]:
                item.state = "failed"
                counts["failed"] += 1
            else:
                item.next_attempt_at = utcnow() + timedelta(minutes=2 ** item.attempts)
                counts["retry"] += 1
        else:
            item.state, item.sent_at = "sent", utcnow()
            item.attempts += 1
            counts["sent"] += 1
        db.session.commit()
    return counts


def _send(message: EmailMessage) -> None:
    config = current_app.config
    if config["MAIL_BACKEND"] == "console":
        print(message.as_string(), file=sys.stderr)
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)
