"""Who may do what. Checked in the route (never only in a template): an htmx
fragment URL can be requested directly."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user

from portal.domain.plans import ADVICE_PUBLISHED_STATES, EDITABLE_STATES, listed_publicly
from portal.domain.vocab import STAFF_ROLES
from portal.extensions import login_manager
from portal.models import LearningRoute, User


def role_required(*roles: str) -> Callable:
    """Anonymous -> redirect to login; logged in without the role -> 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


staff_required = role_required(*sorted(STAFF_ROLES))
admin_required = role_required("admin")


def is_staff(user: User | None) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and getattr(user, "role", None) in STAFF_ROLES)


def can_manage_users(user: User | None) -> bool:
    return is_staff(user)


def can_assign_role(user: User, role: str) -> bool:
    """Only an admin creates other admins or staff."""
    if user.role == "admin":
        return True
    return user.role == "staff" and role in ("coordinator", "reader", "assessor")


def can_create_route(user: User | None) -> bool:
    return bool(
        user is not None and getattr(user, "is_authenticated", False)
        and (is_staff(user) or (user.role == "coordinator" and user.organisation_id))
    )


def can_edit_route(user: User | None, route: LearningRoute) -> bool:
    """Staff and admin edit every route; a coordinator edits routes where their
    organisation is a party."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if is_staff(user):
        return True
    if user.role != "coordinator" or not user.organisation_id:
        return False
    return any(p.organisation_id == user.organisation_id for p in route.parties)


def can_record_outcomes(user: User | None, route: LearningRoute) -> bool:
    """A route's outcomes (pupils started, left, diplomas): the coordinators of
    its parties and staff, while the route is not archived."""
    return route.archived_at is None and can_edit_route(user, route)


def can_see_outcome_details(user: User | None, route: LearningRoute) -> bool:
    """Every figure of a route's outcomes, the waits and the promise kept or
    not: its parties' coordinators and staff (the public sees counts under 5
    as "<5")."""
    return can_edit_route(user, route)


def can_edit_rio_registration(user: User | None, route: LearningRoute, organisation_id: int) -> bool:
    """A route's registration at DUO belongs to its vmbo school: a coordinator
    of that school edits it, and staff; not the other parties."""
    if user is None or not getattr(user, "is_authenticated", False) or route.archived_at is not None:
        return False
    if not any(p.role == "vmbo" and p.organisation_id == organisation_id for p in route.parties):
        return False
    if is_staff(user):
        return True
    return user.role == "coordinator" and user.organisation_id == organisation_id


def can_see_contact_details(user: User | None) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


# --- good-practice library (/bibliotheek) -----------------------------------

def _logged_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def is_practice_author(user, practice) -> bool:
    return _logged_in(user) and practice.author_id is not None and practice.author_id == user.id


def can_view_practice(user, practice) -> bool:
    """The public sees published practices; the author and staff see the rest."""
    if practice.archived_at is not None:
        return is_staff(user)
    return practice.status == "gepubliceerd" or is_staff(user) or is_practice_author(user, practice)


def can_create_practice(user) -> bool:
    return _logged_in(user) and (is_staff(user) or (user.role == "coordinator" and bool(user.organisation_id)))


def can_edit_practice(user, practice) -> bool:
    """Staff edit any practice; a coordinator edits their own while it is a
    concept or sent back (not while it waits for moderation or is public)."""
    if practice.archived_at is not None:
        return False
    if is_staff(user):
        return True
    return (is_practice_author(user, practice) and user.role == "coordinator"
            and practice.status in ("concept", "teruggestuurd"))


def can_submit_practice(user, practice) -> bool:
    return (practice.archived_at is None and practice.status in ("concept", "teruggestuurd")
            and (is_practice_author(user, practice) or is_staff(user)))


def can_moderate_practices(user) -> bool:
    return is_staff(user)


def can_archive_practice(user, practice) -> bool:
    if practice.archived_at is not None:
        return False
    return is_staff(user) or (is_practice_author(user, practice) and practice.status != "gepubliceerd")


def can_restore_practice(user, practice) -> bool:
    """Only staff and admin bring an archived practice back (like routes)."""
    return practice.archived_at is not None and is_staff(user)


# --- leerroutes (/leerroutes) ------------------------------------------------

def can_archive_route(user, route) -> bool:
    """Whoever may edit a route may archive it (a soft delete)."""
    return route.archived_at is None and can_edit_route(user, route)


def can_restore_route(user, route) -> bool:
    """Only staff and admin bring an archived route back."""
    return route.archived_at is not None and is_staff(user)


def can_see_route_history(user, route) -> bool:
    """The history names people and shows contact details: logged-in users only."""
    return can_see_contact_details(user)


# --- samenwerkingsovereenkomsten (issue 4) ---------------------------------

def _coordinator_org(user) -> int | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if user.role != "coordinator" or not user.organisation_id:
        return None
    return user.organisation_id


def is_agreement_party(user, agreement) -> bool:
    """A coordinator whose organisation is one of the agreement's parties."""
    org = _coordinator_org(user)
    return org is not None and any(p.organisation_id == org for p in agreement.parties)


