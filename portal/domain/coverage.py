"""Pure rules for coverage monitoring: the choropleth measures and their
classes. No Flask, no SQLAlchemy."""
from __future__ import annotations

from dataclasses import dataclass

MBO_LEVEL_CODES = ("1", "2", "3", "4")
# The kinds the programme counts separately; the experiment-era kinds are "overig".
MAIN_KINDS = ("dlr", "glr", "leerlab")
OTHER_KINDS = ("vakmanschap", "technologie", "beroeps")
KIND_LETTERS = {"dlr": "D", "glr": "G", "leerlab": "L", "vakmanschap": "E", "technologie": "E",
                "beroeps": "E"}


def kind_group(kind_code: str) -> str:
    return kind_code if kind_code in MAIN_KINDS else "overig"


# --- choropleth measures ------------------------------------------------------

@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    unit: str
    # Upper bounds (inclusive) of each class; the last class is open-ended.
    bounds: tuple[float, ...]
    labels: tuple[str, ...]


MEASURES: dict[str, Measure] = {
    "routes": Measure("routes", "Actieve leerroutes", "leerroutes", (0, 1, 3, 9, 24),
                      ("0", "1", "2–3", "4–9", "10–24", "25 of meer")),
    "levels": Measure("levels", "Mbo-niveaus gedekt (Entree/2/3/4)", "niveaus", (0, 1, 2, 3),
                      ("0", "1", "2", "3", "alle 4")),
    "profiles": Measure("profiles", "Aandeel aangeboden profielen met een leerroute", "%",
                        (0, 24.999, 49.999, 74.999, 99.999),
                        ("0%", "1–24%", "25–49%", "50–74%", "75–99%", "100%")),
    "pupils": Measure("pupils", "Leerroutes per 1.000 vmbo-leerlingen", "per 1.000", (0, 0.5, 1, 2, 5),
                      ("0", "tot 0,5", "0,5–1", "1–2", "2–5", "meer dan 5")),
}
DEFAULT_MEASURE = "routes"
# ColorBrewer "Purples" (sequential, colour-blind safe); distinct from the pin colours.
PALETTE = ("#f2f0f7", "#dadaeb", "#bcbddc", "#9e9ac8", "#756bb1", "#54278f")
NO_DATA_COLOUR = "#d9d9d9"


def measure_for(code: str | None) -> Measure:
    return MEASURES.get(code or "", MEASURES[DEFAULT_MEASURE])


def classify(measure: Measure, value: float | None) -> int | None:
    """The class index of a value (0 = lowest), or None when there is no value."""
    if value is None:
        return None
    for index, bound in enumerate(measure.bounds):
        if value <= bound:
            return index
    return len(measure.bounds)


def palette_index(measure: Measure, index: int) -> int:
    """Spread the classes over the palette (levels has 5 classes, the others 6)."""
    count = len(measure.labels)
    return round(index * (len(PALETTE) - 1) / max(count - 1, 1))


def class_colour(measure: Measure, index: int | None) -> str:
    if index is None:
        return NO_DATA_COLOUR
    return PALETTE[palette_index(measure, index)]


def legend(measure: Measure) -> list[tuple[int | None, str]]:
    """(palette index, label) per class, lowest first; None is 'no data'."""
    entries: list[tuple[int | None, str]] = [
        (palette_index(measure, i), label) for i, label in enumerate(measure.labels)]
    if measure.code in ("profiles", "pupils"):
        entries.append((None, "geen gegevens"))
    return entries


def profile_share(offered: set[str], covered: set[str]) -> float | None:
    """Percentage of the offered profielen that have a route; None if none offered."""
    if not offered:
        return None
    return round(100 * len(offered & covered) / len(offered), 1)


def routes_per_thousand(routes: int, pupils: int | None) -> float | None:
    if not pupils:
        return None
    return round(1000 * routes / pupils, 2)
