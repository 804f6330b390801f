"""Flask commands: database, demo data, accounts, mail, maintenance."""

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from . import migrate
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
@click.option("--email", prompt=True)
@click.password_option()
def create_admin(email: str, password: str) -> None:
    """Create an administrator account."""
    from .admin.services import create_admin_user

    try:
        create_admin_user(email, password)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Administrator {email} created. The second factor is set up at first login.")


@click.command("totp-code")
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
def send_mail() -> None:
    """Deliver pending e-mails from the outbox (run every minute from cron or a timer)."""
    from .notifications import deliver_pending

    counts = deliver_pending()
    click.echo(f"sent={counts['sent']} retry={counts['retry']} failed={counts['failed']}")


def register_cli(app: Flask) -> None:
    """Add the commands to ``flask``."""
    app.cli.add_command(db_cli)
    for command in (seed_demo, create_admin, totp_code, send_mail):
        app.cli.add_command(command)
