"""Demo regioplannen: the first round of the 2019 letter ("Sterk
Techniekonderwijs") at small scale, labelled demo. Four plan regions of the
demo schools (two fictional vmbo schools and a fictional vso school added,
marked demo), each with a budget at or above 10 % co-financing:

- Drechtsteden: positief advies, then goedgekeurd by staff;
- Achterhoek: nog niet voldragen with improvement points, improved and resubmitted (version 2);
- Helmond: positief advies, flagged techniekarm;
- Foodvalley: submitted, then ingetrokken by the region during the review.

The moves are made through the services with the dates of 2019 (submission
before 1 April, resubmission before 1 October). Safe to rerun: the round is
looked up by name and left alone when it exists."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain import plans as dom
from portal.models import Municipality, Organisation
from portal.models.plan import PlanRound
from portal.models.plan_assessment import AssessmentCriterion
from portal.services.accounts.users import create_user, find_user_by_email
from portal.services.plans import assessment, editing, lifecycle, regions

ROUND_NAME = "Sterk Techniekonderwijs 2019, eerste ronde (demo)"
ASSESSOR_EMAIL = "beoordelaar@demo.leerroutes.nl"
CRITERIA = (
    ("Samenwerking vmbo, mbo en bedrijfsleven", 3),
    ("Aansluiting op de regionale arbeidsmarkt", 3),
    ("Dekkend en doelmatig techniekaanbod", 2),
    ("Cofinanciering en borging na de subsidie", 2),
)
EXTRA_SCHOOLS = {
    "vso_dordrecht": dict(kind="vso", name="VSO De Ster, technisch vmbo (demo)", gm="GM0505", city="Dordrecht",
                          lat=51.80, lon=4.67),
    "vmbo_achterhoek": dict(kind="vmbo", name="Vmbo Achterhoek Oost (demo)", gm="GM0222", city="Doetinchem",
                            lat=51.96, lon=6.29),
    "vmbo_peel": dict(kind="vmbo", name="Vmbo De Peel Techniek (demo)", gm="GM0794", city="Helmond",
                      lat=51.48, lon=5.66),
    "vmbo_ede": dict(kind="vmbo", name="Vmbo Ede Techniek (demo)", gm="GM0228", city="Ede", lat=52.04, lon=5.66),
}
# (name, penvoerder, schools, mbo, employer, bedrijfsleven in money, in kind); each budget also holds
# 100 000 subsidy and 10 000 own contribution, so 12 222,23 of bedrijfsleven money is 10,00 %
PLANS = {
    "drechtsteden": ("Drechtsteden Techniek (demo)", "insula", ["insula", "uilenhof", "vso_dordrecht"], "da_vinci",
                     "techniek_dordrecht", "9000.00", "3500.00"),
    "achterhoek": ("Achterhoek Profijt Techniek (demo)", "schaersvoorde", ["schaersvoorde", "vmbo_achterhoek"],
                   "graafschap", "metaal_achterhoek", "8000.00", "4222.23"),  # just at 10 %
    "helmond": ("Helmond Technologie & Toepassing (demo)", "knippenberg", ["knippenberg", "vmbo_peel"], "ter_aa",
                "helmond_tech", "12222.23", "0.00"),
    "foodvalley": ("Foodvalley Techniek (demo)", "perron", ["perron", "vmbo_ede"], "roc_a12", "zorg_veenendaal",
                   "7000.00", "7000.00"),
}
SUBMITTED_ON, RESUBMITTED_ON = date(2019, 3, 25), date(2019, 9, 20)
# The 2025 letter extends the regional approach to the whole vmbo: a later round
# with one plan still in concept (Het Perron's coordinator is its penvoerder).
LATER_ROUND = "Regionale aanpak heel vmbo 2027 (demo)"
CONCEPT_PLAN = ("Foodvalley heel vmbo (demo, concept)", "perron", ["perron", "vmbo_ede"], "roc_a12",
                "zorg_veenendaal", "5000.00", "8000.00")


def _school(session: Session, spec: dict) -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.kind == spec["kind"],
                                                    Organisation.name == spec["name"]))
    if org is None:
        municipality = session.scalar(select(Municipality).where(Municipality.code == spec["gm"]))
        org = Organisation(kind=spec["kind"], name=spec["name"], city=spec["city"], lat=spec["lat"], lon=spec["lon"],
                           municipality_id=municipality.id if municipality else None, is_demo=True)
        session.add(org)
        session.flush()
    return org


def _criteria(session: Session, staff) -> None:
    existing = set(session.scalars(select(AssessmentCriterion.name)))
    for name, weight in CRITERIA:
        if name not in existing:
            assessment.add_criterion(session, name, "Demo: naar de beoordeling in de brief van 2019.", weight, staff)


def _plan(session: Session, plan_round, spec, orgs, leads, staff):
    name, lead_key, schools, mbo, employer, money, in_kind = spec
    members = [orgs[k].id for k in schools] + [orgs[mbo].id, orgs[employer].id]
    lead = leads[lead_key]
    region = regions.create_region(session, plan_round, name, orgs[lead_key].id, members, lead)
    plan = region.plan
    editing.update_text(session, plan, {
        "vision": f"Demo: samen met {orgs[mbo].name} en het bedrijfsleven een sterk en dekkend techniekaanbod "
                  "in de regio, met moderne praktijkruimtes en doorlopende leerroutes naar het mbo.",
        "labour_market_analysis": "Demo: de vraag naar technici (installatie, metaal, elektro) stijgt; "
                                  "het aantal technieklerenden daalt.",
        "pupil_prognosis": "Demo: 2019: 420, 2020: 405, 2021: 390 leerlingen in de technische profielen.",
        "prognosis_source": "Demo: eigen telling van de scholen (fictief)"}, lead)
    editing.set_actions(session, plan, [
        {"description": "Gezamenlijk techniekpracticum inrichten", "owner_organisation_id": orgs[lead_key].id,
         "year": 2020, "measurable_result": "Twee practicumlokalen in gebruik door alle scholen"},
        {"description": "Gastlessen en stages in het bedrijfsleven", "owner_organisation_id": orgs[employer].id,
         "year": 2020, "measurable_result": "Elke derdejaars techniekleerling loopt een snuffelstage"},
    ], lead)
    editing.set_budget(session, plan, [
        {"year": 2020, "stream": dom.SUBSIDY, "amount": Decimal("100000.00")},
        {"year": 2020, "stream": dom.OWN, "amount": Decimal("10000.00")},
        {"year": 2020, "stream": dom.BUSINESS_MONEY, "amount": Decimal(money)},
        {"year": 2020, "stream": dom.BUSINESS_IN_KIND, "amount": Decimal(in_kind)},
    ], lead)
    return plan, lead


def _score_and_advise(session, plan, assessor, outcome, score, *, points="", flag=""):
    rows = {c.id: {"score": score, "motivation": f"Demo: score {score} voor {c.name.lower()}."}
            for c in assessment.active_criteria(session)}
    assessment.set_scores(session, plan, rows, assessor)
    lifecycle.advise(session, plan, outcome, "Demo: advies van de onafhankelijke commissie.", points, flag, assessor)


def seed(session: Session, result) -> None:
    if session.scalar(select(PlanRound.id).where(PlanRound.name == ROUND_NAME)):
        return
    staff = result.users["programma@demo.leerroutes.nl"]
    assessor = find_user_by_email(session, ASSESSOR_EMAIL) or create_user(
        session, email=ASSESSOR_EMAIL, name="Bea Beoordelaar (demo)", role="assessor",
        password="demo-wachtwoord-2026", organisation=None, is_demo=True)  # seeds/demo.py DEMO_PASSWORD
    orgs = dict(result.organisations)
    orgs.update({key: _school(session, spec) for key, spec in EXTRA_SCHOOLS.items()})
    leads = {u.organisation_id: u for u in result.users.values() if u.role == "coordinator"}
    leads = {key: leads[orgs[key].id] for key in ("insula", "schaersvoorde", "knippenberg", "perron")}
    _criteria(session, staff)
    plan_round = regions.create_round(session, ROUND_NAME, date(2019, 4, 1), date(2019, 10, 1), staff)
    plans = {key: _plan(session, plan_round, spec, orgs, leads, staff) for key, spec in PLANS.items()}
    for key in ("drechtsteden", "achterhoek", "helmond"):
        plan, lead = plans[key]
        lifecycle.submit(session, plan, lead, today=SUBMITTED_ON)
        lifecycle.start_review(session, plan, [assessor.id], staff)
    _score_and_advise(session, plans["drechtsteden"][0], assessor, dom.POSITIVE, 4)
    lifecycle.approve(session, plans["drechtsteden"][0], staff)
    _score_and_advise(session, plans["helmond"][0], assessor, dom.POSITIVE, 3, flag="techniekarm")
    plan, lead = plans["achterhoek"]
    _score_and_advise(session, plan, assessor, dom.NOT_READY, 2,
                      points="Demo: betrek meer werkgevers; maak de acties meetbaar per jaar.")
    editing.update_text(session, plan, {
        "vision": plan.vision + " Met drie extra werkgevers uit de metaal.",
        "labour_market_analysis": plan.labour_market_analysis, "pupil_prognosis": plan.pupil_prognosis,
        "prognosis_source": plan.prognosis_source}, lead)
    lifecycle.submit(session, plan, lead, today=RESUBMITTED_ON)
    plan, lead = plans["foodvalley"]  # submitted, then the region withdraws its aanvraag during the review
    lifecycle.submit(session, plan, lead, today=SUBMITTED_ON)
    lifecycle.start_review(session, plan, [assessor.id], staff)
    lifecycle.withdraw(session, plan, lead)
    later = regions.create_round(session, LATER_ROUND, date(2027, 4, 1), date(2027, 10, 1), staff)
    _plan(session, later, CONCEPT_PLAN, orgs, leads, staff)