def can_create_agreement(user) -> bool:
    return _coordinator_org(user) is not None


def can_view_agreement_details(user, agreement) -> bool:
    """Clauses, finances, versions, print view and the signed document: the
    parties' coordinators and staff. Everybody else sees that it exists."""
    return is_staff(user) or is_agreement_party(user, agreement)


def can_see_agreement(user, agreement) -> bool:
    """That an agreement exists (title, parties, dates) is public once it
    leaves concept; a concept is seen only by its parties and staff (issue 20),
    like a concept route. A draft addendum of a signed agreement does not hide
    it: the public sees the version in force."""
    return (agreement.status != "concept" or agreement.in_force_revision is not None
            or can_view_agreement_details(user, agreement))


def can_edit_agreement(user, agreement) -> bool:
    """Only the parties' coordinators edit (staff read)."""
    return agreement.archived_at is None and is_agreement_party(user, agreement)


def can_restore_agreement(user, agreement) -> bool:
    """Only staff and admin bring an archived agreement back (like routes)."""
    return agreement.archived_at is not None and is_staff(user)


def can_sign_for_party(user, party) -> bool:
    """A coordinator signs for their own party only."""
    org = _coordinator_org(user)
    return org is not None and party.organisation_id == org


# --- seeing a route (where another area shows route titles) -------------------

def can_view_route(user, route) -> bool:
    """The same rule as the route register's visibility (route_filters.
    visibility_clause) for one loaded route: the public never sees concepts or
    archived routes; a coordinator also sees the concepts of their own
    organisation's routes; staff see everything."""
    if is_staff(user):
        return True
    if route.archived_at is not None:
        return False
    if route.status != "concept":
        return True
    org = _coordinator_org(user)
    return org is not None and any(p.organisation_id == org for p in route.parties)


def visible_routes(user, routes) -> list:
    """The routes of a list this user may see (titles of concepts stay hidden)."""
    return [r for r in routes if can_view_route(user, r)]


def can_state_offer(user, organisation) -> bool:
    """A vmbo school's own coordinators confirm or correct its offer; staff may too."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if is_staff(user):
        return True
    return user.role == "coordinator" and user.organisation_id == organisation.id


def can_manage_mbo_institutions(user) -> bool:
    """Staff mark which mbo institutions are funded (bekostigd)."""
    return is_staff(user)


# --- organisations (issue 15) ---------------------------------------------------

def can_add_organisation(user) -> bool:
    """Adding an employer or other partner: whoever registers routes or
    agreements (a coordinator of an organisation, staff, admin)."""
    return can_create_route(user)


def can_merge_organisations(user) -> bool:
    return is_staff(user)


def can_review_imports(user) -> bool:
    """The import runs and their errors (which name rows of a coordinator's file): staff only."""
    return is_staff(user)
    return is_staff(user)


# --- regioplannen (issue 19) --------------------------------------------------

def is_plan_party(user, region) -> bool:
    """A coordinator whose organisation is one of the plan region's parties."""
    org = _coordinator_org(user)
    return org is not None and org in region.member_ids()


def is_plan_lead(user, region) -> bool:
    """The coordinator of the penvoerder: the one who edits and submits the plan."""
    org = _coordinator_org(user)
    return org is not None and org == region.lead_organisation_id


def can_create_plan_region(user) -> bool:
    """A coordinator of a school or mbo institution (it becomes the penvoerder), or staff."""
    return is_staff(user) or _coordinator_org(user) is not None


def is_independent_assessor(user, plan, assigned_ids) -> bool:
    """An assessor assigned to the plan who is no party of it: an assessor
    whose organisation takes part in the plan region is refused."""
    return (_logged_in(user) and user.role == "assessor" and user.id in assigned_ids
            and (user.organisation_id is None or user.organisation_id not in plan.region.member_ids()))


def can_view_plan(user, plan, assigned_ids=frozenset()) -> bool:
    """The plan's content: its parties, staff and its independent assessors."""
    return is_staff(user) or is_plan_party(user, plan.region) or is_independent_assessor(user, plan, assigned_ids)


def can_list_plan(user, plan) -> bool:
    """The plan's name and state where it is listed (an arbeidsmarktregio's
    page): everyone once it was submitted; before that its parties and staff."""
    return (listed_publicly(plan.state, plan.submitted_at is not None) or is_staff(user)
            or is_plan_party(user, plan.region))


def can_edit_plan(user, plan) -> bool:
    return is_plan_lead(user, plan.region) and plan.state in EDITABLE_STATES


def can_see_plan_scores(user, plan, assigned_ids=frozenset()) -> bool:
    """Scores and the advice: staff and the independent assessors always; the
    region's parties only once the advice is published."""
    if is_staff(user) or is_independent_assessor(user, plan, assigned_ids):
        return True
    return is_plan_party(user, plan.region) and plan.state in ADVICE_PUBLISHED_STATES
