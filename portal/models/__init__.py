"""All models; importing this package registers every table with the metadata
(and the full-text index objects and the agreement checks with models.extras). One aggregate per file;
callers import the classes from here or from their module."""
from portal.models import (
    agreement_checks,  # noqa: F401  (registers the funding-sum trigger)
    search_index,  # noqa: F401  (registers the full-text objects)
)
from portal.models.agreement import (
    Agreement,
    AgreementParty,
    AgreementVersion,
    FundingShare,
    FundingTotal,
    TransferGuarantee,
    agreement_routes,
)
from portal.models.audit import AuditLog
from portal.models.data_version import DataVersionChange, DataVersionSlot
from portal.models.import_run import ImportRun
from portal.models.mbo_location import MboLocation
from portal.models.monitoring import MonitorSnapshot, Target
from portal.models.notification import Notification, NotificationPreference
from portal.models.offer import (
    OfferBasis,
    OfferExamFigure,
    OfferPathwayYear,
    OfferProfileFigure,
    OfferStatement,
    statement_pathways,
    statement_profiles,
)
from portal.models.organisation import (
    Organisation,
    organisation_pathways,
    organisation_profiles,
)
from portal.models.organisation_merge import OrganisationMerge
from portal.models.outcome import RouteOutcome, RouteOutcomeLeavers
from portal.models.plan import (
    PlanAction,
    PlanAttachment,
    PlanBudgetLine,
    PlanRegion,
    PlanRegionMember,
    PlanRound,
    PlanVersion,
    RegionalPlan,
)
from portal.models.plan_assessment import AssessmentCriterion, PlanAssessor, PlanProgressReport, PlanScore
from portal.models.practice import (
    GoodPractice,
    PracticeAttachment,
    PracticeTag,
    PracticeTheme,
)
from portal.models.region import Municipality, MunicipalityRegion, Province, Region
from portal.models.route import (
    LearningRoute,
    RouteParty,
    route_pathways,
    route_profiles,
)
from portal.models.setting import Setting
from portal.models.submission import FormSubmission
from portal.models.throttle import LoginFailure
from portal.models.user import User
from portal.models.vocab import MboDomain, MboLevel, Pathway, Profile, RouteKind

__all__ = [
    "Agreement", "AgreementParty", "AgreementVersion", "AssessmentCriterion", "AuditLog", "DataVersionChange", "DataVersionSlot",
    "FormSubmission", "FundingShare", "FundingTotal", "GoodPractice", "ImportRun", "LearningRoute", "LoginFailure",
    "MboDomain", "MboLevel",
    "MboLocation", "MonitorSnapshot", "Municipality", "MunicipalityRegion", "Notification",
    "NotificationPreference", "OfferBasis", "OfferExamFigure", "OfferPathwayYear", "OfferProfileFigure", "OfferStatement",
    "Organisation", "OrganisationMerge", "Pathway", "PlanAction", "PlanAssessor", "PlanAttachment",
    "PlanBudgetLine", "PlanProgressReport", "PlanRegion", "PlanRegionMember", "PlanRound", "PlanScore",
    "PlanVersion", "PracticeAttachment", "PracticeTag", "PracticeTheme", "Profile", "Province", "Region",
    "RegionalPlan", "RouteKind", "RouteOutcome", "RouteOutcomeLeavers", "RouteParty", "Setting", "Target", "TransferGuarantee", "User",
    "agreement_routes", "organisation_pathways", "organisation_profiles", "route_pathways", "route_profiles",
    "statement_pathways", "statement_profiles",
]
