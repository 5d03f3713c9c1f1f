"""Small demo data set, labelled as demo, on top of the real reference data.

The organisations of the real examples in shared/context/ (the 2018 letter
"Programma sterk beroepsonderwijs") are taken from the real school list where
it holds them (matched by vestigingscode); where it does not, or when the
school list is not loaded, a demo organisation with the same name is created. The
mbo institutions are the real ones, matched by BRIN (flask mbo import).
Employers and users are fictional. Safe to rerun: everything is looked up
before it is created.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.core.settings import DATASET_LABEL, get_setting, set_setting
from portal.domain.organisations import ADDABLE_KINDS
from portal.models import Municipality, Organisation, Pathway, Profile, User
from portal.services.accounts.users import create_user, find_user_by_email
from portal.services.organisations.partners import PartnerInput, create_partner
from seeds import demo_agreements, demo_outcomes, demo_plans, demo_practices, demo_routes

DEMO_PASSWORD = "demo-wachtwoord-2026"

# key: (kind, name, vestigingscode or None, BRIN (mbo), gemeente code, governing body, leerwegen, profielen).
# The mbo institutions are the real ones (by BRIN) when the mbo reference data is loaded.
DEMO_ORGANISATIONS: dict[str, dict] = {
    # Het Perron, Veenendaal: CSV Veenendaal with ROC A12 (2018 letter).
    "perron": dict(kind="vmbo", name="Het Perron voor VMBO en Praktijkonderwijs", code="02MF00",
                   gm="GM0345", city="Veenendaal", gb="Christelijke Scholengemeenschap Veenendaal (CSV)",
                   pathways=["BB", "KB", "GL", "TL"], profiles=["ZW", "HBR", "MT", "PIE", "EO"]),
    "roc_a12": dict(kind="mbo", name="ROC A12", brin="25PM", gm="GM0228", city="Ede", gb="Stichting ROC A12"),
    # Talentontwikkeling Techniek: Da Vinci College with De Uilenhof (Gorinchem) and Insula College (Dordrecht).
    "insula": dict(kind="vmbo", name="Insula College (vmbo)", code="02CI01", gm="GM0505", city="Dordrecht",
                   gb="Stichting Insula College", pathways=["BB", "KB", "GL", "TL"],
                   profiles=["PIE", "BWI", "MVI", "TL-TE"]),
    "uilenhof": dict(kind="vmbo", name="De Uilenhof (CVO AV)", gm="GM0512", city="Gorinchem",
                     gb="Stichting CVO AV", pathways=["BB", "KB", "GL", "TL"], profiles=["PIE", "MAT", "TL-TE"]),
    "da_vinci": dict(kind="mbo", name="ROC Da Vinci College", brin="20MQ", gm="GM0505", city="Dordrecht",
                     gb="Stichting ROC Da Vinci College"),
    # Technologie & Toepassing: Dr.-Knippenbergcollege, Helmond, with ROC Ter AA.
    "knippenberg": dict(kind="vmbo", name="Dr.-Knippenbergcollege", code="20JX04", gm="GM0794",
                        city="Helmond", gb="OMO Scholengroep Helmond", pathways=["TL"],
                        profiles=["TL-TE", "TL-EC"]),
    "ter_aa": dict(kind="mbo", name="ROC Ter AA", brin="25LJ", gm="GM0794", city="Helmond", gb="Stichting ROC Ter AA"),
    # Profijt, Achterhoek: a cooperation of vmbo schools and the mbo in the region.
    "schaersvoorde": dict(kind="vmbo", name="Christelijk College Schaersvoorde (Aalten)", code="00LJ05",
                          gm="GM0197", city="Aalten", gb="Stichting Christelijk College Schaersvoorde",
                          pathways=["BB", "KB", "TL"], profiles=["ZW", "PIE", "EO", "GR"]),
    "graafschap": dict(kind="mbo", name="Graafschap College", brin="24ZZ", gm="GM0222", city="Doetinchem",
                       gb="Stichting Graafschap College"),
    # Fictional employers (demo).
    "zorg_veenendaal": dict(kind="employer", name="Zorgcentrum De Vallei (demo)", gm="GM0345", city="Veenendaal"),
    "techniek_dordrecht": dict(kind="employer", name="Installatiebedrijf Merwede (demo)", gm="GM0505",
                               city="Dordrecht"),
    "metaal_achterhoek": dict(kind="employer", name="Metaalbewerking Achterhoek (demo)", gm="GM0222",
                              city="Doetinchem"),
    "helmond_tech": dict(kind="employer", name="Machinebouw De Peel (demo)", gm="GM0794", city="Helmond"),
}

DEMO_USERS = (
    # email, name, role, organisation key
    ("beheer@demo.leerroutes.nl", "Anna Beheer (demo)", "admin", None),
    ("programma@demo.leerroutes.nl", "Pieter Programma (demo)", "staff", None),
    ("coordinator.perron@demo.leerroutes.nl", "Carla Coördinator Het Perron (demo)", "coordinator", "perron"),
    ("coordinator.a12@demo.leerroutes.nl", "Mo Coördinator ROC A12 (demo)", "coordinator", "roc_a12"),
    ("coordinator.davinci@demo.leerroutes.nl", "Daan Coördinator Da Vinci (demo)", "coordinator", "da_vinci"),
    ("coordinator.insula@demo.leerroutes.nl", "Ilse Coördinator Insula (demo)", "coordinator", "insula"),
    # Coordinators who sign the demo agreements of the other letter examples.
    ("coordinator.uilenhof@demo.leerroutes.nl", "Umar Coördinator De Uilenhof (demo)", "coordinator", "uilenhof"),
    ("coordinator.knippenberg@demo.leerroutes.nl", "Kees Coördinator Knippenberg (demo)", "coordinator",
     "knippenberg"),
    ("coordinator.teraa@demo.leerroutes.nl", "Tara Coördinator Ter AA (demo)", "coordinator", "ter_aa"),
    ("coordinator.schaersvoorde@demo.leerroutes.nl", "Sanne Coördinator Schaersvoorde (demo)", "coordinator",
     "schaersvoorde"),
    ("coordinator.graafschap@demo.leerroutes.nl", "Gijs Coördinator Graafschap College (demo)", "coordinator",
     "graafschap"),
    ("docent@demo.leerroutes.nl", "Lotte Lezer (demo)", "reader", None),
)


@dataclass
class DemoResult:
    organisations: dict[str, Organisation]
    users: dict[str, User]
    created_users: list[User] = field(default_factory=list)


def _organisation(session: Session, spec: dict) -> Organisation:
    org = None
    if spec.get("code"):
        org = session.scalar(select(Organisation).where(Organisation.vestigingscode == spec["code"]))
    if org is None and spec.get("brin"):
        org = session.scalar(select(Organisation).where(Organisation.kind == "mbo",
                                                        Organisation.brin == spec["brin"]))
    if org is None:
        org = session.scalar(
            select(Organisation).where(Organisation.kind == spec["kind"], Organisation.name == spec["name"])
        )
    if org is None and spec["kind"] in ADDABLE_KINDS:
        # Demo employers come in through the service a coordinator's add form uses.
        municipality = session.scalar(select(Municipality).where(Municipality.code == spec["gm"]))
        org = create_partner(session, None, PartnerInput(
            name=spec["name"], kind=spec["kind"], municipality_id=municipality.id if municipality else None,
            city=spec.get("city")), confirm_similar=True, is_demo=True)
    if org is None:
        municipality = session.scalar(select(Municipality).where(Municipality.code == spec["gm"]))
        org = Organisation(
            kind=spec["kind"], name=spec["name"], city=spec.get("city"), brin=spec.get("brin"),
            municipality_id=municipality.id if municipality else None, is_demo=True,
        )
        session.add(org)
    if spec.get("gb") and not org.governing_body_name:
        org.governing_body_name = spec["gb"]
    if spec.get("profiles") and not org.profiles:
        org.profiles = list(session.scalars(select(Profile).where(Profile.code.in_(spec["profiles"]))))
    if spec.get("pathways") and not org.pathways:
        org.pathways = list(session.scalars(select(Pathway).where(Pathway.code.in_(spec["pathways"]))))
    session.flush()
    return org


def seed_demo_organisations(session: Session) -> dict[str, Organisation]:
    return {key: _organisation(session, spec) for key, spec in DEMO_ORGANISATIONS.items()}


def seed_demo_users(session: Session, orgs: dict[str, Organisation]) -> tuple[dict[str, User], list[User]]:
    users: dict[str, User] = {}
    created: list[User] = []
    for email, name, role, org_key in DEMO_USERS:
        user = find_user_by_email(session, email)
        if user is None:
            user = create_user(session, email=email, name=name, role=role, password=DEMO_PASSWORD,
                               organisation=orgs[org_key] if org_key else None, is_demo=True)
            created.append(user)
        users[email] = user
    return users, created


def seed_demo(session: Session) -> DemoResult:
    """Load the demo data; returns what exists and which users were new."""
    orgs = seed_demo_organisations(session)
    users, created = seed_demo_users(session, orgs)
    if get_setting(session, DATASET_LABEL) is None:
        set_setting(session, DATASET_LABEL, "demo")
    result = DemoResult(organisations=orgs, users=users, created_users=created)
    for step in _area_steps():
        step(session, result)
    session.flush()
    return result


def _area_steps():
    """Each area's demo content, in order: routes first (agreements, the map
    and the dashboard build on them), then practices, then the agreements that
    cover the routes; DLR/GLR become actief once a signed agreement covers them;
    then the routes' outcomes, measured against those agreements' guarantees."""
    return [demo_routes.seed, demo_practices.seed, demo_agreements.seed, demo_routes.activate,
            demo_outcomes.seed, demo_plans.seed]
