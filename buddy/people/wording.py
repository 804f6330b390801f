"""Translated names for codes shown on the coordinator's people pages (lazy, import-safe)."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from ..i18n import language_name

CONSENT_PURPOSES = {
    "privacy": _l("Keeping their data to find and support a buddy"),
    "code_of_conduct": _l("Code of conduct"),
    "vog_check": _l("Checking the certificate of conduct (VOG)"),
    "share_contact": _l("Sharing contact details with the buddy"),
}

# Audit actions, as a coordinator reads them in a history list.
ACTIONS = {
    "volunteer.intake_recorded": _l("Intake talk recorded"),
    "volunteer.vog_recorded": _l("VOG recorded"),
    "volunteer.training_recorded": _l("Training recorded"),
    "volunteer.approved": lazy_pgettext("volunteer screening", "Approved"),
    "volunteer.rejected": lazy_pgettext("volunteer screening", "Rejected"),
    "volunteer.vog_expired": _l("VOG expired"),
}

# Spoken languages that Babel has no name for in every locale.
MISSING_LANGUAGE_NAMES = {"prs": _l("Dari")}


def spoken_language_name(code: str) -> str:
    """Return the name of spoken language ``code`` in the reader's language."""
    name = language_name(code)
    if name == code and code in MISSING_LANGUAGE_NAMES:
        return str(MISSING_LANGUAGE_NAMES[code])
    return name
