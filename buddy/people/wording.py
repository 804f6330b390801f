"""Translated names for codes shown on the coordinator's people pages (lazy, import-safe)."""

from flask_babel import lazy_gettext as _l

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
    "volunteer.approved": _l("Approved"),
    "volunteer.rejected": _l("Rejected"),
    "volunteer.vog_expired": _l("VOG expired"),
}
