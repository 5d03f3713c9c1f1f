"""Domain rules of samenwerkingsovereenkomsten: no app, no database."""
from datetime import date
from decimal import Decimal as D

import pytest

from portal.domain import agreements as dom
from portal.domain import funding as funding_rules
from portal.domain import transfer_guarantee as guarantee_rules
from portal.domain.funding import ShareLine
from portal.domain.school_year import school_year_of
from portal.domain.transfer_guarantee import Phase


def lines(*pcts, stream="lumpsum_vo", year="2026-2027"):
    return [ShareLine(stream, year, f"p{i}", D(p) if isinstance(p, str) else p) for i, p in enumerate(pcts)]


@pytest.mark.parametrize("pcts", [
    ("100",), ("60", "40"), ("33.33", "33.33", "33.34"), ("0", "100"), ("99.99", "0.01"),
    ("12.50", "12.50", "25.00", "50.00"),
])
def test_shares_that_add_up_to_exactly_100_are_valid(pcts):
    check = funding_rules.check_funding_shares(lines(*pcts))
    assert check.ok, check.messages()
    assert check.sums[("lumpsum_vo", "2026-2027")] == D("100.00")


@pytest.mark.parametrize("pcts, bad_row, fragment", [
    (("60", "39"), 1, "99,00 %"),
    (("50", "49.99"), 1, "99,99 %"),
    (("33.33", "33.33", "33.33"), 2, "99,99 %"),
    (("60", "41"), 1, "101,00 %"),
    (("110", "-10"), 1, "niet negatief"),
    (("33.333", "66.667"), 0, "2 decimalen"),
])
def test_shares_that_break_the_rule_are_reported_at_the_row(pcts, bad_row, fragment):
    check = funding_rules.check_funding_shares(lines(*pcts))
    assert not check.ok
    assert any(fragment in m for m in check.row_errors[bad_row]), check.row_errors


def test_groups_are_checked_per_stream_and_year_and_raise_on_request():
    rows = lines("60", "40") + lines("50", "50", year="2027-2028") + lines("70", "20", stream="sterk_techniek")
    check = funding_rules.check_funding_shares(rows)
    assert list(check.row_errors) == [5]
    assert "Subsidie Sterk Techniekonderwijs 2026-2027" in check.row_errors[5][0]
    with pytest.raises(funding_rules.FundingSharesInvalid):
        funding_rules.check_funding_shares(rows, raise_on_error=True)


def test_duplicate_party_in_one_group_is_an_error():
    rows = [ShareLine("lumpsum_vo", "2026-2027", "a", D("50")), ShareLine("lumpsum_vo", "2026-2027", "a", D("50"))]
    assert "al een aandeel" in funding_rules.check_funding_shares(rows).row_errors[1][0]


def test_floats_are_refused():
    check = funding_rules.check_funding_shares([ShareLine("lumpsum_vo", "2026-2027", "a", 100.0)])
    assert not check.ok


@pytest.mark.parametrize("text, expected", [
    ("60", D("60.00")), ("33,33", D("33.33")), ("33.33", D("33.33")), ("1.234,50", D("1234.50")),
    ("€ 10", D("10.00")), ("60,000", D("60.00")),
])
def test_parse_decimal(text, expected):
    assert funding_rules.parse_decimal(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "33,333", "1e3", "NaN", "12..3", "1" + "0" * 26, "-" + "9" * 40])
def test_parse_decimal_refuses(text):
    with pytest.raises(ValueError):
        funding_rules.parse_decimal(text)


@pytest.mark.parametrize("total, pcts, expected", [
    ("100.00", ["33.33", "33.33", "33.34"], ["33.33", "33.33", "33.34"]),
    ("100.00", ["33.34", "33.33", "33.33"], ["33.34", "33.33", "33.33"]),
    ("0.01", ["50", "50"], ["0.01", "0.00"]),
    ("1000.00", ["60", "40"], ["600.00", "400.00"]),
    ("10.00", ["33.33", "33.33", "33.34"], ["3.33", "3.33", "3.34"]),
    ("123456.79", ["12.5", "37.5", "50"], ["15432.10", "46296.30", "61728.39"]),
])
def test_allocate_keeps_every_cent(total, pcts, expected):
    amounts = funding_rules.allocate(D(total), [(f"p{i}", D(p)) for i, p in enumerate(pcts)])
    assert [amounts[f"p{i}"] for i in range(len(pcts))] == [D(e) for e in expected]
    assert sum(amounts.values()) == D(total)


