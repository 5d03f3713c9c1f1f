"""Factories for agreements: a complete concept agreement ready to be sent."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from portal.domain.funding import period_school_years
from portal.extensions import db
from portal.services.agreements import funding, operations
from tests.factories import make_organisation, make_route, make_user


def make_parties_and_route(kind: str = "glr", same_body: bool = False):
    vmbo = make_organisation("vmbo", governing_body_name="Stichting Vmbo Test")
    mbo = make_organisation("mbo", governing_body_name="Stichting Vmbo Test" if same_body else "Stichting ROC Test")
    route = make_route(parties=[(vmbo, "vmbo"), (mbo, "mbo")], kind_code=kind, status="voorbereiding")
    vmbo_user = make_user("coordinator", organisation=vmbo)
    mbo_user = make_user("coordinator", organisation=mbo)
    return vmbo, mbo, route, vmbo_user, mbo_user


CLAUSES = dict(
    facilities_use="Leerlingen gebruiken de praktijklokalen van het mbo.",
    cooperation_form="Eén gezamenlijke route op de vmbo-locatie.",
    governance="Stuurgroep van beide besturen, vier keer per jaar.",
    design="Gemengd team; lessen op beide locaties.",
    complaints_procedure="De klachtenregeling van de school waar de leerling staat ingeschreven.",
    sector="Zorg en welzijn",
    mbo_domain_code="ZW",
    employer_role="Werkgevers kiezen mee in de kwalificatie en leveren stageplaatsen.",
    team_qualification=True,
    team_qualification_description="Mbo-docenten geven les in het vmbo onder teambevoegdheid.",
    participation="Beide medezeggenschapsraden stemmen in.",
    transfer_option="Wie de route verlaat, krijgt een passende plek (zie fasen).",
    funding_purpose="Lumpsum vo deels naar het mbo voor de lessen die het mbo verzorgt.",
)


def make_agreement(vmbo_user, route, mbo, *, complete: bool = True, **fields):
    data = dict(title="Samenwerkingsovereenkomst test", start_date=date(2026, 8, 1),
                end_date=date(2030, 7, 31), route_ids=[route.id])
    if complete:
        data.update(CLAUSES, examining_organisation_id=mbo.id)
    data.update(fields)
    agreement = operations.create_agreement(db.session, data, vmbo_user)
    if complete:
        fill_funding_and_guarantee(agreement, vmbo_user)
    return agreement


def fill_funding_and_guarantee(agreement, actor, split=("60", "40")):
    vmbo_party = next(p for p in agreement.parties if p.role == "vmbo")
    mbo_party = next(p for p in agreement.parties if p.role == "mbo")
    # shares for every school year of the period: the checklist wants each year covered
    years = period_school_years(agreement.start_date, agreement.end_date) or ["2026-2027"]
    funding.set_funding(db.session, agreement, [
        dict(stream="lumpsum_vo", school_year=year, party_id=party.id, percentage=Decimal(pct))
        for year in years for party, pct in ((vmbo_party, split[0]), (mbo_party, split[1]))
    ], [dict(stream="lumpsum_vo", school_year=years[0], amount=Decimal("10000.00"),
             recipient_party_id=vmbo_party.id, purpose="Lessen door mbo-docenten")], actor)
    funding.set_guarantee(db.session, agreement, 48, [
        dict(from_month=1, to_month=12, destination="vmbo_bb", responsible_party_id=vmbo_party.id,
             max_wait_days=5, description="Ander profiel in vmbo-bb"),
        dict(from_month=13, to_month=48, destination="mbo2", responsible_party_id=mbo_party.id,
             max_wait_days=10, description="Andere mbo-2-opleiding"),
    ], actor)
    return agreement


def agreement_world(session) -> dict:
    """Two parties, their route and a complete agreement between them, by name."""
    vmbo, mbo, route, vmbo_user, mbo_user = make_parties_and_route()
    agreement = make_agreement(vmbo_user, route, mbo)
    return dict(vmbo=vmbo, mbo=mbo, route=route, vmbo_user=vmbo_user, mbo_user=mbo_user, agreement=agreement,
                session=session)
