"""The domain rules of a leerroute (portal.domain.routes), no app, no database."""
import pytest

from portal.domain.routes import (
    PartyFacts,
    RouteInput,
    check_route,
    check_status_transition,
    normalise,
    parse_pupils,
)

VMBO = PartyFacts(1, "Vmbo Een", "vmbo", frozenset({"BB", "KB"}), frozenset({"ZW", "HBR"}))
VMBO_TL = PartyFacts(2, "Mavo Twee", "vmbo", frozenset({"TL"}), frozenset())
MBO = PartyFacts(3, "ROC Drie", "mbo")
EMPLOYER = PartyFacts(4, "Bedrijf Vier", "employer")
VMBO_ALL = PartyFacts(5, "Brede school", "vmbo", frozenset({"BB", "KB", "GL", "TL"}), frozenset())
FACTS = {f.id: f for f in (VMBO, VMBO_TL, MBO, EMPLOYER, VMBO_ALL)}


def route(**changes) -> RouteInput:
    base = dict(title="Zorgroute", kind="glr", vmbo_parties=[1], mbo_parties=[3], pathways=["BB"],
                profiles=["ZW"], crebo="25498", qualification_name="Helpende zorg en welzijn",
                mbo_level="2", first_school_year="2025-2026", status="actief")
    base.update(changes)
    return normalise(RouteInput(**base))


def errors(**changes) -> dict:
    return check_route(route(**changes), FACTS).errors


def test_a_valid_glr_has_no_errors():
    assert errors() == {}


@pytest.mark.parametrize("changes, field, fragment", [
    # GLR: BB/KB to niveau 2 with an mbo-2 diploma
    (dict(mbo_level="3"), "mbo_level", "mbo-niveau 2"),
    (dict(pathways=["BB", "GL"], vmbo_parties=[5]), "pathways", "BB en KB"),
    (dict(crebo=None, qualification_name=None), "crebo", "crebo-code"),
    # vakmanschaproute: BB/KB -> 2, KB -> 3
    (dict(kind="vakmanschap", mbo_level="3", pathways=["BB"]), "pathways", "alleen voor de leerweg KB"),
    (dict(kind="vakmanschap", mbo_level="4", pathways=["KB"]), "mbo_level", "BB/KB naar niveau 2"),
    (dict(kind="vakmanschap", mbo_level="2", pathways=["GL"], vmbo_parties=[5]), "pathways", "BB en KB"),
    # beroeps- and technologieroute: KB/GL/TL -> 4
    (dict(kind="technologie", mbo_level="3", pathways=["KB"]), "mbo_level", "niveau 4"),
    (dict(kind="beroeps", mbo_level="4", pathways=["BB"]), "pathways", "KB, GL en TL"),
    # DLR: 2, 3 or 4
    (dict(kind="dlr", mbo_level="1"), "mbo_level", "2, 3 of 4"),
    (dict(kind="dlr", mbo_level=None), "mbo_level", "2, 3 of 4"),
    # profielen match the leerweg
    (dict(profiles=["TL-ZW"]), "profiles", "theoretische leerweg"),
    (dict(kind="dlr", mbo_level="4", pathways=["TL"], vmbo_parties=[2], profiles=["ZW"]), "profiles",
     "BB, KB en GL"),
    # parties
    (dict(mbo_parties=[]), "mbo_parties", "minstens één mbo-instelling"),
    (dict(vmbo_parties=[]), "vmbo_parties", "minstens één vmbo-vestiging"),
    (dict(mbo_parties=[1], vmbo_parties=[5]), "mbo_parties", "geen een mbo-instelling"),
    (dict(vmbo_parties=[3, 1]), "vmbo_parties", "geen een vmbo-vestiging"),
    (dict(mbo_parties=[99]), "mbo_parties", "bestaat niet"),
    (dict(kind="dlr", vmbo_parties=[2]), "vmbo_parties", "biedt geen van de gekozen leerwegen"),
    (dict(kind="dlr", pathways=["BB", "TL"], profiles=["ZW"]), "pathways", "leerweg TL"),
    # school years
    (dict(last_school_year="2024-2025"), "last_school_year", "vóór het eerste"),
    (dict(first_school_year="2025-2027"), "first_school_year", "opeenvolgende jaren"),
    (dict(first_school_year=""), "first_school_year", "Vul het eerste schooljaar in"),
    # identifiers and simple fields
    (dict(crebo="1234"), "crebo", "5 cijfers"),
    (dict(crebo="12345", qualification_name=""), "qualification_name", "naam van de kwalificatie"),
    (dict(title=" "), "title", "Vul een titel in"),
    (dict(kind="anders"), "kind", "soort route"),
    (dict(status="klaar"), "status", "Kies een status"),
    (dict(teaching_location="thuis"), "teaching_location", "vmbo-locatie"),
    (dict(contact_email="geen-adres"), "contact_email", "e-mailadres"),
    (dict(pathways=[]), "pathways", "minstens één leerweg"),
])
def test_rule_violations_give_a_dutch_message_at_the_field(changes, field, fragment):
    found = errors(**changes)
    assert field in found, found
    assert any(fragment in m for m in found[field]), found[field]


