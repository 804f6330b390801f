"""The domain model: one module per aggregate, all re-exported here."""

from .base import Base
from .drafts import SignupDraft
from .matching import CheckIn, LevelAssessment, Match, MatchEvent, MatchingRun, MeetingLog, PairRule
from .organisation import LocalReferral, Neighbourhood, Organisation
from .partners import Partner, PartnerPledge, SchoolConfirmation
from .profiles import ParticipantProfile, VolunteerProfile
from .records import AuditEvent, ConsentRecord, OutboxMessage
from .user import ContactClaim, LoginThrottle, Token, User, UserSession

__all__ = [
    "AuditEvent", "Base", "CheckIn", "ConsentRecord", "ContactClaim", "LevelAssessment",
    "LocalReferral", "LoginThrottle",
    "Match", "MatchEvent", "MatchingRun", "MeetingLog", "Neighbourhood", "Organisation",
    "OutboxMessage", "PairRule", "Partner", "PartnerPledge", "SchoolConfirmation",
    "ParticipantProfile", "SignupDraft", "Token", "User",
    "UserSession", "VolunteerProfile",
]
