"""Demo leerroutes: the real examples of the 2018 letter (Het Perron, Talentontwikkeling
Techniek, Profijt, Technologie & Toepassing) plus enough routes over several school
years and regions for the map and the dashboard. All labelled demo; registered
through the route service (so they obey the rules); safe to rerun (looked up by
title before creating)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.core.errors import ServiceError
from portal.models import LearningRoute
from portal.services.agreements.queries import COVERAGE_KINDS
from portal.services.learning_routes.operations import register_route, update_route

DEMO_CONTACT = "demo@demo.leerroutes.nl"

# title, kind, status, vmbo keys, mbo keys, employer keys, pathways, profiles, level, domain,
# crebo, qualification, first year, last year, pupils, description
DEMO_ROUTES: tuple[dict, ...] = (
    # Het Perron (Veenendaal) with ROC A12: vmbo-bb/kb pupils to an mbo-2 diploma in the vmbo.
    dict(title="Het Perron GLR Helpende Zorg en Welzijn", kind="glr", status="voorbereiding",
         vmbo=["perron"], mbo=["roc_a12"], employers=["zorg_veenendaal"], pathways=["BB", "KB"], profiles=["ZW"],
         level="2", domain="ZW", crebo="25498", qualification="Helpende zorg en welzijn",
         first="2026-2027", pupils=18,
         description="Geïntegreerde route van Het Perron en ROC A12: vanaf vmbo-3 in de vertrouwde "
                     "omgeving naar het mbo-2-diploma Helpende Zorg en Welzijn. Demodata naar het voorbeeld "
                     "uit de brief Programma sterk beroepsonderwijs (2018)."),
    dict(title="Het Perron vakmanschaproute Kok", kind="vakmanschap", status="actief",
         vmbo=["perron"], mbo=["roc_a12"], pathways=["BB", "KB"], profiles=["HBR"], level="2", domain="HB",
         qualification="Kok", first="2019-2020", pupils=12,
         description="Vakmanschaproute van Het Perron en ROC A12 naar Kok (niveau 2). Demodata."),
    dict(title="Het Perron vakmanschaproute Verkoper", kind="vakmanschap", status="actief",
         vmbo=["perron"], mbo=["roc_a12"], pathways=["BB", "KB"], profiles=["EO"], level="2", domain="HO",
         qualification="Verkoper", first="2019-2020", pupils=10, description="Demodata."),
    dict(title="Het Perron vakmanschaproute Autotechnicus", kind="vakmanschap", status="actief",
         vmbo=["perron"], mbo=["roc_a12"], pathways=["BB", "KB"], profiles=["MT"], level="2", domain="MOV",
         qualification="Autotechnicus", first="2020-2021", pupils=9, description="Demodata."),
    dict(title="Het Perron vakmanschaproute Metaaltechniek", kind="vakmanschap", status="actief",
         vmbo=["perron"], mbo=["roc_a12"], pathways=["BB", "KB"], profiles=["PIE"], level="2", domain="TP",
         qualification="Medewerker metaal", first="2020-2021", last="2024-2025", pupils=8,
         description="Demodata."),
    dict(title="Het Perron vakmanschaproute Logistiek medewerker", kind="vakmanschap", status="actief",
         vmbo=["perron"], mbo=["roc_a12"], pathways=["BB", "KB"], profiles=["MT"], level="2", domain="TSL",
         qualification="Logistiek medewerker", first="2021-2022", pupils=10,
         description="Demodata."),
    # Talentontwikkeling Techniek (Dordrecht/Gorinchem): technologieroute KB/GL/TL -> niveau 4.
    dict(title="Talentontwikkeling Techniek", kind="technologie", status="actief",
         vmbo=["insula", "uilenhof"], mbo=["da_vinci"], employers=["techniek_dordrecht"],
         pathways=["KB", "GL", "TL"], profiles=["PIE", "TL-TE"], level="4", domain="TP",
         first="2016-2017", pupils=40,
         description="Technologieroute van Insula College en De Uilenhof met ROC Da Vinci College: "
                     "vmbo-kb/gl/tl naar mbo-4 techniek. Demodata naar het voorbeeld uit de brief (2018)."),
    dict(title="Talentontwikkeling Techniek – Installatietechniek DLR", kind="dlr", status="actief",
         vmbo=["insula"], mbo=["da_vinci"], employers=["techniek_dordrecht"], pathways=["KB"], profiles=["PIE"],
         level="3", domain="TP", first="2023-2024", pupils=15, description="Demodata."),
    dict(title="Gorinchem DLR Maritiem en techniek", kind="dlr", status="actief",
         vmbo=["uilenhof"], mbo=["da_vinci"], pathways=["BB", "KB"], profiles=["MAT"], level="2", domain="TSL",
         first="2024-2025", pupils=12, description="Demodata."),
    # Profijt (Achterhoek): doorlopende leerroute.
    dict(title="Profijt Achterhoek", kind="dlr", status="actief",
         vmbo=["schaersvoorde"], mbo=["graafschap"], employers=["metaal_achterhoek"], pathways=["BB", "KB"],
         profiles=["PIE", "ZW"], level="2", domain="TP", first="2017-2018", pupils=25,
         description="Profijt: doorlopende leerroute vmbo–mbo in de Achterhoek, met het regionale "
                     "bedrijfsleven. Demodata naar het voorbeeld uit de brief (2018)."),
    dict(title="Profijt Zorg en welzijn niveau 3", kind="dlr", status="actief",
         vmbo=["schaersvoorde"], mbo=["graafschap"], pathways=["KB"], profiles=["ZW"], level="3", domain="ZW",
         first="2025-2026", pupils=14, description="Demodata."),
    dict(title="Achterhoek GLR Groen", kind="glr", status="concept",
         vmbo=["schaersvoorde"], mbo=["graafschap"], pathways=["BB"], profiles=["GR"], level="2", domain="VNL",
         crebo="25420", qualification="Medewerker groene ruimte (demo: crebo ter illustratie)", first="2027-2028", description="Demodata."),
    # Technologie & Toepassing (Helmond): leerlab.
    dict(title="Technologie & Toepassing", kind="leerlab", status="actief",
         vmbo=["knippenberg"], mbo=["ter_aa"], employers=["helmond_tech"], pathways=["TL"],
         profiles=["TL-TE"], level=None, domain="TP", first="2018-2019", pupils=30,
         description="Leerlab van het Dr.-Knippenbergcollege en ROC Ter AA: tl-leerlingen werken aan "
                     "technologie in toepassing. Demodata naar het voorbeeld uit de brief (2018)."),
    dict(title="Helmond DLR Techniek niveau 4", kind="dlr", status="actief",
         vmbo=["knippenberg"], mbo=["ter_aa"], employers=["helmond_tech"], pathways=["TL"],
         profiles=["TL-TE"], level="4", domain="TP", first="2025-2026", pupils=16, description="Demodata."),
    dict(title="FoodValley beroepsroute Economie", kind="beroeps", status="beeindigd",
         vmbo=["perron"], mbo=["roc_a12"], pathways=["KB", "GL"], profiles=["EO"], level="4", domain="EA",
         first="2015-2016", last="2021-2022", pupils=11, description="Demodata."),
)


def _payload(spec: dict, orgs, status: str) -> dict:
    return {
        "title": spec["title"], "kind": spec["kind"], "status": status,
        "vmbo_parties": [orgs[k].id for k in spec["vmbo"]],
        "mbo_parties": [orgs[k].id for k in spec["mbo"]],
        "employer_parties": [orgs[k].id for k in spec.get("employers", [])],
        "pathways": spec["pathways"], "profiles": spec["profiles"], "mbo_level": spec["level"],
        "mbo_domain": spec["domain"], "crebo": spec.get("crebo"),
        "qualification_name": spec.get("qualification"), "first_school_year": spec["first"],
        "last_school_year": spec.get("last"), "pupils_per_cohort": spec.get("pupils"),
        "teaching_location": "vmbo" if spec["kind"] == "glr" else "beide",
        "contact_name": "Contactpersoon (demo)", "contact_email": DEMO_CONTACT,
        "description": spec["description"],
    }


def _waits_for_agreement(spec: dict) -> bool:
    """A DLR or GLR is actief only under a signed agreement (issue 4), so it is
    registered in voorbereiding and activated after the agreements' seed."""
    return spec["status"] == "actief" and spec["kind"] in COVERAGE_KINDS


