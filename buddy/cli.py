"""Flask commands: database, catalogs, demo data, accounts, mail, maintenance."""

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from . import clock, migrate
from .extensions import db

db_cli = AppGroup("db", help="Database schema (Alembic revisions in migrations/).")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Upgrade the database schema (default: to the newest revision)."""
    migrate.upgrade(db.engine, revision)
    click.echo(f"Database upgraded to {revision}.")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Downgrade the database schema to REVISION (e.g. -1 or base)."""
    migrate.downgrade(db.engine, revision)
    click.echo(f"Database downgraded to {revision}.")


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """Write a new revision from the difference between models and database."""
    from alembic import command

    command.revision(migrate.alembic_config(db.engine), message=message, autogenerate=True)


@db_cli.command("current")
def db_current() -> None:
    """Show the current revision."""
    from alembic import command

    command.current(migrate.alembic_config(db.engine))


@click.command("seed-demo")
@with_appcontext
@click.option("--seed", default=7, show_default=True, help="Random seed (same seed, same data).")
@click.option("--city", default="utrecht", type=click.Choice(["utrecht"]), show_default=True)
def seed_demo(seed: int, city: str) -> None:
    """Create a demo organisation with volunteers, participants, a coordinator and an admin."""
    from .demo import create_demo, demo_logins

    logins = demo_logins()
    if logins:
        click.echo("Demo data is already there. Logins:")
    else:
        logins = create_demo(seed=seed)
        db.session.commit()
        click.echo("Demo data created. Logins:")
    for role, login, password, totp in logins:
        extra = f"  TOTP key: {totp}" if totp else ""
        click.echo(f"  {role:<12} {login:<36} {password}{extra}")
    click.echo("Coordinators and admins need a second-factor code: "
               "run  flask totp-code EMAIL  for the current one.")


@click.command("create-admin")
@with_appcontext
@click.option("--email", prompt=True)
@click.option("--hours", default=24, show_default=True, help="How long the link works.")
def create_admin(email: str, hours: int) -> None:
    """Create an administrator and print a one-time link to choose a password."""
    from datetime import timedelta

    from .admin.services import create_admin_user
    from .auth.services import create_token
    from .notifications import absolute_url

    try:
        user = create_admin_user(email)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    token = create_token(user, "invite", timedelta(hours=hours))
    db.session.commit()
    link = absolute_url("auth.invite", token=token)
    click.echo(f"Administrator {user.email} created. Open this link within {hours} hours to "
               f"choose a password (it works once):\n  {link}\n"
               "The second factor is set up at the first login.")


@click.command("totp-code")
@with_appcontext
@click.argument("email")
def totp_code(email: str) -> None:
    """Print the current second-factor code of a demo account (development only)."""
    import pyotp
    from sqlalchemy import select

    from .models import User

    if current_app.config["BUDDY_ENV"] == "production":
        raise click.ClickException("Not available in production.")
    user = db.session.scalar(select(User).where(User.email == email.lower()))
    if user is None or not user.totp_secret:
        raise click.ClickException("No such account with a second factor.")
    click.echo(pyotp.TOTP(user.totp_secret).now())


@click.command("send-mail")
@with_appcontext
def send_mail() -> None:
    """Deliver pending e-mails from the outbox (run every minute from cron or a timer)."""
    from .notifications import deliver_pending

    counts = deliver_pending()
    click.echo(f"sent={counts['sent']} retry={counts['retry']} failed={counts['failed']}")


@click.command("backup")
@with_appcontext
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(target: Path) -> None:
    """Write a consistent backup of the database to TARGET."""
    from .maintenance import BackupError, backup

    try:
        backup(current_app.config["DATABASE_URL"], target)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backup written to {target}.")


@click.command("restore")
@with_appcontext
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask; the current data is replaced.")
def restore_command(source: Path, yes: bool) -> None:
    """Replace the database with the backup in SOURCE, then check its integrity."""
    from .maintenance import BackupError, integrity_report, restore

    if not yes:
        click.confirm("This replaces all data in the configured database. Continue?", abort=True)
    db.session.remove()
    db.engine.dispose()
    try:
        restore(source, current_app.config["DATABASE_URL"])
        report = integrity_report(db.engine)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    total = sum(t["rows"] for t in report.values())
    click.echo(f"Restored {total} rows in {len(report)} tables; integrity check passed.")


@click.command("purge-expired")
@with_appcontext
def purge_expired_command() -> None:
    """Delete or anonymise data past its retention period (run daily)."""
    from .maintenance import purge_expired, retention_days

    counts = purge_expired(clock.now(), retention_days(current_app.config))
    db.session.commit()
    click.echo(" ".join(f"{k}={v}" for k, v in counts.items()))


def register_cli(app: Flask) -> None:
    """Add the commands to ``flask``."""
    from .catalogs import catalogs_cli
    from .lifecycle.commands import COMMANDS

    app.cli.add_command(db_cli)
    app.cli.add_command(catalogs_cli)
    for command in COMMANDS:
        app.cli.add_command(command)
    for command in (seed_demo, create_admin, totp_code, send_mail, backup_command,
                    restore_command, purge_expired_command):
        app.cli.add_command(command)