def test_allocate_refuses_negative_total():
    with pytest.raises(ValueError):
        funding_rules.allocate(D("-1"), [("a", D("100"))])


def test_transfers_go_from_the_recipient_to_the_parties_that_do_the_work():
    transfers = funding_rules.derive_transfers("lumpsum_vo", "2026-2027", D("10000"), "vmbo",
                                     [("vmbo", D("60")), ("mbo", D("40"))], "Lessen in het mbo")
    assert transfers == [funding_rules.Transfer("lumpsum_vo", "2026-2027", "vmbo", "mbo", D("4000.00"), "Lessen in het mbo")]


def ph(a, b, dest="mbo2", reason="", responsible="p", wait=10):
    return Phase(a, b, dest, responsible, wait, "", reason)


@pytest.mark.parametrize("phases", [
    [ph(1, 48)],
    [ph(1, 12, "vmbo_bb"), ph(13, 24), ph(25, 48)],
    [ph(25, 48), ph(1, 24, "vmbo_bb")],  # order of entry does not matter
    [ph(1, 24), ph(25, 48, "entree", reason="Startkwalificatie niet haalbaar")],
])
def test_glr_guarantee_covering_the_whole_route_is_valid(phases):
    check = guarantee_rules.check_transfer_guarantee(phases, 48, full_coverage=True)
    assert check.ok, check.messages()


@pytest.mark.parametrize("phases, fragment", [
    ([ph(1, 12), ph(15, 48)], "gat tussen de fasen: maand 13 tot en met 14"),
    ([ph(2, 48)], "gat aan het begin: maand 1 tot en met 1"),
    ([ph(1, 40)], "gat aan het eind: maand 41 tot en met 48"),
    ([ph(1, 24), ph(20, 48)], "overlapt"),
    ([ph(1, 24), ph(24, 48)], "overlapt"),
    ([ph(1, 24), ph(25, 50)], "na het einde"),
    ([ph(5, 3), ph(1, 48)], "vóór de beginmaand"),
    ([ph(1, 48, "entree")], "motie Kwint"),
    ([ph(1, 48, "elders")], "Kies waar"),
    ([ph(1, 48, wait=-1)], "negatief"),
    ([ph(1, 48, responsible=None)], "verantwoordelijke"),
    ([], "minstens één fase"),
])
def test_glr_guarantee_rejects_gaps_overlaps_and_entree_without_reason(phases, fragment):
    check = guarantee_rules.check_transfer_guarantee(phases, 48, full_coverage=True)
    assert not check.ok
    assert any(fragment in m for m in check.messages()), check.messages()


def test_without_full_coverage_gaps_are_allowed_but_not_overlaps():
    assert guarantee_rules.check_transfer_guarantee([ph(1, 12), ph(25, 48)], 48, full_coverage=False).ok
    assert not guarantee_rules.check_transfer_guarantee([ph(1, 30), ph(25, 48)], 48, full_coverage=False).ok


def test_entree_with_reason_is_flagged():
    check = guarantee_rules.check_transfer_guarantee([ph(1, 24), ph(25, 48, "entree", reason="x")], 48, full_coverage=True)
    assert check.ok and check.flagged == [1]


def test_missing_duration_is_an_error():
    assert "duur" in guarantee_rules.check_transfer_guarantee([ph(1, 12)], None, full_coverage=True).general[0]


