"""Funding split of a samenwerkingsovereenkomst: per funding stream and school
year the parties' shares add up to exactly 100.00 %, held as Decimal; amounts
per party and the transfers between parties are derived with exact cents
("wie de inspanning verricht, ontvangt de middelen"). Pure Python."""
from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import cast

from portal.domain.school_year import school_year_of, school_years_between

HUNDRED = Decimal("100.00")
CENT = Decimal("0.01")

FUNDING_STREAMS: dict[str, str] = {
    "lumpsum_vo": "Lumpsum vo",
    "rijksbijdrage_mbo": "Rijksbijdrage mbo",
    "sterk_techniek": "Subsidie Sterk Techniekonderwijs",
    "regionaal_investeringsfonds": "Regionaal investeringsfonds",
    "bijdrage_bedrijfsleven": "Bijdrage bedrijfsleven",
}


class FundingSharesInvalid(ValueError):
    def __init__(self, check: FundingCheck):
        self.check = check
        super().__init__("; ".join(check.messages()))


# --- numbers ---------------------------------------------------------------

def parse_decimal(text: str | Decimal | int | None, *, places: int = 2) -> Decimal:
    """Parse '60', '33,33' or '1.234,50' into a Decimal with at most `places`
    decimals. Raises ValueError with a Dutch message; never rounds."""
    if isinstance(text, Decimal):
        value = text
    elif isinstance(text, int):
        value = Decimal(text)
    else:
        raw = (text or "").strip().replace(" ", "").replace("€", "").replace("%", "")
        if not raw:
            raise ValueError("Vul een getal in.")
        if "," in raw:
            raw = raw.replace(".", "").replace(",", ".")
        if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", raw):
            raise ValueError("Vul een getal in, bijvoorbeeld 33,33.")
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise ValueError("Vul een getal in, bijvoorbeeld 33,33.") from None
    if not value.is_finite():
        raise ValueError("Vul een getal in.")
    if value.adjusted() >= 18:  # beyond any share or amount (and beyond quantize's 28 digits)
        raise ValueError("Dit getal is te groot.")
    # Finite (checked above): the exponent is an int, not 'n'/'N'/'F'.
    if -cast(int, value.as_tuple().exponent) > places and value != value.quantize(Decimal(1).scaleb(-places)):
        raise ValueError(f"Gebruik hoogstens {places} decimalen.")
    return value.quantize(Decimal(1).scaleb(-places))


def format_decimal(value: Decimal | None, places: int = 2) -> str:
    """Dutch notation: 1.234,50."""
    if value is None:
        return ""
    q = Decimal(value).quantize(Decimal(1).scaleb(-places))
    sign = "-" if q < 0 else ""
    whole, _, frac = f"{abs(q):f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return sign + ".".join(groups) + ("," + frac if places else "")


# --- funding shares ---------------------------------------------------------

@dataclass(frozen=True)
class ShareLine:
    stream: str
    school_year: str
    party: Hashable
    percentage: Decimal


