"""The one table of translated labels: every code the app stores, named for people.

Lazy, so usable at import; templates reach it as ``labels`` (for example
``labels.MATCH_STATES[match.status]``). Keys come from ``buddy.vocab``.
"""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from .i18n import language_name

DAYS = {
    "mon": _l("Monday"), "tue": _l("Tuesday"), "wed": _l("Wednesday"), "thu": _l("Thursday"),
    "fri": _l("Friday"), "sat": _l("Saturday"), "sun": _l("Sunday"),
}
DAYS_SHORT = {
    # Translators: short weekday names for a small table header
    "mon": _l("Mon"), "tue": _l("Tue"), "wed": _l("Wed"), "thu": _l("Thu"),
    "fri": _l("Fri"), "sat": _l("Sat"), "sun": _l("Sun"),
}
PARTS = {"morning": _l("Morning"), "afternoon": _l("Afternoon"), "evening": _l("Evening")}
INTERESTS = {
    "cooking": _l("Cooking"), "sport": _l("Sport"), "nature": _l("Nature and walking"),
    "music": _l("Music"), "reading": _l("Reading"), "crafts": _l("Crafts"),
    "gardening": _l("Gardening"), "games": _l("Games"), "technology": _l("Technology"),
    "art": _l("Art"), "film": _l("Film"),
    # Translators: an interest or hobby: history as a subject (the past, museums, old places)
    "history": lazy_pgettext("interest", "History"),
}
# What a participant wants to reach.
GOALS = {
    "language": _l("Practise Dutch"),
    # Translators: a participant's goal: to find or do paid work
    "work": lazy_pgettext("participant goal", "Work"),
    # Translators: a participant's goal: to study (a course, school, university)
    "study": lazy_pgettext("participant goal", "Study"),
    "business": _l("Own business"), "parenting_school": _l("Children and school"),
    # Translators: a participant's goal: to do volunteer work themselves
    "volunteering": lazy_pgettext("participant goal", "Volunteering"),
    "social": _l("Meet people"),
}
# What a volunteer offers.
SUPPORT = {
    "language": _l("Language practice"), "work": _l("Work and job search"),
    # Translators: what a volunteer helps with: help with studying
    "study": lazy_pgettext("volunteer support", "Study"),
    "business": _l("Entrepreneurship"), "parenting_school": _l("Parenting and school"),
    # Translators: what a volunteer helps with: finding volunteer work for the participant
    "volunteering": lazy_pgettext("volunteer support", "Volunteering"),
    "social": _l("Social network"),
}
LEVELS = {"A0": "A0", "A1": "A1", "A2": "A2", "B1": "B1", "B2+": "B2+"}
# "I can ..." statements a participant picks from; each maps to a level.
LEVEL_STATEMENTS = {
    "A0": _l("I do not speak Dutch yet."),
    "A1": _l("I know some words. I can say my name and where I live."),
    "A2": _l("I can talk about simple things, like shopping or the weather."),
    "B1": _l("I can talk about most things in daily life and at work."),
    "B2+": _l("I speak Dutch well. I want to practise difficult conversations."),
}
ROUTES = {
    "unknown": _l("Not known yet"), "b1": _l("B1 route"), "education": _l("Education route"),
    "z": _l("Z route (self-reliance)"), "older_system": _l("Older system (before 2022)"),
    "not_obliged": _l("Not obliged to integrate"),
}
AGE_BANDS = ({"12-17": _l("Younger than 18")} | {k: k for k in ("18-25", "26-35", "36-50", "51-65")}
             | {"66+": _l("66 or older")})
