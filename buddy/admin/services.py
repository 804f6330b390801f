"""Administration: organisations and their coordinators."""

from sqlalchemy import select

from ..auth.services import hash_password, is_common_password, normalise_email
from ..extensions import db
from ..models import Organisation, User


def create_admin_user(email: str, password: str) -> User:
    """Create an administrator; refuse a weak password or a taken address."""
    email = normalise_email(email)
    if "@" not in email:
        raise ValueError("Please give a valid e-mail address.")
    if len(password) < 12 or is_common_password(password):
        raise ValueError("Use a password of at least 12 characters that is not a common one.")
    if db.session.scalar(select(User).where(User.email == email)):
        raise ValueError("This e-mail address is already in use.")
    user = User(role="admin", email=email, password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    return user


def create_coordinator(organisation: Organisation, email: str, password: str | None,
                       locale: str = "nl") -> User:
    """Create a coordinator of ``organisation`` (without a password: invite them)."""
    email = normalise_email(email)
    if db.session.scalar(select(User).where(User.email == email)):
        raise ValueError("This e-mail address is already in use.")
    user = User(role="coordinator", email=email, organisation_id=organisation.id, locale=locale,
                password_hash=hash_password(password) if password else None)
    db.session.add(user)
    db.session.flush()
    return user