@dataclass
class FundingCheck:
    """Result of checking share lines: errors per row index (shown at the row
    that breaks the rule), per group, and the sum of each group."""

    row_errors: dict[int, list[str]] = field(default_factory=dict)
    sums: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    group_rows: dict[tuple[str, str], list[int]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.row_errors

    def messages(self) -> list[str]:
        return [m for i in sorted(self.row_errors) for m in self.row_errors[i]]

    def add(self, index: int, message: str) -> None:
        self.row_errors.setdefault(index, []).append(message)


def group_label(stream: str, school_year: str) -> str:
    return f"{FUNDING_STREAMS.get(stream, stream)} {school_year}"


def check_funding_shares(lines: Sequence[ShareLine], *, raise_on_error: bool = False) -> FundingCheck:
    """Every share 0..100 with at most two decimals; one share per party per
    stream and year; the shares of one stream and year add up to exactly 100.00.
    A wrong sum is reported at the last row of the group, the row that closes it."""
    check = FundingCheck()
    seen: dict[tuple[str, str, Hashable], int] = {}
    for i, line in enumerate(lines):
        key = (line.stream, line.school_year)
        check.group_rows.setdefault(key, []).append(i)
        pct = line.percentage
        if not isinstance(pct, Decimal):
            check.add(i, "Het aandeel moet een decimaal getal zijn.")
            continue
        if pct < 0:
            check.add(i, "Een aandeel kan niet negatief zijn.")
        elif pct > HUNDRED:
            check.add(i, "Een aandeel is hoogstens 100 %.")
        if pct != pct.quantize(CENT):
            check.add(i, "Gebruik hoogstens 2 decimalen; er wordt niet afgerond.")
        if line.stream not in FUNDING_STREAMS:
            check.add(i, "Kies een geldige geldstroom.")
        dup = (line.stream, line.school_year, line.party)
        if dup in seen:
            check.add(i, "Deze partij heeft voor deze geldstroom en dit schooljaar al een aandeel.")
        seen[dup] = i
        check.sums[key] = check.sums.get(key, Decimal("0.00")) + pct
    for key, rows in check.group_rows.items():
        total = check.sums.get(key, Decimal("0.00"))
        if total != HUNDRED:
            check.add(rows[-1], (
                f"De aandelen voor {group_label(*key)} tellen op tot {format_decimal(total)} %; "
                f"dat moet precies 100,00 % zijn."
            ))
    if raise_on_error and not check.ok:
        raise FundingSharesInvalid(check)
    return check


def period_school_years(start: date | None, end: date | None) -> list[str]:
    """The school years an agreement's period touches: 1-8-2026 .. 31-7-2030 is
    2026-2027 up to 2029-2030. Empty without a valid period."""
    if start is None or end is None or end < start:
        return []
    return school_years_between(school_year_of(start), school_year_of(end))


def missing_school_years(lines: Sequence[ShareLine], start: date | None, end: date | None) -> dict[str, list[str]]:
    """Per funding stream that has shares, the school years of the period
    without any share for that stream (streams in FUNDING_STREAMS order, years
    in order). A stream fully covered is left out."""
    period = period_school_years(start, end)
    covered: dict[str, set[str]] = {}
    for line in lines:
        covered.setdefault(line.stream, set()).add(line.school_year)
    order = [s for s in FUNDING_STREAMS if s in covered] + sorted(s for s in covered if s not in FUNDING_STREAMS)
    missing = {stream: [y for y in period if y not in covered[stream]] for stream in order}
    return {stream: years for stream, years in missing.items() if years}


def dutch_list(items: Sequence[str]) -> str:
    """'a', 'a en b', 'a, b en c'."""
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " en " + items[-1]


def missing_years_messages(missing: dict[str, list[str]]) -> list[str]:
    return [f"{FUNDING_STREAMS.get(stream, stream)}: geen verdeling voor "
            f"{'schooljaar' if len(years) == 1 else 'schooljaren'} {dutch_list(years)}."
            for stream, years in missing.items()]


def allocate(total: Decimal, shares: Sequence[tuple[Hashable, Decimal]]) -> dict[Hashable, Decimal]:
    """Split `total` (euros, 2 decimals) by percentages that add up to 100 so the
    amounts add up to the total exactly: round down to cents, then give the
    remaining cents to the largest remainders (ties: the earlier party)."""
    if total < 0:
        raise ValueError("Een bedrag kan niet negatief zijn.")
    total = total.quantize(CENT)
    exact = [(key, total * pct / HUNDRED) for key, pct in shares]
    floored = {key: value.quantize(CENT, rounding=ROUND_DOWN) for key, value in exact}
    left = int(((total - sum(floored.values(), Decimal("0"))) / CENT).to_integral_value())
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i][1] - floored[exact[i][0]]), i))
    for i in order[:max(left, 0)]:
        floored[exact[i][0]] += CENT
    return floored


@dataclass(frozen=True)
class Transfer:
    stream: str
    school_year: str
    from_party: Hashable
    to_party: Hashable
    amount: Decimal
    purpose: str


def derive_transfers(stream: str, school_year: str, total: Decimal, recipient: Hashable,
                     shares: Sequence[tuple[Hashable, Decimal]], purpose: str = "") -> list[Transfer]:
    """The party that receives a stream passes each other party its share:
    wie de inspanning verricht, ontvangt de middelen."""
    amounts = allocate(total, shares)
    return [Transfer(stream, school_year, recipient, party, amount, purpose)
            for party, amount in amounts.items() if party != recipient and amount > 0]
