"""A realistic synthetic data set at national scale, deterministic for a seed.

Scale 1 is the Netherlands today: the real 35 arbeidsmarktregio's, gemeenten
and 1,176 vmbo vestigingen (synthetic ones of the same number when the school
file is absent), 65 mbo institutions, 1,000 employers, 1,500 routes over
several school years, 900 agreements, 400 good practices and 300 users.
Larger scales add synthetic vestigingen and multiply the rest.

Everything comes from one random.Random(seed) and a fixed base date, so the
same seed gives the same rows (secrets such as password salts and session
tokens excepted). Rows are written with bulk Core inserts, not ORM objects;
one audit entry "generate" covers the whole run (and bumps the data version),
and the data set is labelled synthetic (setting dataset_label, is_demo rows).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.core.audit import record
from portal.core.errors import ServiceError
from portal.core.settings import DATASET_LABEL, get_setting, set_setting
from portal.devdata import areas, content
from portal.devdata.rows import BASE, insert_rows, stamp
from portal.models import (
    Municipality,
    MunicipalityRegion,
    Organisation,
    Region,
    User,
    organisation_pathways,
    organisation_profiles,
)
from portal.models.user import new_session_token
from portal.services.accounts.passwords import hash_password
from portal.services.reference.boundaries import import_municipalities, import_regions
from portal.services.reference.schools import import_schools
from portal.services.reference.vocabularies import seed_vocabularies

GENERATED = "synthetic_generated"
SYNTHETIC_PASSWORD = "synthetisch-wachtwoord-2026"
SYNTHETIC_DOMAIN = "synthetisch.leerroutes.nl"
REGION_YEAR = 2025
SCALE_ONE = {"schools": 1176, "mbo": 65, "employers": 1000, "routes": 1500, "agreements": 900,
             "practices": 400, "users": 300}


@dataclass
class GenerationReport:
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return ", ".join(f"{v} {k}" for k, v in self.counts.items())


@dataclass
class _School:
    id: int
    municipality_id: int | None
    region_id: int | None
    city: str
    pathways: list[str]
    profiles: list[str] = field(default_factory=list)


@dataclass
class _Ctx:
    session: Session
    rng: random.Random
    scale: float
    report: GenerationReport
    regions: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> (code, name)
    municipalities: dict[int, tuple[str, int | None]] = field(default_factory=dict)  # id -> (name, region)
    schools: list[_School] = field(default_factory=list)
    mbo: list[tuple[int, int | None]] = field(default_factory=list)  # (id, region)
    employers: list[tuple[int, int | None]] = field(default_factory=list)
    org_names: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> (name, governing body)
    users: list[tuple[int, str]] = field(default_factory=list)  # (id, role)

    def count(self, name: str, base: str | None = None, minimum: int = 1) -> int:
        return max(minimum, round(SCALE_ONE[base or name] * self.scale))


def generate(session: Session, *, scale: float, seed: int, data_dir: str | Path | None = None,
             practices: int | None = None, actor=None) -> GenerationReport:
    """Build the data set in the session (flushes, never commits)."""
    if scale <= 0 or scale > 50:
        raise ServiceError("De schaal moet groter dan 0 en hoogstens 50 zijn.", "scale")
    if get_setting(session, GENERATED):
        raise ServiceError("Deze database bevat al synthetische data; gebruik een lege database.", "scale")
    ctx = _Ctx(session=session, rng=random.Random(seed), scale=scale, report=GenerationReport())
    _ensure_reference(ctx, Path(data_dir) if data_dir else None)
    _load_geography(ctx)
    _schools(ctx)
    _institutions(ctx)
    _users(ctx)
    route_ids = areas.generate_routes(ctx)
    areas.generate_agreements(ctx, route_ids)
    areas.generate_practices(ctx, route_ids, practices)
    # Both settings are part of the one "generate" entry below.
    set_setting(session, DATASET_LABEL, "synthetic", audit=False)
    set_setting(session, GENERATED, f"scale={scale} seed={seed}", audit=False)
    record(session, actor, "synthetic_data", None, "generate",
           after={"scale": scale, "seed": seed, **ctx.report.counts})
    return ctx.report


# --- reference data ---------------------------------------------------------------

def _ensure_reference(ctx: _Ctx, data_dir: Path | None) -> None:
    session = ctx.session
    seed_vocabularies(session)
    files = {name: (data_dir / name if data_dir else None) for name in (
        f"arbeidsmarktregio_{REGION_YEAR}.geojson", f"gemeente_arbeidsmarktregio_{REGION_YEAR}.csv",
        "vo_vestigingen_2024.csv")}
    region_file, municipality_file, school_file = files.values()
    if session.scalar(select(Region.id).where(Region.year == REGION_YEAR).limit(1)) is None:
        if region_file and region_file.is_file() and municipality_file and municipality_file.is_file():
            import_regions(session, region_file.read_bytes(), REGION_YEAR)
            import_municipalities(session, municipality_file.read_bytes(), REGION_YEAR)
        else:
            _synthetic_geography(ctx)
            ctx.report.notes.append("Regiobestanden ontbreken: 35 synthetische regio's gemaakt.")
    has_schools = session.scalar(select(Organisation.id).where(Organisation.kind == "vmbo").limit(1))
    if has_schools is None:
        if school_file and school_file.is_file():
            import_schools(session, school_file.read_bytes())
        else:
            ctx.report.notes.append("Scholenbestand ontbreekt: synthetische vestigingen gemaakt.")


def _synthetic_geography(ctx: _Ctx) -> None:
    session = ctx.session
    region_ids = insert_rows(session, Region, [
        {"code": f"AM{n:02d}", "name": f"Synthetische regio {n}", "year": REGION_YEAR, "geometry": None}
        for n in range(1, 36)], ids=True)
    municipality_ids = insert_rows(session, Municipality, [
        {"code": f"GM9{n:03d}", "name": f"Gemeente {n} (synthetisch)"} for n in range(342)], ids=True)
    insert_rows(session, MunicipalityRegion, [
        {"municipality_id": m, "region_id": region_ids[i % 35], "year": REGION_YEAR}
        for i, m in enumerate(municipality_ids)])


def _load_geography(ctx: _Ctx) -> None:
    session = ctx.session
    for rid, code, name in session.execute(
            select(Region.id, Region.code, Region.name).where(Region.year == REGION_YEAR).order_by(Region.code)):
        ctx.regions[rid] = (code, name)
    rows = session.execute(
        select(Municipality.id, Municipality.name, MunicipalityRegion.region_id)
        .outerjoin(MunicipalityRegion, (MunicipalityRegion.municipality_id == Municipality.id)
                   & (MunicipalityRegion.year == REGION_YEAR))
        .order_by(Municipality.code))
    for mid, name, region_id in rows:
        ctx.municipalities[mid] = (name, region_id)


def _schools(ctx: _Ctx) -> None:
    """The vmbo vestigingen: real ones, topped up with synthetic ones to the
    scale's number; every school without profielen gets 1-3 (mostly)."""
    session, rng = ctx.session, ctx.rng
    existing = []
    for org_id, municipality_id, city, name, body in session.execute(
            select(Organisation.id, Organisation.municipality_id, Organisation.city, Organisation.name,
                   Organisation.governing_body_name)
            .where(Organisation.kind == "vmbo").order_by(Organisation.id)):
        existing.append((org_id, municipality_id, city))
        ctx.org_names[org_id] = (name, body or f"Bevoegd gezag van {name}")
    # Never fewer than the real 1,176 (or as many synthetic ones without the file).
    target = max(len(existing) or SCALE_ONE["schools"], round(SCALE_ONE["schools"] * ctx.scale))
    municipality_ids = sorted(ctx.municipalities)
    places: dict[int, list[tuple[float, float]]] = {}
    for mid, lat, lon in session.execute(
            select(Organisation.municipality_id, Organisation.lat, Organisation.lon)
            .where(Organisation.lat.is_not(None), Organisation.municipality_id.is_not(None))
            .order_by(Organisation.id)):
        places.setdefault(mid, []).append((lat, lon))
    new_rows = []
    for n in range(len(existing), target):
        mid = rng.choice(municipality_ids)
        city = ctx.municipalities[mid][0]
        # Near a real school of the gemeente, or somewhere in the Netherlands.
        lat, lon = rng.choice(places[mid]) if mid in places else (rng.uniform(51.4, 53.2), rng.uniform(4.2, 6.8))
        lat, lon = round(lat + rng.uniform(-0.02, 0.02), 6), round(lon + rng.uniform(-0.03, 0.03), 6)
        new_rows.append({
            "kind": "vmbo", "name": f"Synthetisch College {city} {n}", "brin": f"S{n // 100 % 1000:03d}",
            "vestigingsnummer": f"{n % 100:02d}", "vestigingscode": f"S{n:05d}", "municipality_id": mid,
            "city": city, "lat": lat, "lon": lon, "pupils": rng.randint(150, 1500), "is_demo": True,
            "governing_body_name": f"Stichting Synthetisch Onderwijs {city}",
            "created_at": stamp(rng), "updated_at": BASE})
    new_ids = insert_rows(session, Organisation, new_rows, ids=True)
    for org_id, row in zip(new_ids, new_rows, strict=False):
        ctx.org_names[org_id] = (row["name"], row["governing_body_name"])
    pathways: dict[int, list[str]] = {}
    for org_id, code in session.execute(select(organisation_pathways.c.organisation_id,
                                               organisation_pathways.c.pathway_code)):
        pathways.setdefault(org_id, []).append(code)
    pathway_rows = []
    for org_id in new_ids:
        chosen = rng.choice((["BB", "KB"], ["BB", "KB", "GL", "TL"], ["KB", "GL", "TL"], ["TL"]))
        pathways[org_id] = chosen
        pathway_rows += [{"organisation_id": org_id, "pathway_code": c} for c in chosen]
    insert_rows(session, organisation_pathways, pathway_rows)
    with_profiles = set(session.scalars(select(organisation_profiles.c.organisation_id).distinct()))
    all_schools = list(existing) + [(i, r["municipality_id"], r["city"]) for i, r in zip(new_ids, new_rows, strict=False)]
    profile_rows = []
    for org_id, municipality_id, city in all_schools:
        school = _School(org_id, municipality_id,
                         ctx.municipalities.get(municipality_id, (None, None))[1] if municipality_id else None,
                         city or "", sorted(pathways.get(org_id, [])))
        if org_id not in with_profiles:
            vocational = set(school.pathways) & {"BB", "KB", "GL"} or not school.pathways
            if vocational:
                count = content.weighted(rng, content.PROFILE_COUNT_WEIGHTS)
                school.profiles = content.weighted_sample(rng, content.PROFILE_WEIGHTS, count)
            if "TL" in school.pathways:
                school.profiles += content.weighted_sample(
                    rng, content.TL_PROFILE_WEIGHTS, 1 if rng.random() < 0.8 else 2)
            profile_rows += [{"organisation_id": org_id, "profile_code": c} for c in school.profiles]
        ctx.schools.append(school)
    insert_rows(session, organisation_profiles, profile_rows)
    ctx.report.counts["vmbo-vestigingen"] = len(all_schools)


