"""Demo samenwerkingsovereenkomsten, written through the agreement service so
they obey the rules: a signed agreement for Het Perron (CSV Veenendaal + ROC
A12) and one still in preparation for Talentontwikkeling Techniek (Insula
College, De Uilenhof, ROC Da Vinci College). Labelled demo; safe to rerun
(looked up by title); creates nothing when the routes are missing.

The signed Perron agreement covers the running vakmanschaproutes, not the GLR
"Het Perron GLR Helpende Zorg en Welzijn" (in voorbereiding): that one is
left for a new agreement (the browser test creates it)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.funding import period_school_years
from portal.models import LearningRoute
from portal.models.agreement import Agreement
from portal.services.agreements import funding, lifecycle, operations

PERRON_TITLE = "Samenwerkingsovereenkomst Het Perron – vakmanschaproutes (demo)"
TALENT_TITLE = "Samenwerkingsovereenkomst Talentontwikkeling Techniek (demo, in voorbereiding)"
PERRON_ROUTES = ("Het Perron vakmanschaproute Kok", "Het Perron vakmanschaproute Verkoper",
                 "Het Perron vakmanschaproute Autotechnicus")
TALENT_ROUTES = ("Talentontwikkeling Techniek",)

PERRON_CLAUSES = dict(
    facilities_use="Leerlingen gebruiken de praktijkruimten van ROC A12 en de leerwerkplekken op Het Perron; "
                   "docenten van beide scholen gebruiken elkaars lokalen en materialen zonder verrekening.",
    cooperation_form="Geïntegreerd aanbod op Het Perron: vmbo-leerjaar 3 en 4 en mbo-leerjaar 1 en 2 op één locatie.",
    governance="Een stuurgroep van CSV Veenendaal en ROC A12 (bestuurders en teamleiders) vergadert vier keer per jaar.",
    design="Eén team van vmbo- en mbo-docenten; een doorlopend programma zonder zomerlek; loopbaanbegeleiding door "
           "één vaste coach per leerling.",
    complaints_procedure="De klachtenregeling van de school waar de leerling of student is ingeschreven; de stuurgroep "
                         "bemiddelt bij klachten over de samenwerking.",
    sector="Dienstverlening, horeca en techniek", mbo_domain_code="HB",
    employer_role="Leerbedrijven uit de regio FoodValley kiezen mee in de kwalificaties en verzorgen de "
                  "beroepspraktijkvorming.",
    team_qualification=True,
    team_qualification_description="Mbo-docenten van ROC A12 geven les in het vmbo onder teambevoegdheid; "
                                   "de vmbo-docenten in het mbo-deel.",
    participation="De medezeggenschapsraden van CSV Veenendaal en ROC A12 hebben ingestemd; jaarlijks evalueren "
                  "zij samen.",
    transfer_option="Wie de route verlaat, kan altijd verder in vmbo-bb of op mbo niveau 2 (zie de fasen).",
    funding_purpose="Het deel van de lumpsum vo voor de mbo-lessen gaat naar ROC A12; het deel van de rijksbijdrage "
                    "mbo voor de begeleiding op Het Perron gaat naar CSV Veenendaal.",
)


# The other examples of the 2018 letter get a signed agreement too, so that
# their DLRs can be actief (a DLR/GLR is actief only under a signed agreement).
# title, routes, (vmbo coordinator, mbo coordinator), sector, domain, what the cooperation is.
SIGNED_DEMO = (
    dict(title="Samenwerkingsovereenkomst Drechtsteden – Installatietechniek (demo)",
         routes=("Talentontwikkeling Techniek – Installatietechniek DLR",),
         vmbo="coordinator.insula@demo.leerroutes.nl", mbo="coordinator.davinci@demo.leerroutes.nl",
         sector="Techniek", domain="TP", vmbo_name="Insula College", mbo_name="ROC Da Vinci College",
         region="de Drechtsteden"),
    dict(title="Samenwerkingsovereenkomst Gorinchem – Maritiem en techniek (demo)",
         routes=("Gorinchem DLR Maritiem en techniek",),
         vmbo="coordinator.uilenhof@demo.leerroutes.nl", mbo="coordinator.davinci@demo.leerroutes.nl",
         sector="Maritiem en techniek", domain="TSL", vmbo_name="De Uilenhof", mbo_name="ROC Da Vinci College",
         region="Gorinchem"),
    dict(title="Samenwerkingsovereenkomst Profijt Achterhoek (demo)",
         routes=("Profijt Achterhoek", "Profijt Zorg en welzijn niveau 3"),
         vmbo="coordinator.schaersvoorde@demo.leerroutes.nl", mbo="coordinator.graafschap@demo.leerroutes.nl",
         sector="Techniek en zorg", domain="TP", vmbo_name="Schaersvoorde", mbo_name="het Graafschap College",
         region="de Achterhoek"),
    dict(title="Samenwerkingsovereenkomst Helmond – Techniek niveau 4 (demo)",
         routes=("Helmond DLR Techniek niveau 4",),
         vmbo="coordinator.knippenberg@demo.leerroutes.nl", mbo="coordinator.teraa@demo.leerroutes.nl",
         sector="Techniek", domain="TP", vmbo_name="het Dr.-Knippenbergcollege", mbo_name="ROC Ter AA",
         region="Helmond"),
)


def _clauses(spec: dict) -> dict:
    v, m, region = spec["vmbo_name"], spec["mbo_name"], spec["region"]
    return dict(
        facilities_use=f"Leerlingen van {v} gebruiken de praktijklokalen van {m}; docenten gebruiken elkaars "
                       "lokalen en materialen zonder verrekening. Demodata.",
        cooperation_form=f"Doorlopende leerroute van {v} en {m} in {region}. Demodata.",
        governance=f"Een stuurgroep van {v} en {m} vergadert vier keer per jaar. Demodata.",
        design="Eén team van vmbo- en mbo-docenten en een doorlopend programma zonder dubbelingen. Demodata.",
        complaints_procedure="De klachtenregeling van de school waar de leerling of student is ingeschreven. "
                             "Demodata.",
        sector=spec["sector"], mbo_domain_code=spec["domain"],
        employer_role=f"Leerbedrijven uit {region} kiezen mee in de kwalificaties en verzorgen de "
                      "beroepspraktijkvorming. Demodata.",
        team_qualification=False,
        participation=f"De medezeggenschapsraden van {v} en {m} hebben ingestemd. Demodata.",
        transfer_option="Wie de route verlaat, kan altijd verder in vmbo-bb of op mbo niveau 2 (zie de fasen).",
        funding_purpose=f"Het deel van de lumpsum vo voor de mbo-lessen gaat naar {m}. Demodata.",
    )


def _routes(session: Session, titles) -> list[LearningRoute]:
    return list(session.scalars(select(LearningRoute).where(LearningRoute.title.in_(titles),
                                                            LearningRoute.archived_at.is_(None))))


def _exists(session: Session, title: str) -> bool:
    return session.scalar(select(Agreement.id).where(Agreement.title == title)) is not None


def seed(session: Session, result) -> None:
    users = result.users
    perron_user = users.get("coordinator.perron@demo.leerroutes.nl")
    a12_user = users.get("coordinator.a12@demo.leerroutes.nl")
    insula_user = users.get("coordinator.insula@demo.leerroutes.nl")
    routes = _routes(session, PERRON_ROUTES)
    if routes and perron_user and a12_user and not _exists(session, PERRON_TITLE):
        _seed_perron(session, routes, perron_user, a12_user)
    routes = _routes(session, TALENT_ROUTES)
    if routes and insula_user and not _exists(session, TALENT_TITLE):
        operations.create_agreement(session, dict(
            title=TALENT_TITLE, start_date=date(2027, 8, 1), end_date=date(2031, 7, 31),
            route_ids=[r.id for r in routes], is_demo=True, sector="Techniek", mbo_domain_code="TP",
            cooperation_form="Technologieroute van twee vmbo-scholen met één mbo-instelling (in uitwerking).",
            employer_role="Installatiebedrijven uit de Drechtsteden denken mee over de kwalificaties.",
        ), insula_user)
    for spec in SIGNED_DEMO:
        routes = _routes(session, spec["routes"])
        vmbo_user, mbo_user = users.get(spec["vmbo"]), users.get(spec["mbo"])
        if routes and vmbo_user and mbo_user and not _exists(session, spec["title"]):
            _seed_signed(session, spec, routes, vmbo_user, mbo_user)
    session.flush()


def _seed_signed(session, spec, routes, vmbo_user, mbo_user) -> None:
    """A complete agreement for the current school years, signed by both parties."""
    agreement = operations.create_agreement(session, dict(
        title=spec["title"], start_date=date(2023, 8, 1), end_date=date(2029, 7, 31),
        route_ids=[r.id for r in routes], is_demo=True, **_clauses(spec),
        examining_organisation_id=mbo_user.organisation_id,
    ), vmbo_user)
    vmbo = next(p for p in agreement.parties if p.organisation_id == vmbo_user.organisation_id)
    mbo = next(p for p in agreement.parties if p.organisation_id == mbo_user.organisation_id)
    shares = []
    for year in period_school_years(agreement.start_date, agreement.end_date):
        shares += [dict(stream="lumpsum_vo", school_year=year, party_id=vmbo.id, percentage=Decimal("60.00")),
                   dict(stream="lumpsum_vo", school_year=year, party_id=mbo.id, percentage=Decimal("40.00"))]
    funding.set_funding(session, agreement, shares, [], vmbo_user)
    funding.set_guarantee(session, agreement, 36, [
        dict(from_month=1, to_month=18, destination="vmbo_bb", responsible_party_id=vmbo.id, max_wait_days=5,
             description="Een ander profiel of een andere route in vmbo-bb."),
        dict(from_month=19, to_month=36, destination="mbo2", responsible_party_id=mbo.id, max_wait_days=10,
             description="Een andere opleiding op mbo niveau 2."),
    ], vmbo_user)
    lifecycle.send_for_signature(session, agreement, vmbo_user)
    for party in agreement.parties:
        signer = vmbo_user if party.organisation_id == vmbo_user.organisation_id else mbo_user
        lifecycle.sign(session, agreement, party, signer)


def _seed_perron(session, routes, perron_user, a12_user) -> None:
    org_a12 = a12_user.organisation_id
    agreement = operations.create_agreement(session, dict(
        title=PERRON_TITLE, start_date=date(2024, 8, 1), end_date=date(2028, 7, 31),
        route_ids=[r.id for r in routes], is_demo=True, **PERRON_CLAUSES, examining_organisation_id=org_a12,
    ), perron_user)
    vmbo = next(p for p in agreement.parties if p.role == "vmbo")
    mbo = next(p for p in agreement.parties if p.role == "mbo")
    shares, totals = [], []
    for year in period_school_years(agreement.start_date, agreement.end_date):
        shares += [dict(stream="lumpsum_vo", school_year=year, party_id=vmbo.id, percentage=Decimal("70.00")),
                   dict(stream="lumpsum_vo", school_year=year, party_id=mbo.id, percentage=Decimal("30.00")),
                   dict(stream="rijksbijdrage_mbo", school_year=year, party_id=vmbo.id, percentage=Decimal("33.33")),
                   dict(stream="rijksbijdrage_mbo", school_year=year, party_id=mbo.id, percentage=Decimal("66.67"))]
        totals += [dict(stream="lumpsum_vo", school_year=year, amount=Decimal("184250.00"),
                        recipient_party_id=vmbo.id, purpose="Lessen door mbo-docenten in vmbo-leerjaar 3 en 4"),
                   dict(stream="rijksbijdrage_mbo", school_year=year, amount=Decimal("96400.00"),
                        recipient_party_id=mbo.id, purpose="Begeleiding en huisvesting op Het Perron")]
    funding.set_funding(session, agreement, shares, totals, perron_user)
    funding.set_guarantee(session, agreement, 48, [
        dict(from_month=1, to_month=20, destination="vmbo_bb", responsible_party_id=vmbo.id, max_wait_days=5,
             description="Een ander profiel of een andere route in vmbo-bb op Het Perron of een andere CSV-school."),
        dict(from_month=21, to_month=48, destination="mbo2", responsible_party_id=mbo.id, max_wait_days=10,
             description="Een andere opleiding op mbo niveau 2 bij ROC A12."),
    ], perron_user)
    lifecycle.send_for_signature(session, agreement, perron_user)
    lifecycle.sign(session, agreement, vmbo, perron_user)
    lifecycle.sign(session, agreement, mbo, a12_user)