GENDERS = {
    "f": _l("Woman"), "m": _l("Man"),
    # Translators: a gender option, next to "Woman" and "Man"
    "x": lazy_pgettext("gender", "Other"),
}
GENDER_PREFS = {"any": _l("No preference"), "f": _l("A woman"), "m": _l("A man")}
LANGUAGE_LEVELS = {
    "basic": _l("A little"),
    # Translators: how well someone speaks a language ("A little", "Well", "Mother tongue")
    "good": lazy_pgettext("language level", "Well"),
    "native": _l("Mother tongue"),
}
BARRIERS = {
    "childcare": _l("Childcare"), "health": _l("Health"), "mobility": _l("Mobility"),
    "literacy": _l("Reading and writing"), "digital": _l("Digital skills"),
    # Translators: another practical barrier (not childcare, health, mobility, reading, digital)
    "other": lazy_pgettext("barrier", "Other"),
}
SCREENING = {
    "registered": _l("Registered"), "intake_done": _l("Intake done"),
    "vog_received": _l("VOG received"),
    # Translators: screening result of a volunteer (a person): approved to become a buddy
    "approved": lazy_pgettext("volunteer screening", "Approved"),
    # Translators: screening result of a volunteer (a person): not accepted as a buddy
    "rejected": lazy_pgettext("volunteer screening", "Rejected"),
}
VOG = {
    "not_requested": _l("Not requested"), "requested": _l("Requested"),
    "received": _l("Received"), "expired": _l("Expired"),
}
MATCH_STATES = {
    "proposed": _l("Proposed"), "approved": _l("Approved"), "active": _l("Active"),
    "ended": _l("Ended"), "rejected": _l("Rejected"),
}
END_REASONS = {
    "completed": _l("Completed as planned"), "goal_reached": _l("Goal reached"),
    "stopped_by_volunteer": _l("Stopped by the volunteer"),
    "stopped_by_participant": _l("Stopped by the participant"),
    "no_click": _l("No click between them"), "moved": _l("Moved away"),
    # Translators: another reason why a match ended
    "other": lazy_pgettext("end reason", "Other"),
}
CHECKIN_OUTCOMES = {
    "going_well": _l("Going well"), "needs_attention": _l("Needs attention"),
    "at_risk": _l("At risk"),
}
PARTICIPANT_STATES = {
    "waiting": _l("On the waiting list"), "matched": _l("Matched with a buddy"),
    # Translators: a participant's state: taking a break, not matched for now
    "paused": lazy_pgettext("participant state", "Paused"),
    # Translators: a participant's state: has left the programme
    "withdrawn": lazy_pgettext("participant state", "Withdrawn"),
}
ROLES = {
    "admin": _l("Administrator"), "coordinator": _l("Coordinator"),
    "volunteer": _l("Volunteer"), "participant": _l("Participant"),
    "partner": _l("Partner contact"),
}
PARTNER_KINDS = {
    "employer": _l("Employer"), "school": _l("School"), "association": _l("Association"),
    "other": _l("Other partner"),
}
SOURCES = {"individual": _l("Individual")} | PARTNER_KINDS
COLLEAGUE_PREFS = {
    "either": _l("Colleagues or people outside my work"),
    "only": _l("Only colleagues"), "outside": _l("Only people outside my work"),
}
MEETING_MODES = {"in_person": _l("In person"), "online": _l("Online")}

# Consent purposes as the person reads them on their own pages.
CONSENT_TITLES = {
    "privacy": _l("Privacy statement"), "code_of_conduct": _l("Code of conduct"),
    "vog_check": _l("Certificate of conduct (VOG)"),
    "share_contact": _l("Sharing contact details"),
}
# Consent purposes as a coordinator reads them on a person's page.
CONSENT_PURPOSES = {
    "privacy": _l("Keeping their data to find and support a buddy"),
    "code_of_conduct": _l("Code of conduct"),
    "vog_check": _l("Checking the certificate of conduct (VOG)"),
    "share_contact": _l("Sharing contact details with the buddy"),
}
# Audit actions of screening, as a coordinator reads them in a history list.
SCREENING_ACTIONS = {
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

# Score components of the matching, as the coordinator sets their weights.
WEIGHTS = {
    "availability": _l("Shared time"),
    "proximity": _l("Living close by"),
    "interests": _l("Shared interests"),
    "goals": _l("Goal fit"),
    "language": _l("Shared language (Dutch below A2)"),
    "waiting": _l("Waiting time"),
    "priority": _l("Priority area"),
}

# The colour of each state of each state machine: the same state has the same badge on
# every page (the ``badge`` macro of ``_kit.html`` reads this table).
BADGES = {
    "match": (MATCH_STATES, {"proposed": "badge-warn", "approved": "badge-ok",
                             "active": "badge-ok", "ended": "badge-muted",
                             "rejected": "badge-danger"}),
    "screening": (SCREENING, {"registered": "badge-muted", "intake_done": "badge-warn",
                              "vog_received": "badge-warn", "approved": "badge-ok",
                              "rejected": "badge-danger"}),
    "vog": (VOG, {"not_requested": "badge-muted", "requested": "badge-warn",
                  "received": "badge-ok", "expired": "badge-danger"}),
    "participant": (PARTICIPANT_STATES, {"waiting": "badge-warn", "matched": "badge-ok",
                                         "paused": "badge-muted", "withdrawn": "badge-muted"}),
}
