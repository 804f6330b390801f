"""WSGI entry point: ``gunicorn wsgi:app`` (and ``flask --app wsgi ...``).

Without ``BUDDY_ENV`` the app assumes production here, except under the ``flask`` command:
a WSGI server started without configuration refuses to start instead of serving a
development setup (see ``buddy.config.environment_when_unset``).
"""

from buddy import create_app
from buddy.config import environment_when_unset

app = create_app(unset_env=environment_when_unset())