@pytest.mark.parametrize("changes", [
    dict(kind="vakmanschap", mbo_level="2", pathways=["BB", "KB"], crebo=None, qualification_name=None),
    dict(kind="vakmanschap", mbo_level="3", pathways=["KB"]),
    dict(kind="technologie", mbo_level="4", pathways=["KB", "GL", "TL"], vmbo_parties=[5], profiles=["PIE", "TL-TE"]),
    dict(kind="beroeps", mbo_level="4", pathways=["KB"]),
    dict(kind="dlr", mbo_level="3", pathways=["KB"]),
    dict(kind="dlr", mbo_level="4", pathways=["TL"], vmbo_parties=[2], profiles=["TL-ZW"]),
    # a leerlab needs no niveau, qualification, leerweg or vmbo party
    dict(kind="leerlab", mbo_level=None, crebo=None, qualification_name=None, pathways=[], profiles=[],
         vmbo_parties=[]),
    dict(last_school_year="2025-2026"),
    dict(last_school_year="2030-2031", employer_parties=[4]),
    # a party with several vmbo schools: each offers one of the leerwegen, together all
    dict(kind="dlr", mbo_level="4", pathways=["KB", "TL"], vmbo_parties=[1, 2], profiles=[]),
])
def test_valid_routes_pass(changes):
    assert errors(**changes) == {}


def test_a_party_that_does_not_offer_the_profiel_gives_a_warning_not_an_error():
    result = check_route(route(profiles=["ZW", "PIE"]), FACTS)
    assert result.errors == {}
    assert any("Vmbo Een" in m and "Produceren" in m for m in result.warnings["profiles"])


def test_unknown_party_data_does_not_block():
    unknown = PartyFacts(6, "Onbekend", "vmbo")
    result = check_route(route(vmbo_parties=[6], pathways=["KB"]), {**FACTS, 6: unknown})
    assert result.errors == {} and result.warnings == {}


def test_an_organisation_cannot_have_two_roles():
    found = errors(employer_parties=[1])
    assert any("al partij" in m for m in found["employer_parties"])


@pytest.mark.parametrize("value, expected", [
    ("25", (25, None)), ("", (None, None)), (None, (None, None)), (0, (0, None)),
    ("-1", (None, "Vul een geheel getal van 0 of meer in.")),
    ("veel", (None, "Vul een geheel getal van 0 of meer in.")),
])
def test_parse_pupils(value, expected):
    assert parse_pupils(value) == expected


@pytest.mark.parametrize("old, new, ok", [
    (None, "concept", True), ("concept", "actief", True), ("actief", "beeindigd", True),
    ("beeindigd", "concept", False), ("concept", "weg", False),
])
def test_status_transitions(old, new, ok):
    assert (check_status_transition(old, new) is None) is ok