def _institutions(ctx: _Ctx) -> None:
    """mbo institutions (at least one per region while there are enough) and employers."""
    session, rng = ctx.session, ctx.rng
    by_region: dict[int | None, list[int]] = {}
    for mid, (_, region_id) in sorted(ctx.municipalities.items()):
        by_region.setdefault(region_id, []).append(mid)
    region_ids = sorted(r for r in by_region if r is not None)
    for kind, number, prefixes in (("mbo", ctx.count("mbo"), content.MBO_PREFIXES),
                                   ("employer", ctx.count("employers"), content.EMPLOYER_PREFIXES)):
        rows = []
        for n in range(number):
            region_id = region_ids[n % len(region_ids)] if kind == "mbo" and n < len(region_ids) \
                else rng.choice(region_ids)
            mid = rng.choice(by_region[region_id])
            city = ctx.municipalities[mid][0]
            name = (f"{rng.choice(prefixes)} {city}" if kind == "mbo"
                    else f"{rng.choice(prefixes)} {rng.choice(content.SURNAMES)} {city}")
            name = f"{name} ({n + 1})" if kind == "mbo" and n >= len(region_ids) else name
            rows.append({"kind": kind, "name": name, "municipality_id": mid, "city": city,
                         "brin": f"{n % 100:02d}S{'ABCDEFGHJK'[n // 100 % 10]}" if kind == "mbo" else None,
                         "governing_body_name": f"Stichting {name}" if kind == "mbo" else name,
                         "is_demo": True, "created_at": stamp(rng), "updated_at": BASE})
        ids = insert_rows(session, Organisation, rows, ids=True)
        target = ctx.mbo if kind == "mbo" else ctx.employers
        for org_id, row in zip(ids, rows, strict=False):
            target.append((org_id, ctx.municipalities[row["municipality_id"]][1]))
            ctx.org_names[org_id] = (row["name"], row["governing_body_name"])
        ctx.report.counts["mbo-instellingen" if kind == "mbo" else "werkgevers"] = len(ids)


