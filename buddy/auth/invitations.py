"""Invitation links: an account made by staff gets a single-use link to choose a password."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext
from sqlalchemy import update

from .. import clock
from ..auth.services import create_token
from ..errors import ActionRefused
from ..extensions import db
from ..models import Token, User
from ..notifications import queue_email


@dataclass(frozen=True)
class Invitation:
    link: str
    emailed: bool  # False: show the link once so staff can pass it on (SMS, WhatsApp)


def revoke_open_invitations(user: User) -> int:
    """Make earlier, unused invitation links of ``user`` useless; return how many."""
    return db.session.execute(
        update(Token).where(Token.user_id == user.id, Token.purpose == "invite",
                            Token.used_at.is_(None)).values(used_at=clock.now())).rowcount


def invite_user(user: User, name: str, days: int, link_for: Callable[[str], str],
                send_email: bool = True) -> Invitation:
    """Create a fresh invitation link for ``user`` (earlier ones stop working).

    With ``send_email`` and an e-mail address on file, the link is e-mailed in the user's
    language; otherwise it is only returned, to be shown once. ``link_for`` turns the
    secret token into the absolute URL of ``auth.invite``.
    """
    if not user.active:
        raise ActionRefused(gettext("This account is disabled. Enable it first."))
    if user.password_hash:
        raise ActionRefused(gettext("This person already has a login."))
    if not (user.email or user.phone):
        raise ActionRefused(gettext(
            "Add an e-mail address or phone number first: they need one of them to log in."))
    revoke_open_invitations(user)
    token = create_token(user, "invite", timedelta(days=days))
    link = link_for(token)
    message = None
    if send_email and user.email:
        message = queue_email(user, "invitation", name=name, link=link, days=days)
    db.session.flush()
    return Invitation(link=link, emailed=message is not None)