def seed(session: Session, result) -> None:
    orgs = result.organisations
    actor = result.users.get("programma@demo.leerroutes.nl")
    existing = set(session.scalars(select(LearningRoute.title).where(LearningRoute.is_demo.is_(True))))
    for spec in DEMO_ROUTES:
        if spec["title"] in existing:
            continue
        status = "voorbereiding" if _waits_for_agreement(spec) else spec["status"]
        register_route(session, _payload(spec, orgs, status), actor, is_demo=True)
    session.flush()


def activate(session: Session, result) -> None:
    """Set the demo DLR/GLR that are meant to run to actief, through the route
    service: it checks that a signed agreement covers them. One the agreements'
    seed did not cover stays in voorbereiding."""
    orgs = result.organisations
    actor = result.users.get("programma@demo.leerroutes.nl")
    for spec in DEMO_ROUTES:
        if not _waits_for_agreement(spec):
            continue
        route = session.scalar(select(LearningRoute).where(LearningRoute.title == spec["title"],
                                                          LearningRoute.is_demo.is_(True),
                                                          LearningRoute.archived_at.is_(None)))
        if route is None or route.status != "voorbereiding":
            continue
        try:
            update_route(session, route, _payload(spec, orgs, "actief"), actor, expected_version=None)
        except ServiceError as exc:
            if set(exc.errors) != {"status"}:
                raise
    session.flush()
