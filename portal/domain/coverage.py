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
    "routes": Measure("routes", "Actieve leerroutes", "leerroutes", (0, 3, 9),
                      ("0: geen actieve leerroute (witte vlek)", "1–3 leerroutes", "4–9 leerroutes",
                       "10 of meer leerroutes")),
    "levels": Measure("levels", "Mbo-niveaus gedekt (Entree/2/3/4)", "niveaus", (0, 1, 3),
                      ("0: geen niveau gedekt (witte vlek)", "1 niveau", "2 of 3 niveaus", "alle 4 niveaus")),
    "profiles": Measure("profiles", "Aandeel aangeboden profielen met een leerroute", "%", (0, 49.999, 99.999),
                        ("0%: geen aangeboden profiel met een route (witte vlek)", "1–49% van de profielen",
                         "50–99% van de profielen", "100%: elk aangeboden profiel")),
    "pupils": Measure("pupils", "Leerroutes per 1.000 vmbo-leerlingen", "per 1.000", (0, 1, 3),
                      ("0: geen leerroute (witte vlek)", "tot 1 per 1.000 leerlingen", "1–3 per 1.000 leerlingen",
                       "meer dan 3 per 1.000 leerlingen")),
}
DEFAULT_MEASURE = "routes"
NO_DATA_LABEL = "geen gegevens (gearceerd grijs)"

# The classed scale (issue 20): class 0 (nothing: a witte vlek) has a fill of
# its own, orange, and a hatch on the map and in the legend (a cue that is not
# colour); the classes with something run from light to dark purple. Every two
# adjacent classes differ by a contrast of at least 3:1 (WCAG 1.4.11), which is
# why there are three classes above 0: a fourth cannot reach 3:1 in luminance
# (tests/unit/test_coverage_rules.py computes the ratios). The fills are opaque.
ZERO_COLOUR = "#e6550d"
ZERO_HATCH = "#ffffff"
PALETTE = ("#efedf5", "#807dba", "#3f007d")
# "geen gegevens": a grey hatch on white, never a flat fill that merges with the background.
NO_DATA_COLOUR = "#ffffff"
NO_DATA_HATCH = "#6b6b6b"
MIN_ADJACENT_CONTRAST = 3.0


def measure_for(code: str | None) -> Measure:
    return MEASURES.get(code or "", MEASURES[DEFAULT_MEASURE])


def classify(measure: Measure, value: float | None) -> int | None:
    """The class index of a value (0 = nothing), or None when there is no value."""
    if value is None:
        return None
    for index, bound in enumerate(measure.bounds):
        if value <= bound:
            return index
    return len(measure.bounds)


def class_colour(measure: Measure, index: int | None) -> str:
    """The base fill of a class (class 0 and "no data" get a hatch over it)."""
    if index is None:
        return NO_DATA_COLOUR
    if index == 0:
        return ZERO_COLOUR
    return PALETTE[min(index, len(PALETTE)) - 1]


def scale_colours(measure: Measure) -> list[str]:
    """The fills of the measure's classes, lowest first."""
    return [class_colour(measure, i) for i in range(len(measure.labels))]


def class_key(index: int | None) -> str:
    """The name of a class for CSS and the map's SVG patterns: "nodata", "c0" .. "c3"."""
    return "nodata" if index is None else f"c{index}"


def is_hatched(index: int | None) -> bool:
    return index is None or index == 0


def legend(measure: Measure) -> list[tuple[int | None, str]]:
    """(class index, what the class means) per class, lowest first; None is 'no data'."""
    entries: list[tuple[int | None, str]] = list(enumerate(measure.labels))
    if measure.code in ("profiles", "pupils"):
        entries.append((None, NO_DATA_LABEL))
    return entries


# --- contrast (WCAG 2.x relative luminance) ---------------------------------------

def relative_luminance(colour: str) -> float:
    """Relative luminance of an sRGB colour "#rrggbb" (WCAG 2.x definition)."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio (1 .. 21) of two colours."""
    a, b = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def profile_share(offered: set[str], covered: set[str]) -> float | None:
    """Percentage of the offered profielen that have a route; None if none offered."""
    if not offered:
        return None
    return round(100 * len(offered & covered) / len(offered), 1)


def routes_per_thousand(routes: int, pupils: int | None) -> float | None:
    if not pupils:
        return None
    return round(1000 * routes / pupils, 2)
