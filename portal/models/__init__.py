"""All models; importing this package registers every table with the metadata."""
from portal.models.audit import AuditLog
from portal.models.organisation import Organisation, organisation_pathways, organisation_profiles
from portal.models.region import Municipality, MunicipalityRegion, Region
from portal.models.route import LearningRoute, RouteParty, route_pathways, route_profiles
from portal.models.setting import Setting
from portal.models.user import User
from portal.models.vocab import MboDomain, MboLevel, Pathway, Profile, RouteKind

__all__ = [
    "AuditLog", "LearningRoute", "MboDomain", "MboLevel", "Municipality", "MunicipalityRegion",
    "Organisation", "Pathway", "Profile", "Region", "RouteKind", "RouteParty", "Setting", "User",
    "organisation_pathways", "organisation_profiles", "route_pathways", "route_profiles",
]
from portal.models.throttle import LoginFailure  # noqa: E402,F401
from portal.models.practice import GoodPractice, PracticeAttachment, PracticeTag, PracticeTheme  # noqa: E402,F401
from portal.models.agreement import (  # noqa: E402,F401
    Agreement, AgreementParty, AgreementVersion, FundingShare, FundingTotal, TransferGuarantee, agreement_routes,
)
from portal.models.submission import FormSubmission  # noqa: E402,F401
