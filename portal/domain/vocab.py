"""The official vocabularies, exactly as shared/GLOSSARY.md lists them.

Each term has a stable code (used in URLs, exports and foreign keys) and the
Dutch name users read. The seed loads these into the vocabulary tables; code
may also use them directly, as they never change at run time.
"""
from __future__ import annotations

from typing import NamedTuple


class Term(NamedTuple):
    code: str
    name: str


PATHWAYS: tuple[Term, ...] = (
    Term("BB", "Basisberoepsgerichte leerweg"),
    Term("KB", "Kaderberoepsgerichte leerweg"),
    Term("GL", "Gemengde leerweg"),
    Term("TL", "Theoretische leerweg"),
)

# The 10 beroepsgerichte profielen (BB, KB, GL).
VOCATIONAL_PROFILES: tuple[Term, ...] = (
    Term("BWI", "Bouwen, wonen en interieur"),
    Term("DP", "Dienstverlening en producten"),
    Term("EO", "Economie en ondernemen"),
    Term("GR", "Groen"),
    Term("HBR", "Horeca, bakkerij en recreatie"),
    Term("MAT", "Maritiem en techniek"),
    Term("MVI", "Media, vormgeving en ict"),
    Term("MT", "Mobiliteit en transport"),
    Term("PIE", "Produceren, installeren en energie"),
    Term("ZW", "Zorg en welzijn"),
)

# The 4 profielen of the theoretische leerweg.
TL_PROFILES: tuple[Term, ...] = (
    Term("TL-EC", "Economie (TL)"),
    Term("TL-GR", "Groen (TL)"),
    Term("TL-TE", "Techniek (TL)"),
    Term("TL-ZW", "Zorg en welzijn (TL)"),
)

PROFILES: tuple[Term, ...] = VOCATIONAL_PROFILES + TL_PROFILES

PROFILE_ABBREVIATIONS = {
    "BWI": "BWI", "DP": "D&P", "EO": "E&O", "GR": "Groen", "HBR": "HBR",
    "MAT": "MaT", "MVI": "MVI", "MT": "M&T", "PIE": "PIE", "ZW": "Z&W",
    "TL-EC": "TL Economie", "TL-GR": "TL Groen", "TL-TE": "TL Techniek",
    "TL-ZW": "TL Zorg en welzijn",
}

MBO_LEVELS: tuple[Term, ...] = (
    Term("1", "Entree (niveau 1)"),
    Term("2", "Basisberoepsopleiding (niveau 2)"),
    Term("3", "Vakopleiding (niveau 3)"),
    Term("4", "Middenkader-/specialistenopleiding (niveau 4)"),
)

MBO_DOMAINS: tuple[Term, ...] = (
    Term("BI", "Bouw en infra"),
    Term("AHO", "Afbouw, hout en onderhoud"),
    Term("TP", "Techniek en procesindustrie"),
    Term("ALG", "Ambacht, laboratorium en gezondheidstechniek"),
    Term("MV", "Media en vormgeving"),
    Term("ICT", "Informatie en communicatietechnologie"),
    Term("MOV", "Mobiliteit en voertuigen"),
    Term("TSL", "Transport, scheepvaart en logistiek"),
    Term("HO", "Handel en ondernemerschap"),
    Term("EA", "Economie en administratie"),
    Term("VS", "Veiligheid en sport"),
    Term("UV", "Uiterlijke verzorging"),
    Term("HB", "Horeca en bakkerij"),
    Term("TR", "Toerisme en recreatie"),
    Term("ZW", "Zorg en welzijn"),
    Term("VNL", "Voedsel, natuur en leefomgeving"),
    Term("ENT", "Entree"),
)

ROUTE_KINDS: tuple[Term, ...] = (
    Term("dlr", "Doorlopende leerroute (DLR)"),
    Term("glr", "Geïntegreerde route (GLR)"),
    Term("leerlab", "Leerlab"),
    Term("vakmanschap", "Vakmanschaproute"),
    Term("technologie", "Technologieroute"),
    Term("beroeps", "Beroepsroute"),
)

ORGANISATION_KINDS: tuple[Term, ...] = (
    Term("vmbo", "Vmbo-vestiging"),
    # voortgezet speciaal onderwijs: VSO schools with technisch vmbo take part in regioplannen
    Term("vso", "Vso-school"),
    Term("mbo", "Mbo-instelling"),
    Term("employer", "Bedrijf / leerbedrijf"),
    Term("other", "Overig"),
)

ROLES: tuple[Term, ...] = (
    Term("admin", "Beheerder"),
    Term("staff", "Programmamedewerker"),
    Term("coordinator", "Coördinator"),
    Term("reader", "Lezer"),
    # a member of the independent commission that assesses regioplannen
    Term("assessor", "Beoordelaar"),
)
# Programme staff: see every region and route, moderate, manage users.
STAFF_ROLES: frozenset[str] = frozenset({"staff", "admin"})


def names(terms: tuple[Term, ...]) -> dict[str, str]:
    """Code -> Dutch name for a vocabulary."""
    return {t.code: t.name for t in terms}


def codes_in_order(terms: tuple[Term, ...]) -> tuple[str, ...]:
    """The codes of a vocabulary in its own order."""
    return tuple(t.code for t in terms)


def codes(terms: tuple[Term, ...]) -> frozenset[str]:
    return frozenset(t.code for t in terms)
