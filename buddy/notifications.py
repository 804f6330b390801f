"""Notifications: e-mails are written to an outbox table in the request's transaction and
delivered afterwards (SMTP, or the console in development), with retries.

Because the message is only a row until the decision commits, a mail server that is down
never loses a decision, and a rolled-back decision never sends a mail.
"""

import json
import smtplib
import sys
import unicodedata
import urllib.request
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app, render_template
from flask_babel import force_locale, gettext
from sqlalchemy import select

from . import clock
from .extensions import db
from .i18n import DEFAULT_LOCALE
from .models import OutboxMessage, User
from .security import mask_tokens


def _subject(kind: str, context: dict) -> str:
    """Return the translated subject of ``kind`` (call inside ``force_locale``)."""
    other = context.get("other")
    other_name = getattr(other, "first_name", "") or ""
    subjects = {
        "password_reset": lambda: gettext("Set a new password for Inburgergids"),
        "password_changed": lambda: gettext("Your password was changed"),
        "contact_changed": lambda: gettext("Your login details were changed"),
        "verify_email": lambda: gettext("Confirm your e-mail address for Inburgergids"),
        "contact_attempt": lambda: gettext("Someone tried to use your address"),
        "invitation": lambda: gettext("Your account at Inburgergids"),
        # Translators: e-mail subject to a participant; name is the volunteer's first name
        "introduction": lambda: gettext("Meet your buddy %(name)s", name=other_name),
        # Translators: e-mail subject to a volunteer; name is the participant's first name
        "introduction_volunteer": lambda: gettext("Meet %(name)s, the newcomer you will guide",
                                                  name=other_name),
        "meeting_reminder": lambda: gettext("How are the meetings going?"),
        "checkin_due": lambda: gettext("Check-ins are due"),
        "vog_renewal": lambda: gettext("A certificate of conduct (VOG) needs renewal"),
        "welcome_volunteer": lambda: gettext("Thank you for signing up as a volunteer"),
        "welcome_participant": lambda: gettext("You are on the waiting list"),
    }
    return one_line(subjects[kind]())[:200]


def absolute_url(endpoint: str, **values) -> str:
    """Return the public address of ``endpoint``: ``BASE_URL`` plus the route's path.

    Every link in an e-mail or printed by a command is built here, never from the request, so
    a forged ``Host`` header cannot put another site's address in a reset link. Works with or
    without a request context."""
    adapter = current_app.url_map.bind("localhost", script_name="/")
    path = adapter.build(endpoint, {k: v for k, v in values.items() if v is not None})
    return current_app.config["BASE_URL"].rstrip("/") + path


def one_line(text: str) -> str:
    """Return ``text`` without line breaks or other control characters (safe in a header)."""
    return " ".join("".join(" " if unicodedata.category(ch)[0] == "C" else ch
                            for ch in text).split())


# Account security mails do not rest on consent: they go out even after a withdrawal.
SECURITY_KINDS = frozenset({"password_reset", "invitation", "signup_attempt",
                            "password_changed", "contact_changed", "verify_email",
                            "verify_phone", "contact_attempt"})
# Messages whose whole text is a secret (a code): blanked in the outbox once sent.
SECRET_BODY_KINDS = frozenset({"verify_phone"})


def queue_email(user: User, kind: str, recipient: str | None = None,
                **context) -> OutboxMessage | None:
    """Write an e-mail for ``user`` in their own language to the outbox (not sent yet).

    ``recipient`` overrides the address (a notice to the old address after a change).
    Nothing is queued for someone without an e-mail address, or for someone who withdrew
    their consent (except account security mails).
    """
    from .privacy.services import may_notify

    recipient = recipient or user.email
    if not recipient or (kind not in SECURITY_KINDS and not may_notify(user)):
        return None
    with force_locale(user.locale or DEFAULT_LOCALE):
        subject = _subject(kind, context)
        body = render_template(f"email/{kind}.txt", user=user, **context)
    message = OutboxMessage(
        organisation_id=user.organisation_id, user_id=user.id, kind=kind,
        recipient=recipient, locale=user.locale or DEFAULT_LOCALE, subject=subject, body=body,
    )
    db.session.add(message)
    return message