def _users(ctx: _Ctx) -> None:
    """Accounts with one shared synthetic password (hashed once: argon2 is slow)."""

    rng = ctx.rng
    password_hash = hash_password(SYNTHETIC_PASSWORD)
    number = ctx.count("users", minimum=4)
    organisations = [s.id for s in ctx.schools] + [m[0] for m in ctx.mbo]
    rows = []
    for n in range(number):
        role = ("staff", "admin")[n] if n < 2 else content.weighted(
            rng, {"coordinator": 60, "reader": 30, "staff": 8, "admin": 2})
        email = {0: f"programma@{SYNTHETIC_DOMAIN}", 1: f"beheer@{SYNTHETIC_DOMAIN}"}.get(
            n, f"gebruiker{n:05d}@{SYNTHETIC_DOMAIN}")
        rows.append({"email": email, "name": f"{content.person_name(rng)} (synthetisch)", "role": role,
                     "password_hash": password_hash, "session_token": new_session_token(),
                     "organisation_id": rng.choice(organisations) if role == "coordinator" else None,
                     "active": True, "is_demo": True, "created_at": stamp(rng)})
    ids = insert_rows(ctx.session, User, rows, ids=True)
    ctx.users = [(i, r["role"]) for i, r in zip(ids, rows, strict=False)]
    ctx.report.counts["gebruikers"] = len(ids)
