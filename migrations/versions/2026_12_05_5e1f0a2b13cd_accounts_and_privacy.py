"""accounts and privacy: encrypted TOTP secrets, per-account login throttles, sharing
only with consent, contact claims (proof before an address counts), text messages in the
outbox

Revision ID: 5e1f0a2b13cd
Revises: a1c2d3e4f511
Create Date: 2026-12-05 18:40:00

TOTP secrets move to ``users.totp_secret_encrypted``, encrypted with the app's key
(``TOTP_ENCRYPTION_KEY``, or derived from ``SECRET_KEY`` outside production). Run the
upgrade through the app (``flask --app buddy db upgrade``) so the key is loaded.
"""

import sqlalchemy as sa
from alembic import op

import buddy.models.base

revision = "5e1f0a2b13cd"
down_revision = "a1c2d3e4f511"
branch_labels = None
depends_on = None


def _box():
    from buddy.extensions import secret_box

    if not secret_box.ready:
        raise RuntimeError("TOTP secrets need the encryption key: run this migration through "
                           "the app (flask --app buddy db upgrade) with TOTP_ENCRYPTION_KEY set")
    return secret_box


def upgrade() -> None:
    op.create_table(
        "login_throttles",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", buddy.models.base.UTCDateTime(), nullable=True),
        sa.Column("last_failure_at", buddy.models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttles")),
    )
    with op.batch_alter_table("login_throttles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_throttles_last_failure_at"),
                              ["last_failure_at"], unique=False)
    op.create_table(
        "contact_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("value", sa.String(length=254), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", buddy.models.base.UTCDateTime(), nullable=False),
        sa.Column("expires_at", buddy.models.base.UTCDateTime(), nullable=False),
        sa.Column("confirmed_at", buddy.models.base.UTCDateTime(), nullable=True),
        sa.CheckConstraint("kind IN ('email', 'phone')",
                           name=op.f("ck_contact_claims_kind_valid")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_contact_claims_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_claims")),
    )
    with op.batch_alter_table("contact_claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_claims_secret_hash"), ["secret_hash"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_contact_claims_user_id"), ["user_id"],
                              unique=False)
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(length=5), nullable=False,
                                      server_default="email"))
        batch_op.create_check_constraint("channel_valid", "channel IN ('email', 'sms')")
    op.add_column("users", sa.Column("totp_secret_encrypted", sa.String(length=255),
                                     nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL")).all()
    for user_id, secret in rows:
        conn.execute(sa.text("UPDATE users SET totp_secret_encrypted = :value WHERE id = :id"),
                     {"value": _box().encrypt(secret), "id": user_id})
    op.drop_column("users", "totp_secret")
    # Contact details are shared only with a live "share_contact" consent behind the choice.
    for table in ("volunteer_profiles", "participant_profiles"):
        conn.execute(sa.text(
            f"UPDATE {table} SET share_email = false, share_phone = false "  # noqa: S608
            "WHERE NOT EXISTS (SELECT 1 FROM consent_records c WHERE c.user_id = "
            f"{table}.user_id AND c.purpose = 'share_contact' AND c.withdrawn_at IS NULL)"))


def downgrade() -> None:
    op.add_column("users", sa.Column("totp_secret", sa.String(length=64), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, totp_secret_encrypted FROM users "
                                "WHERE totp_secret_encrypted IS NOT NULL")).all()
    for user_id, token in rows:
        conn.execute(sa.text("UPDATE users SET totp_secret = :value WHERE id = :id"),
                     {"value": _box().decrypt(token), "id": user_id})
    op.drop_column("users", "totp_secret_encrypted")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint("channel_valid", type_="check")
        batch_op.drop_column("channel")
    with op.batch_alter_table("contact_claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_claims_user_id"))
        batch_op.drop_index(batch_op.f("ix_contact_claims_secret_hash"))
    op.drop_table("contact_claims")
    with op.batch_alter_table("login_throttles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_throttles_last_failure_at"))
    op.drop_table("login_throttles")
