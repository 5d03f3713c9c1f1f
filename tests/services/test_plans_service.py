"""Regioplannen services: plan regions (one plan region per vestiging per
round, in the service and in the database), the plan's rows, submission with
its rules and versions, the assessment and the decision."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from portal.core.errors import ServiceError
from portal.domain import plans as dom
from portal.models.plan import PlanRegionMember
from portal.services.plans import assessment, editing, followup, lifecycle, queries, regions, snapshots
from tests.factories import make_organisation
from tests.factories_plans import fill_plan, make_plan_world, score_all, to_review


@pytest.fixture
def world(db_session):
    return make_plan_world(db_session)


def test_a_vestiging_is_in_one_plan_region_per_round(db_session, world):
    other_mbo = make_organisation("mbo")
    with pytest.raises(ServiceError) as refused:
        regions.create_region(db_session, world.round, "Tweede regio", world.orgs["outside"].id,
                              [world.orgs["vso"].id, other_mbo.id], world.staff)
    assert "hoogstens één planregio" in str(refused.value) and world.region.name in str(refused.value)
    # an mbo institution may work with several plan regions
    second = regions.create_region(db_session, world.round, "Tweede regio", world.orgs["outside"].id,
                                   [world.orgs["mbo"].id], world.staff)
    assert world.orgs["mbo"].id in second.member_ids()
    # in another round the same school may take part again
    next_round = regions.create_round(db_session, "Volgende synthetische ronde", date(2099, 4, 1),
                                      date(2099, 10, 1), world.staff)
    again = regions.create_region(db_session, next_round, "Zelfde scholen", world.orgs["vmbo1"].id,
                                  [world.orgs["vso"].id], world.staff)
    assert world.orgs["vso"].id in again.member_ids()


def test_the_database_refuses_a_school_in_two_plan_regions_of_a_round(db_session, world):
    second = regions.create_region(db_session, world.round, "Andere regio", world.orgs["outside"].id, [], world.staff)
    db_session.add(PlanRegionMember(plan_region_id=second.id, round_id=world.round.id,
                                    organisation_id=world.orgs["vso"].id, kind="vso"))
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.flush()


def test_the_database_keeps_a_member_in_its_regions_round(db_session, world):
    other_round = regions.create_round(db_session, "Losse ronde", date(2099, 1, 1), date(2099, 2, 1), world.staff)
    db_session.add(PlanRegionMember(plan_region_id=world.region.id, round_id=other_round.id,
                                    organisation_id=make_organisation("employer").id, kind="employer"))
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.flush()


def test_submission_names_what_is_missing(db_session):
    world = make_plan_world(db_session, filled=False)
    regions.set_members(db_session, world.region, world.region.name, world.orgs["vmbo1"].id,
                        [world.orgs["vmbo1"].id, world.orgs["mbo"].id], world.lead)
    with pytest.raises(ServiceError) as refused:
        lifecycle.submit(db_session, world.plan, world.lead)
    text = str(refused.value)
    for missing in ("vmbo-vestigingen", "werkgever", "visie", "actie", "begroting is leeg"):
        assert missing in text
    assert world.plan.state == dom.CONCEPT and not world.plan.versions


def test_below_ten_percent_cannot_be_submitted(db_session):
    world = make_plan_world(db_session, filled=False)
    fill_plan(db_session, world.plan, world.lead, business="999.00", subsidy="9001.00")
    with pytest.raises(ServiceError, match="9,99 %"):
        lifecycle.submit(db_session, world.plan, world.lead)
    fill_plan(db_session, world.plan, world.lead, business="1000.00", subsidy="9000.00")
    lifecycle.submit(db_session, world.plan, world.lead)
    assert world.plan.state == dom.SUBMITTED


def test_submission_freezes_the_portrait_and_keeps_a_version(db_session, world):
    version = lifecycle.submit(db_session, world.plan, world.lead)
    assert version.number == 1 and world.plan.state == dom.SUBMITTED
    portrait = world.plan.regional_portrait
    assert {s["name"] for s in portrait["schools"]} >= {world.orgs["vso"].name}
    assert version.snapshot["co_financing"] == "10,00 %"
    with pytest.raises(ServiceError, match="kan niet meer worden gewijzigd"):
        editing.update_text(db_session, world.plan, {"vision": "stiekem"}, world.lead)


def test_the_deadline_closes_submission(db_session):
    world = make_plan_world(db_session, round_kwargs={"deadline": date(2019, 4, 1),
                                                      "resubmission": date(2019, 10, 1)})
    with pytest.raises(ServiceError, match="indientermijn"):
        lifecycle.submit(db_session, world.plan, world.lead, today=date(2019, 4, 2))
    lifecycle.submit(db_session, world.plan, world.lead, today=date(2019, 4, 1))


def test_the_whole_round_trip_with_resubmission_and_diff(db_session, world):
    to_review(db_session, world)
    assert world.plan.state == dom.IN_REVIEW
    with pytest.raises(ServiceError, match="Scoor eerst"):
        lifecycle.advise(db_session, world.plan, dom.NOT_READY, "Nog niet", "Meer bedrijven", "", world.assessor)
    score_all(db_session, world, 2)
    with pytest.raises(ServiceError) as refused:
        lifecycle.advise(db_session, world.plan, dom.NOT_READY, "Nog niet", "", "", world.assessor)
    assert "improvement_points" in refused.value.errors
    lifecycle.advise(db_session, world.plan, dom.NOT_READY, "Nog niet", "Meer bedrijven betrekken", "techniekarm",
                     world.assessor)
    assert world.plan.state == dom.NOT_READY and world.plan.advice_flag == "techniekarm"
    editing.update_text(db_session, world.plan, {"vision": "Synthetisch: verbeterde visie.",
                                                 "labour_market_analysis": "x", "pupil_prognosis": "",
                                                 "prognosis_source": ""}, world.lead)
    lifecycle.submit(db_session, world.plan, world.lead)
    assert [v.number for v in world.plan.versions] == [1, 2]
    changes = snapshots.diff(world.plan.versions[0].snapshot, world.plan.versions[1].snapshot)
    changed = {c["field"] for c in changes}
    assert "vision" in changed and "budget" not in changed
    lifecycle.start_review(db_session, world.plan, [world.assessor.id], world.staff)
    score_all(db_session, world, 4)
    lifecycle.advise(db_session, world.plan, dom.POSITIVE, "Goed plan", "", "", world.assessor)
    assert world.plan.improvement_points == ""
    lifecycle.approve(db_session, world.plan, world.staff)
    lifecycle.start_execution(db_session, world.plan, world.staff)
    assert world.plan.state == dom.RUNNING
    counts = queries.counts(queries.plans_of_round(db_session, world.round.id))
    assert counts[dom.SUBMITTED] == 1 and counts[dom.APPROVED] == 1 and counts[dom.NOT_READY] == 0


def test_an_assessor_who_is_a_party_cannot_be_assigned_nor_score(db_session, world):
    lifecycle.submit(db_session, world.plan, world.lead)
    with pytest.raises(ServiceError, match="geen partij"):
        lifecycle.start_review(db_session, world.plan, [world.party_assessor.id], world.staff)
    lifecycle.start_review(db_session, world.plan, [world.assessor.id], world.staff)
    rows = {c.id: {"score": 3, "motivation": "x"} for c in assessment.active_criteria(db_session)}
    with pytest.raises(ServiceError, match="geen \\(onafhankelijke\\) beoordelaar"):
        assessment.set_scores(db_session, world.plan, rows, world.party_assessor)


def test_scores_need_a_score_and_a_motivation(db_session, world):
    to_review(db_session, world)
    criteria = assessment.active_criteria(db_session)
    rows = {c.id: {"score": 6, "motivation": ""} for c in criteria}
    with pytest.raises(ServiceError) as refused:
        assessment.set_scores(db_session, world.plan, rows, world.assessor)
    assert set(refused.value.errors) == {f"score-{c.id}" for c in criteria}
    assert not assessment.scores_of(db_session, world.plan)


def test_the_budget_rows_are_checked_and_nothing_half_saved(db_session, world):
    before = sorted((b.year, b.stream, b.amount) for b in world.plan.budget_lines)
    rows = [{"year": 2026, "stream": dom.SUBSIDY, "amount": Decimal("5.00")},
            {"year": 2026, "stream": dom.SUBSIDY, "amount": Decimal("-1.00")}]
    with pytest.raises(ServiceError) as refused:
        editing.set_budget(db_session, world.plan, rows, world.lead)
    assert set(refused.value.errors) == {"line-1"}
    assert sorted((b.year, b.stream, b.amount) for b in world.plan.budget_lines) == before


def test_a_stale_version_is_a_conflict(db_session, world):
    stale = world.plan.version_id
    editing.update_text(db_session, world.plan, {"vision": "eerste"}, world.lead, stale)
    with pytest.raises(ServiceError, match="intussen gewijzigd"):
        editing.update_text(db_session, world.plan, {"vision": "tweede"}, world.lead, stale)


def test_progress_report_and_midterm(db_session, world):
    to_review(db_session, world)
    score_all(db_session, world)
    lifecycle.advise(db_session, world.plan, dom.POSITIVE, "Goed", "", "", world.assessor)
    with pytest.raises(ServiceError, match="uitvoering"):
        followup.record_midterm(db_session, world.plan, "te vroeg", world.staff)
    lifecycle.approve(db_session, world.plan, world.staff)
    lifecycle.start_execution(db_session, world.plan, world.staff)
    action = world.plan.actions[0]
    lines = world.plan.budget_lines
    with pytest.raises(ServiceError) as refused:
        followup.report_progress(db_session, world.plan, 2026, {action.id: {"percent_done": 120, "explanation": ""}},
                                 {}, world.lead)
    assert f"action-{action.id}" in refused.value.errors
    report = followup.report_progress(
        db_session, world.plan, 2026, {action.id: {"percent_done": 50, "explanation": "Half klaar"}},
        {b.id: {"spent": Decimal("100.00")} for b in lines}, world.lead)
    assert report.total_spent == Decimal("100.00") * len(lines)
    followup.record_midterm(db_session, world.plan, "Loopt op schema", world.staff)
    assert world.plan.midterm_findings == "Loopt op schema"


def test_a_concept_withdrawn_before_submission_is_no_withdrawn_aanvraag(db_session, world):
    """The overview counts withdrawn aanvragen (the letter: 78 submitted = 45 + 29 + 4)."""
    other = make_plan_world(db_session, round_kwargs={"name": f"Synthetische telronde {world.round.id}"})
    lifecycle.withdraw(db_session, other.plan, other.lead)  # a concept
    counts = queries.counts(queries.plans_of_round(db_session, other.round.id))
    assert counts[dom.WITHDRAWN] == 0 and counts[dom.SUBMITTED] == 0
    lifecycle.submit(db_session, world.plan, world.lead)  # control: submitted, then withdrawn
    lifecycle.withdraw(db_session, world.plan, world.lead)
    counts = queries.counts(queries.plans_of_round(db_session, world.round.id))
    assert counts[dom.WITHDRAWN] == 1 and counts[dom.SUBMITTED] == 1


def test_a_plan_not_yet_voldragen_is_resubmitted_until_the_resubmission_deadline(db_session):
    world = make_plan_world(db_session, round_kwargs={"deadline": date(2019, 4, 1),
                                                      "resubmission": date(2019, 10, 1)})
    lifecycle.submit(db_session, world.plan, world.lead, today=date(2019, 3, 25))
    lifecycle.start_review(db_session, world.plan, [world.assessor.id], world.staff)
    score_all(db_session, world, 2)
    lifecycle.advise(db_session, world.plan, dom.NOT_READY, "Nog niet", "Meer werkgevers", "", world.assessor)
    with pytest.raises(ServiceError, match="opnieuw indienen is verlopen"):
        lifecycle.submit(db_session, world.plan, world.lead, today=date(2019, 10, 2))
    assert world.plan.state == dom.NOT_READY and len(world.plan.versions) == 1
    lifecycle.submit(db_session, world.plan, world.lead, today=date(2019, 10, 1))  # after 1 April, before 1 October
    assert world.plan.state == dom.SUBMITTED and [v.number for v in world.plan.versions] == [1, 2]
