"""Find and load the real reference files (regions, gemeenten, vo-vestigingen).

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
from portal.services.reference.schools import import_schools
from portal.services.reference.vocabularies import seed_vocabularies

log = logging.getLogger(__name__)

YEAR = 2025
REGION_FILE = f"arbeidsmarktregio_{YEAR}.geojson"
MUNICIPALITY_FILE = f"gemeente_arbeidsmarktregio_{YEAR}.csv"
SCHOOL_FILE = "vo_vestigingen_2024.csv"
PROVINCE_FILE = f"provincie_{YEAR}.geojson"
MUNICIPALITY_BOUNDARY_FILE = f"gemeente_{YEAR}.geojson"
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
    """Vocabularies always; regions, gemeenten and schools where files exist.
    Commits after each file, so one bad file does not undo the others."""
    result = LoadResult()
    seed_vocabularies(db.session)
    db.session.commit()
    steps = (
        (REGION_FILE, lambda raw: import_regions(db.session, raw, YEAR)),
        (MUNICIPALITY_FILE, lambda raw: import_municipalities(db.session, raw, YEAR)),
        (PROVINCE_FILE, lambda raw: import_provinces(db.session, raw)),
        (MUNICIPALITY_BOUNDARY_FILE, lambda raw: import_municipality_boundaries(db.session, raw)),
        (MUNICIPALITY_FILE, lambda raw: import_municipality_centres(db.session, raw)),
        (SCHOOL_FILE, lambda raw: import_schools(db.session, raw)),
    )
    for name, load in steps:
        path = data_dir / name if data_dir else None
        if path is None or not path.is_file():
            result.missing.append(name)
            continue
        try:
            report = load(path.read_bytes())
        except ReferenceDataError as exc:
            db.session.rollback()
            result.missing.append(f"{name} ({exc})")
            continue
        db.session.commit()
        result.loaded.append(f"{name}: {report.summary()}")
    return result
