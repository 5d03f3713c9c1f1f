"""Overstapgarantie: what a student who leaves the route is guaranteed, per
phase of the route (motie Kwint: always a place on vmbo or mbo niveau 2;
Entree only with a stated reason, flagged). Pure Python."""
from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

DESTINATIONS: dict[str, str] = {
    "vmbo_bb": "Ander profiel of andere route in vmbo-bb",
    "mbo2": "Opleiding op mbo niveau 2",
    "entree": "Entree-opleiding",
}
# Destinations that are "een passende plek op vmbo of mbo niveau 2" (motie Kwint).
KWINT_DESTINATIONS = frozenset({"vmbo_bb", "mbo2"})

# --- overstapgarantie -------------------------------------------------------

@dataclass(frozen=True)
class Phase:
    from_month: int | None
    to_month: int | None
    destination: str
    responsible: Hashable | None = None
    max_wait_days: int | None = None
    description: str = ""
    entree_reason: str = ""


@dataclass
class GuaranteeCheck:
    row_errors: dict[int, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    flagged: list[int] = field(default_factory=list)  # Entree-only phases (with a reason)

    @property
    def ok(self) -> bool:
        return not self.row_errors and not self.general

    def add(self, index: int | None, message: str) -> None:
        if index is None:
            self.general.append(message)
        else:
            self.row_errors.setdefault(index, []).append(message)

    def messages(self) -> list[str]:
        return self.general + [m for i in sorted(self.row_errors) for m in self.row_errors[i]]


def check_transfer_guarantee(phases: Sequence[Phase], duration_months: int | None, *,  # noqa: C901  flat rule list
                             full_coverage: bool) -> GuaranteeCheck:
    """Check the overstapgarantie phases of a route of `duration_months`.

    Always: months within the route, from <= to, no overlaps, a destination, a
    responsible party, a non-negative waiting time; every phase offers a place
    on vmbo-bb or mbo niveau 2 (motie Kwint) unless it is an Entree exception
    with a stated reason, which is flagged. With `full_coverage` (a GLR or DLR:
    "for each phase of the route, from its first month to its end, one entry")
    the phases also cover month 1 to the last month without gaps."""
    check = GuaranteeCheck()
    if not duration_months or duration_months < 1:
        check.add(None, "Vul de duur van de route in maanden in.")
        duration_months = None
    if not phases:
        check.add(None, "Voeg minstens één fase van de overstapgarantie toe.")
        return check
    valid: list[tuple[int, int, int]] = []
    for i, p in enumerate(phases):
        if p.from_month is None or p.to_month is None:
            check.add(i, "Vul de begin- en eindmaand van de fase in.")
        elif p.from_month < 1:
            check.add(i, "De fase begint op zijn vroegst in maand 1.")
        elif p.to_month < p.from_month:
            check.add(i, "De eindmaand ligt vóór de beginmaand.")
        elif duration_months and p.to_month > duration_months:
            check.add(i, f"De fase loopt tot na het einde van de route (maand {duration_months}).")
        else:
            valid.append((p.from_month, p.to_month, i))
        if p.destination not in DESTINATIONS:
            check.add(i, "Kies waar de leerling terechtkan.")
        elif p.destination == "entree":
            if not (p.entree_reason or "").strip():
                check.add(i, "Alleen Entree mag alleen met een reden: een passende plek op vmbo of "
                             "mbo niveau 2 is de regel (motie Kwint).")
            else:
                check.flagged.append(i)
        if p.responsible is None:
            check.add(i, "Kies de verantwoordelijke partij.")
        if p.max_wait_days is None:
            check.add(i, "Vul de maximale wachttijd in schooldagen in.")
        elif p.max_wait_days < 0:
            check.add(i, "De wachttijd kan niet negatief zijn.")
    valid.sort()
    for (_a_from, a_to, _a_i), (b_from, b_to, b_i) in zip(valid, valid[1:], strict=False):
        if b_from <= a_to:
            check.add(b_i, f"Deze fase overlapt met een andere fase (maand {b_from} tot en met {min(a_to, b_to)}).")
        elif full_coverage and b_from > a_to + 1:
            check.add(b_i, f"Er zit een gat tussen de fasen: maand {a_to + 1} tot en met {b_from - 1} "
                           f"heeft geen overstapgarantie.")
    if full_coverage and valid and not check.row_errors and duration_months:
        if valid[0][0] > 1:
            check.add(valid[0][2], f"Er zit een gat aan het begin: maand 1 tot en met {valid[0][0] - 1} "
                                   f"heeft geen overstapgarantie.")
        last_to = max(v[1] for v in valid)
        if last_to < duration_months:
            check.add(valid[-1][2], f"Er zit een gat aan het eind: maand {last_to + 1} tot en met "
                                    f"{duration_months} heeft geen overstapgarantie.")
    return check
