"""The programme's targets: staff maintain them (/beheer/doelen); the four
targets of the programme letters are seeded."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.core.audit import record
from portal.core.errors import ConflictError, ServiceError
from portal.core.locking import lock_for_write
from portal.domain import targets as rules
from portal.models import Target, User

OBJECT_TYPE = "monitor_target"
FIELDS = ("name", "indicator", "target_value", "target_school_year", "source")

# The four dated targets of the programme letters (issue 17). "In 2019" is
# read as the school year whose peildatum (15 October 2019) lies in that
# calendar year: 2019-2020. 35 = every arbeidsmarktregio.
LETTER_TARGETS = (
    {"name": "Elke regio heeft samenwerkingsafspraken (2019)", "indicator": "regions_with_agreements",
     "target_value": 35, "target_school_year": "2019-2020",
     "source": "Kamerstuk 31 524, programmabrief 2018, lijn 1: \"Het streven is dat in 2019 alle regio's "
               "samenwerkingsafspraken hebben geformuleerd\""},
    {"name": "Elke regio een functionerend netwerk vmbo-mbo-arbeidsmarkt (2020)",
     "indicator": "regions_with_route", "target_value": 35, "target_school_year": "2020-2021",
     "source": "Kamerstuk 31 524, programmabrief 2018, lijn 1: \"dat in 2020 elke regio een functionerend "
               "netwerk vmbo-mbo-arbeidsmarkt kent\""},
    {"name": "BB en KB kunnen mbo 2 in de vmbo-omgeving afronden (2021)", "indicator": "regions_bbkb_mbo2_vmbo",
     "target_value": 35, "target_school_year": "2021-2022",
     "source": "Kamerstuk 31 524, programmabrief 2018, lijn 2: \"In 2021 biedt elke regio doorlopende routes "
               "passend bij het regionale onderwijsaanbod, waarbij leerlingen … vanuit vmbo de basis- en "
               "kaderberoepsgerichte leerwegen de mogelijkheid hebben om een mbo 2 opleiding vanuit de "
               "vertrouwde omgeving van het vmbo af te ronden\""},
    {"name": "Elke jongere een route passend bij zijn of haar niveau (2024)", "indicator": "regions_matching_level",
     "target_value": 35, "target_school_year": "2024-2025",
     "source": "Schriftelijk overleg 2021: \"Het streven is dat in 2024 iedere jongere in elke regio terecht kan "
               "in een doorlopende leerroute passend bij zijn/haar niveau. Dat betekent meerdere routes op "
               "meerdere niveaus in iedere regio\""},
)


@dataclass
class TargetData:
    name: str
    indicator: str
    target_value: float | None
    target_school_year: str
    source: str


def list_targets(session: Session) -> list[Target]:
    return list(session.scalars(select(Target).order_by(Target.target_school_year, Target.id)))


def _validate(data: TargetData) -> None:
    errors = {field: [message] for field, message in
              rules.target_errors(data.indicator, data.target_value, data.target_school_year).items()}
    if not data.name.strip():
        errors["name"] = ["Geef het doel een naam."]
    if not data.source.strip():
        errors["source"] = ["Noem de bron van het doel, bijvoorbeeld de Kamerbrief."]
    if errors:
        raise ServiceError(errors)


def _values(target: Target) -> dict:
    return {field: getattr(target, field) for field in FIELDS}


def create_target(session: Session, data: TargetData, actor: User | None) -> Target:
    _validate(data)
    target = Target(name=data.name.strip(), indicator=data.indicator, target_value=data.target_value,
                    target_school_year=data.target_school_year, source=data.source.strip())
    session.add(target)
    session.flush()
    record(session, actor, OBJECT_TYPE, target.id, "create", after=_values(target))
    return target


def update_target(session: Session, target: Target, data: TargetData, actor: User | None,
                  expected_version=None) -> Target:
    lock_for_write(session, target)
    if expected_version is not None and str(expected_version) != str(target.version_id):
        error = ConflictError("Iemand anders heeft dit doel intussen gewijzigd; je wijziging is niet opgeslagen. "
                              "Je invoer staat hieronder nog: bekijk het doel en sla opnieuw op.")
        error.changes = []
        raise error
    _validate(data)
    before = _values(target)
    target.name, target.indicator = data.name.strip(), data.indicator
    target.target_value = float(data.target_value or 0)
    target.target_school_year, target.source = data.target_school_year, data.source.strip()
    session.flush()
    record(session, actor, OBJECT_TYPE, target.id, "update", before=before, after=_values(target))
    return target


def delete_target(session: Session, target: Target, actor: User | None) -> None:
    lock_for_write(session, target)
    record(session, actor, OBJECT_TYPE, target.id, "delete", before=_values(target))
    session.delete(target)
    session.flush()


def seed_letter_targets(session: Session) -> int:
    """Add the letters' targets that are not there yet (by indicator and
    target school year). Safe to repeat; returns how many were added."""
    existing = {(t.indicator, t.target_school_year) for t in list_targets(session)}
    added = [Target(**item) for item in LETTER_TARGETS
             if (item["indicator"], item["target_school_year"]) not in existing]
    session.add_all(added)
    session.flush()
    for target in added:
        record(session, None, OBJECT_TYPE, target.id, "seed", after=_values(target))
    return len(added)
