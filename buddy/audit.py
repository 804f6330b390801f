"""The audit trail: who did what to which record, when (UTC). No personal data in it."""

from flask_login import current_user

from .extensions import db
from .models import AuditEvent

# Detail values must be ids, codes, counts or flags: never names, e-mail, phone or free text.
_ALLOWED_DETAIL_TYPES = (int, float, bool, type(None))


def record(action: str, target=None, organisation_id: int | None = None, **details) -> AuditEvent:
    """Add an audit event for ``action`` on ``target`` by the current user (flushed later).

    ``details`` take only numbers, flags and short codes (strings up to 40 characters
    without spaces), so no personal data can end up in the trail by accident.
    """
    for key, value in details.items():
        if isinstance(value, str):
            if len(value) > 40 or " " in value or "@" in value:
                raise ValueError(f"audit detail {key!r} looks like free text")
        elif not isinstance(value, _ALLOWED_DETAIL_TYPES):
            raise ValueError(f"audit detail {key!r} must be a number, flag or code")
    actor = current_user if current_user and current_user.is_authenticated else None
    if organisation_id is None:
        organisation_id = getattr(target, "organisation_id", None) or getattr(
            actor, "organisation_id", None)
    event = AuditEvent(
        organisation_id=organisation_id,
        actor_id=actor.id if actor else None,
        action=action,
        target_type=type(target).__name__ if target is not None else "",
        target_id=getattr(target, "id", None),
        details=details,
    )
    db.session.add(event)
    return event
