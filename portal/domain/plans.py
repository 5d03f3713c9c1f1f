"""Regioplannen: the states of a plan and who moves it between them, the
co-financing rule (the bedrijfsleven's contribution, in money or in kind, is at
least 10.00 % of the plan's total) and what a plan needs before it can be
submitted. Pure Python, Decimal arithmetic, Dutch messages."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal

from portal.domain.funding import format_decimal

# --- states -------------------------------------------------------------------

CONCEPT = "concept"
SUBMITTED = "ingediend"
IN_REVIEW = "in_beoordeling"
POSITIVE = "positief_advies"
NOT_READY = "nog_niet_voldragen"
WITHDRAWN = "ingetrokken"
APPROVED = "goedgekeurd"
RUNNING = "in_uitvoering"

STATES: tuple[str, ...] = (CONCEPT, SUBMITTED, IN_REVIEW, POSITIVE, NOT_READY, WITHDRAWN, APPROVED, RUNNING)
STATE_NAMES: dict[str, str] = {
    CONCEPT: "Concept",
    SUBMITTED: "Ingediend",
    IN_REVIEW: "In beoordeling",
    POSITIVE: "Positief advies",
    NOT_READY: "Nog niet voldragen",
    WITHDRAWN: "Ingetrokken",
    APPROVED: "Goedgekeurd",
    RUNNING: "In uitvoering",
}
# States in which the penvoerder may still change the plan's content.
EDITABLE_STATES = frozenset({CONCEPT, NOT_READY})
# States in which the advice (scores, advice text, flags) is published to the region.
ADVICE_PUBLISHED_STATES = frozenset({POSITIVE, NOT_READY, APPROVED, RUNNING})



def listed_publicly(state: str, ever_submitted: bool) -> bool:
    """Whether anyone may see that a plan exists, by name and state (the
    arbeidsmarktregio pages): once it has been submitted. A concept, and a
    concept withdrawn before it was ever submitted, only its parties and staff see."""
    return state != CONCEPT and (state != WITHDRAWN or ever_submitted)


# Who acts: the penvoerder of the plan region, the assigned assessor, staff.
LEAD, ASSESSOR, STAFF = "penvoerder", "beoordelaar", "staf"

# (from, to) -> who may make the move
TRANSITIONS: dict[tuple[str, str], str] = {
    (CONCEPT, SUBMITTED): LEAD,
    (NOT_READY, SUBMITTED): LEAD,  # resubmission, before the resubmission deadline
    (SUBMITTED, IN_REVIEW): STAFF,  # staff assign the assessors and start the review
    (IN_REVIEW, POSITIVE): ASSESSOR,
    (IN_REVIEW, NOT_READY): ASSESSOR,
    (POSITIVE, APPROVED): STAFF,  # the decision, taken over from the advice for the minister
    (APPROVED, RUNNING): STAFF,
    (CONCEPT, WITHDRAWN): LEAD,
    (SUBMITTED, WITHDRAWN): LEAD,
    (IN_REVIEW, WITHDRAWN): LEAD,
    (NOT_READY, WITHDRAWN): LEAD,
}

ACTION_NAMES: dict[str, str] = {
    SUBMITTED: "Indienen",
    IN_REVIEW: "Beoordeling starten",
    POSITIVE: "Positief adviseren",
    NOT_READY: "Nog niet voldragen adviseren",
    APPROVED: "Goedkeuren",
    RUNNING: "In uitvoering nemen",
    WITHDRAWN: "Intrekken",
}


class TransitionRefused(ValueError):
    """A move the state machine does not allow; the message is Dutch."""


def can_move(state: str, target: str, actor: str) -> bool:
    return TRANSITIONS.get((state, target)) == actor


def check_transition(state: str, target: str, actor: str) -> None:
    """Raise TransitionRefused with a Dutch message unless `actor` may move a
    plan from `state` to `target`."""
    if state not in STATES or target not in STATES:
        raise TransitionRefused("Deze status bestaat niet.")
    allowed = TRANSITIONS.get((state, target))
    if allowed is None:
        raise TransitionRefused(
            f"Een plan met status ‘{STATE_NAMES[state]}’ kan niet naar ‘{STATE_NAMES[target]}’.")
    if allowed != actor:
        raise TransitionRefused(
            f"Alleen de {allowed} kan een plan van ‘{STATE_NAMES[state]}’ naar ‘{STATE_NAMES[target]}’ zetten.")


def moves_for(state: str, actor: str) -> list[str]:
    """The target states `actor` may move a plan in `state` to, in STATES order."""
    return [t for t in STATES if can_move(state, t, actor)]


def submission_deadline_error(state: str, today: date, deadline: date, resubmission_deadline: date) -> str | None:
    """A first submission closes after the round's deadline; a resubmission
    (after 'nog niet voldragen') after the resubmission deadline. Both days count."""
    if state == NOT_READY:
        if today > resubmission_deadline:
            return (f"De termijn voor opnieuw indienen is verlopen ({resubmission_deadline:%d-%m-%Y}); "
                    "indienen kan niet meer.")
        return None
    if today > deadline:
        return f"De indientermijn van deze ronde is verlopen ({deadline:%d-%m-%Y}); indienen kan niet meer."
    return None


# --- budget and co-financing ---------------------------------------------------

SUBSIDY, OWN, BUSINESS_MONEY, BUSINESS_IN_KIND = "subsidie", "eigen_bijdrage", "bedrijfsleven_geld", \
    "bedrijfsleven_natura"
BUDGET_STREAMS: dict[str, str] = {
    SUBSIDY: "Subsidie",
    OWN: "Eigen bijdrage",
    BUSINESS_MONEY: "Bedrijfsleven in geld",
    BUSINESS_IN_KIND: "Bedrijfsleven in natura",
}
BUSINESS_STREAMS = frozenset({BUSINESS_MONEY, BUSINESS_IN_KIND})
CO_FINANCING_MINIMUM = Decimal("10.00")  # per cent of the plan's total
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class BudgetLine:
    year: int
    stream: str
    amount: Decimal


@dataclass(frozen=True)
class CoFinancing:
    """The plan's total, the bedrijfsleven's part (money + in kind) and its share."""
    total: Decimal
    business: Decimal

    @property
    def meets_minimum(self) -> bool:
        """business / total >= 10.00 %, compared exactly: business * 100 >= 10 * total.
        A plan without money has no co-financing."""
        return self.total > 0 and self.business * 100 >= CO_FINANCING_MINIMUM * self.total

    @property
    def share(self) -> Decimal | None:
        """The share in per cent, shown with two decimals, rounded DOWN so that a
        share just under 10 % never shows as 10,00 %."""
        if self.total <= 0:
            return None
        return (self.business * 100 / self.total).quantize(Decimal("0.01"), rounding=ROUND_DOWN)

    def message(self) -> str | None:
        """None when the rule holds; otherwise the Dutch explanation."""
        if self.total <= 0:
            return "De begroting is leeg; vul de bedragen per jaar en geldstroom in."
        if self.meets_minimum:
            return None
        return (f"De cofinanciering door het bedrijfsleven (geld en natura) is {format_decimal(self.share)} % "
                f"van het totaal van € {format_decimal(self.total)}; dat moet minstens 10,00 % zijn.")


def co_financing(lines: Iterable[BudgetLine]) -> CoFinancing:
    total = ZERO
    business = ZERO
    for line in lines:
        total += line.amount
        if line.stream in BUSINESS_STREAMS:
            business += line.amount
    return CoFinancing(total=total, business=business)


# --- what a plan needs before it is submitted ------------------------------------

MIN_VMBO = 2  # vmbo vestigingen (vso counts as one)
VMBO_KINDS = frozenset({"vmbo", "vso"})


def submission_errors(party_kinds: Iterable[str], lines: Iterable[BudgetLine], *, has_vision: bool = True,
                      has_actions: bool = True) -> list[str]:
    """Everything that keeps a plan from being submitted, each in one Dutch
    sentence that names what is missing. Empty when the plan can be submitted."""
    kinds = list(party_kinds)
    errors: list[str] = []
    vmbo = sum(1 for k in kinds if k in VMBO_KINDS)
    if vmbo < MIN_VMBO:
        errors.append(f"De planregio heeft minstens {MIN_VMBO} vmbo-vestigingen (vso telt mee) nodig; "
                      f"er {'is' if vmbo == 1 else 'zijn'} er {vmbo}.")
    if "mbo" not in kinds:
        errors.append("De planregio heeft minstens één mbo-instelling nodig; er is er geen.")
    if "employer" not in kinds:
        errors.append("De planregio heeft minstens één werkgever (bedrijfsleven) nodig; er is er geen.")
    if not has_vision:
        errors.append("Vul de visie en doelen van het plan in.")
    if not has_actions:
        errors.append("Het plan heeft minstens één actie nodig.")
    message = co_financing(lines).message()
    if message:
        errors.append(message)
    return errors


# --- assessment ------------------------------------------------------------------

SCORE_MIN, SCORE_MAX = 1, 5
ADVICE_FLAGS: dict[str, str] = {"": "Geen", "techniekarm": "Techniekarm", "aanbodarm": "Aanbodarm"}


def weighted_score(scores: Iterable[tuple[int, int]]) -> Decimal | None:
    """(weight, score) pairs -> the weighted mean with two decimals, or None."""
    pairs = list(scores)
    weight = sum(w for w, _ in pairs)
    if not pairs or weight <= 0:
        return None
    return (Decimal(sum(w * s for w, s in pairs)) / Decimal(weight)).quantize(Decimal("0.01"))
