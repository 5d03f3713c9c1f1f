"""The demo regioplannen: the first round of the 2019 letter at small scale."""
from __future__ import annotations

from sqlalchemy import func, select

from portal.domain import plans as dom
from portal.models.plan import PlanRound, RegionalPlan
from portal.services.plans import queries
from seeds.demo import seed_demo
from seeds.demo_plans import ROUND_NAME


def test_the_demo_round_has_every_outcome_and_enough_co_financing(db_session, reference_data):
    seed_demo(db_session)
    plan_round = db_session.scalar(select(PlanRound).where(PlanRound.name == ROUND_NAME))
    plans = {p.region.name: p for p in queries.plans_of_round(db_session, plan_round.id)}
    assert all("(demo)" in name for name in plans)
    states = sorted(p.state for p in plans.values())
    assert states == sorted([dom.APPROVED, dom.SUBMITTED, dom.POSITIVE, dom.WITHDRAWN])
    resubmitted = next(p for p in plans.values() if p.state == dom.SUBMITTED)
    assert len(resubmitted.versions) == 2 and resubmitted.improvement_points
    assert [p.advice_flag for p in plans.values()].count("techniekarm") == 1
    assert all(dom.co_financing(p.domain_budget()).meets_minimum for p in plans.values())
    counts = queries.counts(list(plans.values()))
    assert counts == {dom.SUBMITTED: 4, dom.POSITIVE: 1, dom.NOT_READY: 0, dom.WITHDRAWN: 1, dom.APPROVED: 1}
    assert any(m.kind == "vso" for p in plans.values() for m in p.region.members)
    withdrawn = next(p for p in plans.values() if p.state == dom.WITHDRAWN)
    assert withdrawn.versions  # an aanvraag that was withdrawn, as in the letter, not a concept
    before = db_session.scalar(select(func.count(RegionalPlan.id)))
    seed_demo(db_session)  # safe to rerun
    assert db_session.scalar(select(func.count(RegionalPlan.id))) == before
