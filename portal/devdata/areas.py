"""The synthetic routes, agreements and good practices (see generator.py)."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import text

from portal.devdata import content
from portal.devdata.rows import BASE, insert_rows, stamp
from portal.domain import vocab
from portal.domain.practices import THEME_NAMES
from portal.models import LearningRoute, RouteParty, route_pathways, route_profiles
from portal.models.agreement import (
    Agreement,
    AgreementParty,
    AgreementVersion,
    FundingShare,
    FundingTotal,
    TransferGuarantee,
    agreement_in_force_routes,
    agreement_routes,
)
from portal.models.practice import (
    GoodPractice,
    PracticeFacetKey,
    PracticeTag,
    PracticeTheme,
    practice_domains,
    practice_levels,
    practice_organisations,
    practice_regions,
    practice_routes,
)
from portal.services.practices.search import index_text

PROFILE_NAMES = vocab.names(vocab.PROFILES)
DOMAIN_NAMES = vocab.names(vocab.MBO_DOMAINS)
LEVEL_NAMES = vocab.names(vocab.MBO_LEVELS)


def _region_weights(ctx) -> dict[int, float]:
    """Skewed: some regions have many routes, a few (three) none."""
    rng = ctx.rng
    region_ids = sorted({s.region_id for s in ctx.schools if s.region_id is not None and s.profiles})
    weights = {r: rng.lognormvariate(0, 0.9) for r in region_ids}
    for r in rng.sample(region_ids, k=min(3, max(0, len(region_ids) - 1))):
        weights[r] = 0.0
    return weights


def generate_routes(ctx) -> list[dict]:
    """Routes with their parties, profielen and leerwegen. Returns per route a
    small dict (id, kind, region, parties, years) for agreements and practices."""
    rng, session = ctx.rng, ctx.session
    weights = _region_weights(ctx)
    schools_by_region: dict[int, list] = {}
    for school in ctx.schools:
        if school.region_id in weights and school.profiles:
            schools_by_region.setdefault(school.region_id, []).append(school)
    mbo_by_region: dict[int | None, list[int]] = {}
    for org_id, region_id in ctx.mbo:
        mbo_by_region.setdefault(region_id, []).append(org_id)
    employers_by_region: dict[int | None, list[int]] = {}
    for org_id, region_id in ctx.employers:
        employers_by_region.setdefault(region_id, []).append(org_id)
    creators = [u for u, role in ctx.users if role == "coordinator"] or [ctx.users[0][0]]

    rows, meta = [], []
    for n in range(ctx.count("routes")):
        region_id = content.weighted(rng, weights)
        school = rng.choice(schools_by_region[region_id])
        profile = content.weighted(rng, {p: content.ROUTE_PROFILE_WEIGHTS[p] for p in school.profiles})
        kind = content.weighted(rng, content.KIND_WEIGHTS)
        level = content.weighted(rng, content.KIND_LEVELS[kind])
        domain = rng.choice(content.PROFILE_DOMAINS[profile])
        first, last, status = _years_and_status(rng, kind)
        qualification = rng.choice(content.QUALIFICATIONS.get(domain, ("Medewerker",)))
        parties = [("vmbo", school.id)]
        if rng.random() < 0.2 and len(schools_by_region[region_id]) > 1:
            other = rng.choice(schools_by_region[region_id])
            if other.id != school.id:
                parties.append(("vmbo", other.id))
        parties.append(("mbo", rng.choice(mbo_by_region.get(region_id) or [m for m, _ in ctx.mbo])))
        if rng.random() < 0.4 and employers_by_region.get(region_id):
            parties.append(("employer", rng.choice(employers_by_region[region_id])))
        created = stamp(rng)
        rows.append({
            "title": f"{content.KIND_TITLES[kind]} {PROFILE_NAMES[profile]} niveau {level} – {school.city}",
            "kind_code": kind, "mbo_level_code": level, "mbo_domain_code": domain,
            "crebo": f"2{rng.randint(5000, 5999):04d}", "qualification_name": qualification,
            "teaching_location": rng.choice(("vmbo", "mbo", "beide", "beide")),
            "first_school_year": content.school_year(first),
            "last_school_year": content.school_year(last) if last else None,
            "status": status, "pupils_per_cohort": rng.randint(6, 40),
            "contact_name": content.person_name(rng), "contact_email": f"route{n}@synthetisch.leerroutes.nl",
            "contact_phone": None, "description": content.paragraph(rng, 3),
            "created_by_id": rng.choice(creators),
            "archived_at": BASE if rng.random() < 0.02 else None,
            "is_demo": True, "created_at": created, "updated_at": created,
        })
        pathways = [p for p in content.LEVEL_PATHWAYS[level] if p in school.pathways] or \
            list(content.LEVEL_PATHWAYS[level][:1])
        meta.append({"kind": kind, "region": region_id, "parties": parties, "first": first,
                     "last": last, "status": status, "profile": profile, "level": level,
                     "domain": domain, "pathways": pathways, "title": rows[-1]["title"]})
    ids = insert_rows(session, LearningRoute, rows, ids=True)
    party_rows, profile_rows, pathway_rows = [], [], []
    for route_id, m in zip(ids, meta, strict=False):
        m["id"] = route_id
        party_rows += [{"route_id": route_id, "organisation_id": org, "role": role} for role, org in m["parties"]]
        profile_rows.append({"route_id": route_id, "profile_code": m["profile"]})
        pathway_rows += [{"route_id": route_id, "pathway_code": p} for p in m["pathways"]]
    insert_rows(session, RouteParty, party_rows)
    insert_rows(session, route_profiles, profile_rows)
    insert_rows(session, route_pathways, pathway_rows)
    ctx.report.counts["leerroutes"] = len(ids)
    return meta


def _years_and_status(rng, kind: str) -> tuple[int, int | None, str]:
    if kind in content.EXPERIMENT_KINDS:  # the 2014-2022 experiment
        first = rng.randint(2014, 2019)
        return first, min(2021, first + rng.randint(2, 4)), "beeindigd"
    first = rng.randint(2019, 2026)
    if first >= 2026:
        return first, None, "voorbereiding"
    roll = rng.random()
    if roll < 0.08:
        return first, None, "concept"
    if roll < 0.14 and first <= 2022:
        return first, first + 2, "beeindigd"
    return first, None, "actief"


# --- agreements --------------------------------------------------------------------

def _split_100(rng, n: int) -> list[Decimal]:
    """n shares in steps of 5 % that add up to exactly 100.00."""
    if n == 1:
        return [Decimal("100.00")]
    cuts = sorted(rng.sample(range(1, 20), n - 1))
    parts = [b - a for a, b in zip([0] + cuts, cuts + [20], strict=False)]
    return [Decimal(p * 5).quantize(Decimal("0.01")) for p in parts]


def generate_agreements(ctx, routes: list[dict]) -> None:  # noqa: C901  one pass that writes the agreement, its parties, shares, totals and phases
    rng, session = ctx.rng, ctx.session
    candidates = [r for r in routes if r["status"] != "concept"]
    by_region: dict[int, list[dict]] = {}
    for r in candidates:
        by_region.setdefault(r["region"], []).append(r)
    number = min(ctx.count("agreements"), len(candidates))
    chosen = rng.sample(candidates, k=number)
    rows, meta = [], []
    for route in chosen:
        linked = [route]
        if rng.random() < 0.25:
            other = rng.choice(by_region[route["region"]])
            if other["id"] != route["id"]:
                linked.append(other)
        parties: dict[int, str] = {}
        for r in linked:
            for role, org in r["parties"]:
                parties.setdefault(org, role)
        start = date(route["first"], 8, 1)
        end = date(route["first"] + rng.randint(2, 5), 7, 31)
        status = content.weighted(rng, {"getekend": 62, "ter_ondertekening": 10, "concept": 15,
                                        "opgezegd": 4})
        if status == "getekend" and end < BASE.date():
            status = "verlopen"
        duration = 24 if route["kind"] == "glr" else rng.choice((24, 36, 48))
        mbo_org = next(org for org, role in parties.items() if role == "mbo")
        created = stamp(rng)
        rows.append({
            "title": f"Samenwerkingsovereenkomst {route['title']}", "status": status,
            "start_date": start, "end_date": end, "is_internal": False, "revision": 1,
            "facilities_use": content.paragraph(rng, 1), "cooperation_form": content.paragraph(rng, 1),
            "governance": content.paragraph(rng, 1), "design": content.paragraph(rng, 2),
            "complaints_procedure": "De klachtenregeling van de school waar de leerling staat ingeschreven.",
            "sector": DOMAIN_NAMES.get(route["domain"]), "mbo_domain_code": route["domain"],
            "employer_role": "Biedt stageplaatsen en gastlessen." if "employer" in parties.values() else None,
            "examining_organisation_id": mbo_org, "team_qualification": rng.random() < 0.5,
            "participation": content.paragraph(rng, 1), "transfer_option": content.paragraph(rng, 1),
            "funding_purpose": "Inzet van docenten en gebruik van praktijkruimten.",
            "route_duration_months": duration,
            "signed_at": created if status in ("getekend", "verlopen", "opgezegd") else None,
            # Signed by all: version 1 is the version in force (domain/in_force.py).
            "in_force_revision": 1 if status in ("getekend", "verlopen", "opgezegd") else None,
            "in_force_start_date": start if status in ("getekend", "verlopen", "opgezegd") else None,
            "in_force_end_date": end if status in ("getekend", "verlopen", "opgezegd") else None,
            "sent_at": created if status != "concept" else None,
            "terminated_on": BASE.date() - timedelta(days=30) if status == "opgezegd" else None,
            "termination_reason": "De route is gestopt." if status == "opgezegd" else None,
            "created_by_id": ctx.users[0][0], "is_demo": True, "created_at": created, "updated_at": created,
        })
        meta.append((linked, parties, status, duration, route["first"]))
    ids = insert_rows(session, Agreement, rows, ids=True)
    link_rows, party_rows = [], []
    for agreement_id, (linked, parties, status, _, _) in zip(ids, meta, strict=False):
        link_rows += [{"agreement_id": agreement_id, "route_id": r["id"]} for r in linked]
        signed = status in ("getekend", "verlopen", "opgezegd")
        for org, role in parties.items():
            name, body = ctx.org_names.get(org, (None, None))
            party_rows.append({
                "agreement_id": agreement_id, "organisation_id": org, "role": role,
                "governing_body_name": body or f"Bevoegd gezag {org}", "governing_body_number": None,
                "signed_at": BASE - timedelta(days=rng.randint(30, 900)) if signed else None,
                "signed_by_id": None, "signed_by_name": content.person_name(rng) if signed else None,
                "signed_on_behalf_of": (body or f"Bevoegd gezag {org}") if signed else None})
    insert_rows(session, agreement_routes, link_rows)
    # Signed by all: the routes of version 1 are those in force.
    signed_ids = {agreement_id for agreement_id, (_, _, status, _, _) in zip(ids, meta, strict=False)
                  if status in ("getekend", "verlopen", "opgezegd")}
    insert_rows(session, agreement_in_force_routes, [r for r in link_rows if r["agreement_id"] in signed_ids])
    party_ids = insert_rows(session, AgreementParty, party_rows, ids=True)
    parties_of: dict[int, list[tuple[int, str]]] = {}
    for pid, row in zip(party_ids, party_rows, strict=False):
        parties_of.setdefault(row["agreement_id"], []).append((pid, row["role"]))
    shares, totals, phases, versions = [], [], [], []
    for agreement_id, row, (_, _, status, duration, first) in zip(ids, rows, meta, strict=False):
        schools = [p for p in parties_of[agreement_id] if p[1] in ("vmbo", "mbo")]
        for year in range(first, first + rng.randint(1, 2)):
            for stream in ("lumpsum_vo", "rijksbijdrage_mbo"):
                for position, (pct, (pid, _)) in enumerate(zip(_split_100(rng, len(schools)), schools, strict=False)):
                    shares.append({"agreement_id": agreement_id, "stream": stream,
                                   "school_year": content.school_year(year), "party_id": pid,
                                   "percentage": pct, "position": position})
                if rng.random() < 0.5:
                    recipient = next(p for p, role in schools if role == ("vmbo" if stream == "lumpsum_vo" else "mbo"))
                    totals.append({"agreement_id": agreement_id, "stream": stream,
                                   "school_year": content.school_year(year),
                                   "amount": Decimal(rng.randint(20, 400) * 1000), "recipient_party_id": recipient,
                                   "purpose": "Onderwijs in de doorlopende leerroute."})
        vmbo_party = next(p for p, role in schools if role == "vmbo")
        mbo_party = next(p for p, role in schools if role == "mbo")
        cut = rng.randint(6, duration - 6)
        phases += [
            {"agreement_id": agreement_id, "from_month": 1, "to_month": cut, "destination": "vmbo_bb",
             "responsible_party_id": vmbo_party, "max_wait_days": rng.randint(5, 20),
             "description": "Een ander profiel of een andere route in vmbo-bb.", "entree_reason": None},
            {"agreement_id": agreement_id, "from_month": cut + 1, "to_month": duration, "destination": "mbo2",
             "responsible_party_id": mbo_party, "max_wait_days": rng.randint(5, 20),
             "description": "Een opleiding op mbo niveau 2.", "entree_reason": None}]
        versions.append({"agreement_id": agreement_id, "number": 1, "reason": None,
                         "snapshot": {"title": row["title"], "status": status},
                         "created_at": row["created_at"], "updated_at": row["created_at"],
                         "created_by_id": row["created_by_id"]})
    insert_rows(session, FundingShare, shares)
    insert_rows(session, FundingTotal, totals)
    insert_rows(session, TransferGuarantee, phases)
    insert_rows(session, AgreementVersion, versions)
    ctx.report.counts["overeenkomsten"] = len(ids)


# --- good practices ----------------------------------------------------------------

def generate_practices(ctx, routes: list[dict], number: int | None) -> None:
    rng, session = ctx.rng, ctx.session
    number = number if number is not None else ctx.count("practices")
    authors = [u for u, role in ctx.users if role in ("coordinator", "staff")] or [ctx.users[0][0]]
    moderator = ctx.users[0][0]
    rows, meta = [], []
    for n in range(number):
        route = rng.choice(routes)
        topic, themes, _ = rng.choice(content.PRACTICE_TOPICS)
        region_name = ctx.regions.get(route["region"], ("", ""))[1]
        status = content.weighted(rng, {"gepubliceerd": 80, "concept": 8, "ingediend": 8, "teruggestuurd": 4})
        created = stamp(rng)
        rows.append({
            "title": f"{topic} in {region_name} ({n + 1})", "summary": content.paragraph(rng, 2),
            "body": "\n\n".join(content.paragraph(rng, 3) for _ in range(2)), "status": status,
            "source": "Synthetische data", "contact_name": content.person_name(rng),
            "contact_email": f"voorbeeld{n}@synthetisch.leerroutes.nl",
            "moderation_reason": "Graag de opzet verduidelijken." if status == "teruggestuurd" else None,
            "author_id": rng.choice(authors),
            "submitted_at": created if status != "concept" else None,
            "published_at": created + timedelta(days=7) if status == "gepubliceerd" else None,
            "moderated_by_id": moderator if status in ("gepubliceerd", "teruggestuurd") else None,
            "archived_at": None, "is_demo": True, "created_at": created, "updated_at": created,
        })
        tags = rng.sample(content.PRACTICE_TAGS, k=rng.randint(0, 4))
        orgs = [org for _, org in route["parties"]][: rng.randint(1, 2)]
        meta.append((route, list(themes), tags, orgs))
    ids = insert_rows(session, GoodPractice, rows, ids=True)
    documents: list[dict] = []
    links: dict[str, list[dict]] = {k: [] for k in ("themes", "tags", "regions", "orgs", "routes", "domains",
                                                    "levels", "facet_keys")}
    for pid, row, (route, themes, tags, orgs) in zip(ids, rows, meta, strict=False):
        links["themes"] += [{"practice_id": pid, "theme_code": t} for t in themes]
        links["tags"] += [{"practice_id": pid, "tag": t} for t in tags]
        links["regions"].append({"practice_id": pid, "region_id": route["region"]})
        links["orgs"] += [{"practice_id": pid, "organisation_id": o} for o in orgs]
        if rng.random() < 0.6:
            links["routes"].append({"practice_id": pid, "route_id": route["id"]})
        links["domains"].append({"practice_id": pid, "domain_code": route["domain"]})
        links["levels"].append({"practice_id": pid, "level_code": route["level"]})
        extra = [THEME_NAMES.get(t, t) for t in themes] + tags
        extra += [ctx.org_names.get(o, ("", ""))[0] for o in orgs]
        extra += [ctx.regions.get(route["region"], ("", ""))[1], DOMAIN_NAMES.get(route["domain"], ""),
                  LEVEL_NAMES.get(route["level"], "")]
        region_code = ctx.regions.get(route["region"], ("", ""))[0]
        keys = {f"thema:{t}" for t in themes} | {f"regio:{region_code}", f"niveau:{route['level']}",
                                                    f"domein:{route['domain']}"}
        links["facet_keys"] += [{"practice_id": pid, "key": k} for k in sorted(keys)]
        if row["status"] != "gepubliceerd":
            continue  # the full-text index holds published practices only
        documents.append({"id": pid, "title": index_text(row["title"]), "summary": index_text(row["summary"]),
                          "body": index_text(row["body"]), "extra": index_text(" · ".join(x for x in extra if x))})
    for key, table in (("themes", PracticeTheme), ("tags", PracticeTag), ("regions", practice_regions),
                       ("orgs", practice_organisations), ("routes", practice_routes),
                       ("domains", practice_domains), ("levels", practice_levels),
                       ("facet_keys", PracticeFacetKey)):
        insert_rows(session, table, links[key])
    _index(session, documents)
    ctx.report.counts["goede voorbeelden"] = len(ids)


def _index(session, documents: list[dict]) -> None:
    """The full-text index of portal.services.practices.search, filled in one executemany
    (index_document per row costs two round trips each). New ids only, so no
    delete or upsert is needed. Mirrors services.practices.reindex (facet keys,
    published practices only in the index): change both together."""
    if not documents:
        return
    if session.get_bind().dialect.name == "postgresql":
        sql = ("INSERT INTO practice_search (practice_id, title, summary, body, extra) "
               "VALUES (:id, :title, :summary, :body, :extra)")
    else:
        sql = "INSERT INTO practice_fts (rowid, title, summary, body, extra) VALUES (:id, :title, :summary, :body, :extra)"
    session.execute(text(sql), documents)
