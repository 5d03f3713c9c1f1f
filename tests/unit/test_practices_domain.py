"""Pure rules of the good-practice library: status flow, fields, query grammar."""
import pytest

from portal.domain import practices as rules
from portal.domain.practices import InvalidTransition, next_status, parse_query


@pytest.mark.parametrize("current, action, expected", [
    ("concept", "submit", "ingediend"),
    ("teruggestuurd", "submit", "ingediend"),
    ("ingediend", "publish", "gepubliceerd"),
    ("ingediend", "send_back", "teruggestuurd"),
    ("gepubliceerd", "send_back", "teruggestuurd"),
])
def test_allowed_transitions(current, action, expected):
    assert next_status(current, action) == expected


@pytest.mark.parametrize("current, action", [
    ("concept", "publish"), ("teruggestuurd", "publish"), ("gepubliceerd", "publish"),
    ("ingediend", "submit"), ("gepubliceerd", "submit"), ("concept", "send_back"),
    ("teruggestuurd", "send_back"), ("concept", "delete"),
])
def test_forbidden_transitions(current, action):
    with pytest.raises(InvalidTransition):
        next_status(current, action)


def test_forbidden_transition_message_is_dutch():
    with pytest.raises(InvalidTransition, match="Concept.*publiceren"):
        next_status("concept", "publish")


@pytest.mark.parametrize("reason, ok", [
    ("", False), ("   kort   ", False), ("Noem het resultaat concreter.", True), ("x" * 2001, False),
])
def test_send_back_reason(reason, ok):
    assert (rules.reason_errors(reason) == []) is ok


def test_themes_are_the_issue_list():
    assert [t.name for t in rules.THEMES] == [
        "LOB", "Overstap en zomerlek", "Hybride docent en gastdocent", "Samenwerking met bedrijfsleven",
        "Techniek", "Krimp en organiseerbaarheid", "Bekostiging", "Praktijkgericht programma",
        "Doorstroom naar havo", "Zorg en ondersteuning",
    ]


def _valid(**changes):
    data = {"title": "Titel", "summary": "Samenvatting", "body": "", "themes": ["lob"], "tags": ""}
    data.update(changes)
    return data


@pytest.mark.parametrize("changes, field", [
    ({"title": "  "}, "title"), ({"title": "x" * 201}, "title"), ({"summary": ""}, "summary"),
    ({"summary": "x" * 501}, "summary"), ({"themes": []}, "themes"), ({"themes": ["onzin"]}, "themes"),
    ({"tags": ",".join(f"t{i}" for i in range(13))}, "tags"), ({"tags": "x" * 41}, "tags"),
    ({"contact_email": "geen-adres"}, "contact_email"), ({"body": "x" * 50_001}, "body"),
])
def test_practice_errors_name_the_field(changes, field):
    assert field in rules.practice_errors(_valid(**changes))


def test_valid_practice_has_no_errors():
    assert rules.practice_errors(_valid(contact_email="a@b.nl")) == {}


def test_tags_are_normalised():
    assert rules.normalise_tags(" Zomerlek, zomerlek ,, Hybride  Docent") == ["zomerlek", "hybride docent"]


@pytest.mark.parametrize("text, groups", [
    ("zomerlek", [[("zomerlek",)]]),
    ("Hybride docent", [[("hybride",), ("docent",)]]),
    ('"hybride docent" zomer', [[("hybride", "docent"), ("zomer",)]]),
    ("perron OR knippenberg", [[("perron",)], [("knippenberg",)]]),
    ("OR OR perron OR", [[("perron",)]]),
    ("*", []),
    ('"', []),
    ('"open phrase', [[("open", "phrase")]]),
    ("'; DROP TABLE good_practices; --", [[("drop",), ("table",), ("good",), ("practices",)]]),
    ("techn*", [[("techn",)]]),
    ("T&T vmbo-mbo", [[("t",), ("vmbo",), ("mbo",)]]),
    ("NEAR(a b) col:x ^start", [[("near",), ("a",), ("b",), ("col",), ("x",), ("start",)]]),
])
def test_parse_query(text, groups):
    parsed = parse_query(text)
    assert [[t.words for t in g] for g in parsed.groups] == groups


def test_parse_query_limits_terms_and_length():
    parsed = parse_query(" ".join(f"woord{i}" for i in range(50)))
    assert len(parsed.words()) == rules.QUERY_MAX_TERMS
    assert parse_query("a" * 1000).words() == ["a" * rules.QUERY_MAX_CHARS]
