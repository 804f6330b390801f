"""Alembic wiring: the schema comes only from the revisions in ``migrations/``."""

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from .data import MIGRATIONS as MIGRATIONS_DIR


def alembic_config(engine: Engine) -> Config:
    """Return an Alembic config that runs on ``engine``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("file_template",
                           "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database to ``revision``."""
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Downgrade the database to ``revision``."""
    command.downgrade(alembic_config(engine), revision)
