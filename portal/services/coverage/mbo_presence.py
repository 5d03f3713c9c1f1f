"""Where an mbo institution counts: in every region where it has a location
that has not ended. An institution without any location on record (a
provider that lists none, or the demo data without the reference files)
counts where its own address is."""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Select, and_, bindparam, exists, func, select, union

from portal.models import MboLocation, MunicipalityRegion, Organisation


def mbo_region_pairs(year) -> Select:
    """(region_id, organisation_id) of every mbo institution per region of the
    indeling `year` (a value or a bindparam), each pair once."""
    by_location = (
        select(MunicipalityRegion.region_id.label("region_id"), MboLocation.organisation_id.label("organisation_id"))
        .join(MunicipalityRegion, and_(MunicipalityRegion.municipality_id == MboLocation.municipality_id,
                                       MunicipalityRegion.year == year))
        .where(MboLocation.ended_on.is_(None)))
    by_address = (
        select(MunicipalityRegion.region_id, Organisation.id)
        .join(MunicipalityRegion, and_(MunicipalityRegion.municipality_id == Organisation.municipality_id,
                                       MunicipalityRegion.year == year))
        .where(Organisation.kind == "mbo",
               ~exists().where(MboLocation.organisation_id == Organisation.id)))
    return union(by_location, by_address).subquery("mbo_regions").select()


def mbo_count_per_region(year) -> Select:
    """(region_id, number of mbo institutions) for every region with one."""
    pairs = mbo_region_pairs(year).subquery()
    return select(pairs.c.region_id, func.count(pairs.c.organisation_id)).group_by(pairs.c.region_id)


@lru_cache(maxsize=1)
def mbo_count_of_region() -> Select:
    """The number of mbo institutions of one region (`region_id`, `year`)."""
    pairs = mbo_region_pairs(bindparam("year")).subquery()
    return select(func.count(pairs.c.organisation_id)).where(pairs.c.region_id == bindparam("region_id"))