@pytest.mark.parametrize("parties, internal", [
    ([("vmbo", "Stichting X", None), ("mbo", "Stichting X", None)], True),
    ([("vmbo", "Stichting X", None), ("mbo", "stichting  x", None), ("employer", "BV Y", None)], True),
    ([("vmbo", "Stichting X", None), ("mbo", "Stichting Y", None)], False),
    ([("vmbo", "Stichting X", "41234"), ("mbo", "Stichting X (ROC)", "41234")], True),
    ([("vmbo", "Stichting X", "41234"), ("mbo", "Stichting X", "99999")], False),
    ([("vmbo", "Stichting X", None)], False),
    ([("vmbo", None, None), ("mbo", None, None)], False),
])
def test_interne_regeling(parties, internal):
    assert dom.is_internal_arrangement(parties) is internal


@pytest.mark.parametrize("status, end, today, expected", [
    ("getekend", date(2026, 7, 31), date(2026, 7, 31), "getekend"),
    ("getekend", date(2026, 7, 31), date(2026, 8, 1), "verlopen"),
    ("concept", date(2026, 7, 31), date(2030, 1, 1), "concept"),
    ("opgezegd", date(2026, 7, 31), date(2030, 1, 1), "opgezegd"),
])
def test_effective_status_expires_after_the_end_date(status, end, today, expected):
    assert dom.effective_status(status, end, today) == expected


@pytest.mark.parametrize("current, new, allowed", [
    ("concept", "ter_ondertekening", True), ("concept", "getekend", False),
    ("ter_ondertekening", "getekend", True), ("getekend", "opgezegd", True),
    ("getekend", "concept", True), ("verlopen", "concept", False), ("opgezegd", "getekend", False),
    ("concept", "opgezegd", False),
])
def test_transitions(current, new, allowed):
    assert dom.can_transition(current, new) is allowed


def test_school_year_of():
    assert school_year_of(date(2026, 7, 31)) == "2025-2026"
    assert school_year_of(date(2026, 8, 1)) == "2026-2027"


def complete_facts(**changes):
    facts = dom.AgreementFacts(
        title="T", route_count=1, start_date=date(2026, 8, 1), end_date=date(2030, 7, 31),
        parties=[("vmbo", "A"), ("mbo", "B")], examining_role="mbo",
        clauses={k: "tekst" for k in dom.TEXT_CLAUSES}, mbo_domain="ZW", team_qualification=True,
        funding=funding_rules.check_funding_shares(lines("60", "40")), funding_lines=2,
        guarantee=guarantee_rules.check_transfer_guarantee([ph(1, 48)], 48, full_coverage=True),
    )
    for k, v in changes.items():
        setattr(facts, k, v)
    return facts


def test_complete_agreement_passes_the_checklist():
    items = dom.completeness(complete_facts())
    assert dom.is_complete(items), [i for i in items if not i.ok]
    assert len(items) == 12


@pytest.mark.parametrize("changes, key", [
    (dict(route_count=0), "basics"),
    (dict(end_date=date(2026, 8, 1)), "basics"),
    (dict(parties=[("vmbo", "A"), ("employer", "B")]), "parties"),
    (dict(parties=[("vmbo", "A"), ("mbo", "")]), "parties"),
    (dict(examining_role="vmbo"), "examining_party"),
    (dict(examining_role=None), "examining_party"),
    (dict(team_qualification=None), "team_qualification"),
    (dict(mbo_domain=None), "sector"),
    (dict(funding_lines=0, funding=None), "funding"),
    (dict(funding=funding_rules.check_funding_shares(lines("60", "39"))), "funding"),
    (dict(guarantee=guarantee_rules.check_transfer_guarantee([ph(1, 12), ph(14, 48)], 48, full_coverage=True)), "transfer_option"),
] + [(dict(clauses={**{k: "x" for k in dom.TEXT_CLAUSES}, k: " "}), None) for k in dom.TEXT_CLAUSES
     if k != "team_qualification_description"])
def test_checklist_names_what_is_missing(changes, key):
    items = dom.completeness(complete_facts(**changes))
    missing = [i.key for i in items if not i.ok]
    assert len(missing) == 1, missing
    if key:
        assert missing == [key]


