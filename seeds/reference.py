"""Find and load the real reference files (regions, gemeenten, vo-vestigingen,
mbo institutions and locations, each school's offer and bevoegd gezag).

Where the files come from, in order:
1. PORTAL_DATA_DIR (or the app's PORTAL_DATA_DIR setting; ../shared/data on the
   development machines);
2. otherwise, when online, the published boundary files are downloaded into
   instance/reference/ (regions and gemeenten from the cartomap/nl copy of the
   CBS/PDOK gebiedsindelingen; the school list has no stable public URL);
3. otherwise the portal goes on without them and says what is missing.
"""
from __future__ import annotations

import logging
import os
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from portal.extensions import db
from portal.services.reference.areas import (
    import_municipality_boundaries,
    import_municipality_centres,
    import_provinces,
)
from portal.services.reference.boundaries import import_municipalities, import_regions
from portal.services.reference.files import ReferenceDataError
from portal.services.reference.governing_bodies import import_governing_bodies
from portal.services.reference.mbo import import_mbo
from portal.services.reference.offer import import_exam_pathways, import_profile_figures
from portal.services.reference.offer_basis import refresh_offer
from portal.services.reference.schools import import_schools
from portal.services.reference.vocabularies import seed_vocabularies

log = logging.getLogger(__name__)

YEAR = 2025
REGION_FILE = f"arbeidsmarktregio_{YEAR}.geojson"
MUNICIPALITY_FILE = f"gemeente_arbeidsmarktregio_{YEAR}.csv"
SCHOOL_FILE = "vo_vestigingen_2024.csv"
PROVINCE_FILE = f"provincie_{YEAR}.geojson"
MUNICIPALITY_BOUNDARY_FILE = f"gemeente_{YEAR}.geojson"
MBO_INSTITUTION_FILE = "mbo_instellingen_kiesmbo_2025.csv"
MBO_LOCATION_FILE = "mbo_locaties_kiesmbo_2025.csv"
PROFILE_FILE = "duo_leerlingen_vo_per_vestiging_naar_onderwijstype_2019.csv"
PROFILE_SCHOOL_YEAR = "2019-2020"  # DUO counts on 1 October 2019
EXAM_FILE = "duo_examenkandidaten_geslaagden_2019-2024.csv"
GOVERNING_BODY_FILE = "duo_alle_vestigingen_vo_2020.csv"
# Published copies of the CBS/PDOK boundaries (WGS84). Only the boundary file
# is fetched: the gemeente mapping and school list are derived files.
DOWNLOADS = {
    REGION_FILE: f"https://raw.githubusercontent.com/cartomap/nl/master/wgs84/{REGION_FILE}",
}


@dataclass
class LoadResult:
    loaded: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def find_data_dir(configured: str | None, instance_path: str, allow_download: bool = True) -> Path | None:
    if configured and Path(configured).is_dir():
        return Path(configured)
    target = Path(instance_path) / "reference"
    if (target / REGION_FILE).is_file():
        return target
    if not allow_download or os.environ.get("PORTAL_OFFLINE") == "1":
        return None
    target.mkdir(parents=True, exist_ok=True)
    for name, url in DOWNLOADS.items():
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310  fixed https URL
                (target / name).write_bytes(response.read())
        except OSError as exc:
            log.warning("download of %s failed: %s", url, exc)
            return None
    return target


def load_reference_data(data_dir: Path | None) -> LoadResult:
    """Vocabularies always; regions, gemeenten, schools, mbo institutions and
    the schools' offer where files exist.
    Commits after each file, so one bad file does not undo the others."""
    result = LoadResult()
    seed_vocabularies(db.session)
    db.session.commit()
    steps = (
        ((REGION_FILE,), lambda raw: import_regions(db.session, raw, YEAR)),
        ((MUNICIPALITY_FILE,), lambda raw: import_municipalities(db.session, raw, YEAR)),
        ((PROVINCE_FILE,), lambda raw: import_provinces(db.session, raw)),
        ((MUNICIPALITY_BOUNDARY_FILE,), lambda raw: import_municipality_boundaries(db.session, raw)),
        ((MUNICIPALITY_FILE,), lambda raw: import_municipality_centres(db.session, raw)),
        ((SCHOOL_FILE,), lambda raw: import_schools(db.session, raw)),
        ((MBO_INSTITUTION_FILE, MBO_LOCATION_FILE), lambda raw, loc: import_mbo(db.session, raw, loc)),
        ((PROFILE_FILE,), lambda raw: import_profile_figures(db.session, raw, PROFILE_SCHOOL_YEAR)),
        ((EXAM_FILE,), lambda raw: import_exam_pathways(db.session, raw)),
        ((GOVERNING_BODY_FILE,), lambda raw: import_governing_bodies(db.session, raw)),
    )
    offer_loaded = False
    for names, load in steps:
        paths = [data_dir / name for name in names] if data_dir else []
        label = " + ".join(names)
        if not paths or not all(path.is_file() for path in paths):
            result.missing.append(label)
            continue
        try:
            report = load(*(path.read_bytes() for path in paths))
        except ReferenceDataError as exc:
            db.session.rollback()
            result.missing.append(f"{label} ({exc})")
            continue
        db.session.commit()
        result.loaded.append(f"{label}: {report.summary()}")
        offer_loaded = offer_loaded or names[0] in (PROFILE_FILE, EXAM_FILE)
    if offer_loaded:
        schools = refresh_offer(db.session)
        db.session.commit()
        result.loaded.append(f"aanbod van {schools} vmbo-vestigingen afgeleid (nieuwste schooljaar per school)")
    return result
