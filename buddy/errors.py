"""The one exception services raise when the rules refuse an action."""


class ActionRefused(Exception):
    """The rules do not allow this action now; ``str(error)`` tells the user why."""