def test_period_school_years_are_every_year_the_period_touches():
    assert funding_rules.period_school_years(date(2026, 8, 1), date(2030, 7, 31)) == [
        "2026-2027", "2027-2028", "2028-2029", "2029-2030"]
    assert funding_rules.period_school_years(date(2027, 1, 1), date(2027, 9, 1)) == ["2026-2027", "2027-2028"]
    assert funding_rules.period_school_years(None, date(2030, 7, 31)) == []
    assert funding_rules.period_school_years(date(2030, 8, 1), date(2026, 8, 1)) == []


def test_missing_school_years_are_named_per_stream():
    four_years = (date(2026, 8, 1), date(2030, 7, 31))
    first_year_only = lines("60", "40") + lines("50", "50", stream="rijksbijdrage_mbo", year="2026-2027") \
        + lines("50", "50", stream="rijksbijdrage_mbo", year="2028-2029")
    missing = funding_rules.missing_school_years(first_year_only, *four_years)
    assert missing == {"lumpsum_vo": ["2027-2028", "2028-2029", "2029-2030"],
                       "rijksbijdrage_mbo": ["2027-2028", "2029-2030"]}
    every_year = [line for year in funding_rules.period_school_years(*four_years)
                  for line in lines("60", "40", year=year)]
    assert funding_rules.missing_school_years(every_year, *four_years) == {}
    assert funding_rules.missing_years_messages({"lumpsum_vo": ["2027-2028", "2028-2029"]}) == [
        "Lumpsum vo: geen verdeling voor schooljaren 2027-2028 en 2028-2029."]


def test_funding_for_the_first_year_of_four_fails_the_checklist():
    """The defect of issue 20: a 4-year agreement passed with funding for its first year only."""
    facts = complete_facts(funding_missing_years=funding_rules.missing_school_years(
        lines("60", "40"), date(2026, 8, 1), date(2030, 7, 31)))
    items = dom.completeness(facts)
    assert [i.key for i in items if not i.ok] == ["funding"]
    message = next(i.message for i in items if i.key == "funding")
    assert "elk schooljaar van de looptijd" in message
    assert "Lumpsum vo: geen verdeling voor schooljaren 2027-2028, 2028-2029 en 2029-2030." in message


def test_team_description_only_needed_when_yes():
    clauses = {**{k: "x" for k in dom.TEXT_CLAUSES}, "team_qualification_description": ""}
    assert dom.is_complete(dom.completeness(complete_facts(clauses=clauses, team_qualification=False)))
    assert not dom.is_complete(dom.completeness(complete_facts(clauses=clauses, team_qualification=True)))


def test_diff_shows_changed_text_and_list_lines():
    old = {"title": "A", "parties": ["X", "Y"], "participation": "oud"}
    new = {"title": "A", "parties": ["X", "Z"], "participation": "nieuw"}
    diff = dom.diff_snapshots(old, new)
    assert [d.key for d in diff] == ["parties", "participation"]
    assert diff[0].removed == ("Y",) and diff[0].added == ("Z",)
    assert (diff[1].before, diff[1].after) == ("oud", "nieuw")
    assert dom.diff_snapshots(old, old) == []


def test_format_decimal():
    assert funding_rules.format_decimal(D("1234567.5")) == "1.234.567,50"
    assert funding_rules.format_decimal(D("-0.01")) == "-0,01"


@pytest.mark.parametrize("kind, role, ok", [
    ("vmbo", "vmbo", True), ("mbo", "mbo", True), ("employer", "employer", True), ("other", "gemeente", True),
    ("employer", "gemeente", True), ("vmbo", "mbo", False), ("vmbo", "gemeente", False), ("mbo", "employer", False),
    ("employer", "mbo", False), ("other", "vmbo", False),
])
def test_a_party_takes_the_role_of_what_it_is(kind, role, ok):
    error = dom.party_role_error(kind, "Organisatie X", role)
    assert (error is None) is ok
    if error:
        assert "Organisatie X" in error