def queue_sms(user: User, kind: str, phone: str, **context) -> OutboxMessage | None:
    """Write a text message to ``phone`` in ``user``'s language to the outbox (not sent yet).

    Only account security texts exist (codes and notices), so consent does not apply. With
    ``SMS_BACKEND=off`` nothing is queued (the coordinator confirms phone numbers instead).
    """
    if current_app.config["SMS_BACKEND"] == "off":
        return None
    with force_locale(user.locale or DEFAULT_LOCALE):
        body = one_line(render_template(f"sms/{kind}.txt", user=user, **context))[:480]
    message = OutboxMessage(
        organisation_id=user.organisation_id, user_id=user.id, kind=kind, channel="sms",
        recipient=phone, locale=user.locale or DEFAULT_LOCALE, subject="", body=body,
    )
    db.session.add(message)
    return message


def build_message(item: OutboxMessage, sender: str) -> EmailMessage:
    """Build the MIME message; ``EmailMessage`` refuses CR/LF in headers (no injection)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = formataddr(("", item.recipient))
    message["Subject"] = one_line(item.subject)
    message["Message-ID"] = make_msgid(domain="inburgergids.local")
    message.set_content(item.body)
    message["Content-Language"] = item.locale  # after set_content, which clears Content-*
    return message


def deliver_pending(limit: int = 100) -> dict[str, int]:
    """Send due outbox messages; back off exponentially on failure. Commits per message.

    Each message is claimed with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL), so two senders
    running at once never send the same message twice.
    """
    counts = {"sent": 0, "failed": 0, "retry": 0}
    for _ in range(limit):
        item = _claim_next()
        if item is None:
            break
        counts[_deliver(item)] += 1
        db.session.commit()
    return counts


def _claim_next() -> OutboxMessage | None:
    return db.session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.state == "pending", OutboxMessage.next_attempt_at <= clock.now())
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(1)
        .with_for_update(skip_locked=True))


def _deliver(item: OutboxMessage) -> str:
    """Try to send one message; update its state; return sent, retry or failed."""
    config = current_app.config
    item.attempts += 1
    try:
        if item.channel == "sms":
            send_sms(item.recipient, item.body)
        else:
            _send(build_message(item, config["MAIL_FROM"]))
    except (OSError, smtplib.SMTPException, ValueError) as error:
        item.last_error = f"{type(error).__name__}: {error}"[:300]
        if item.attempts >= config["MAIL_MAX_ATTEMPTS"]:
            item.state = "failed"
            item.body = _stored_copy(item)
            return "failed"
        item.next_attempt_at = clock.now() + timedelta(minutes=2 ** item.attempts)
        return "retry"
    item.state, item.sent_at, item.last_error = "sent", clock.now(), ""
    item.body = _stored_copy(item)  # the stored copy keeps no working link or code
    return "sent"


def _stored_copy(item: OutboxMessage) -> str:
    return "" if item.kind in SECRET_BODY_KINDS else mask_tokens(item.body)


def _send(message: EmailMessage) -> None:
    config = current_app.config
    if config["MAIL_BACKEND"] == "console":
        print(message.as_string(), file=sys.stderr)
        return
    connect = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with connect(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def send_sms(phone: str, text: str) -> None:
    """Send one text message through the configured gateway (``SMS_BACKEND``).

    ``console`` prints it (development only; production refuses it), ``http`` posts JSON
    ``{"to", "text"}`` to ``SMS_GATEWAY_URL`` with a bearer token, ``off`` sends nothing
    (phone numbers are then confirmed by the coordinator) and raises so the message fails.
    """
    config = current_app.config
    backend = config["SMS_BACKEND"]
    if backend == "console":
        print(f"SMS to {phone}: {text}", file=sys.stderr)
        return
    if backend == "off":
        raise ValueError("SMS_BACKEND is off")
    request = urllib.request.Request(  # noqa: S310 - the URL is the configured gateway
        config["SMS_GATEWAY_URL"], method="POST",
        data=json.dumps({"to": phone, "text": text}).encode(),
        headers={"Content-Type": "application/json",
                 "Authorization": f"Bearer {config['SMS_GATEWAY_TOKEN'] or ''}"})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        if response.status >= 300:
            raise OSError(f"SMS gateway answered {response.status}")
