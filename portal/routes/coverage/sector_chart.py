"""The geometry of the exam-candidate chart on /dekking: one small line chart per leerweg, a line per
sector, each line named at its end (the non-colour cue) and drawn with its own dash pattern and marker.
Presentation only; the numbers come from services/coverage/profile_trends."""
from __future__ import annotations

from dataclasses import dataclass

from portal.domain.offer import EXAM_SECTOR_NAMES

WIDTH, HEIGHT = 320, 200
LEFT, RIGHT, TOP, BOTTOM = 44, 226, 26, 164  # the plot area; the sector names go right of it
BOX = {"width": WIDTH, "height": HEIGHT, "left": LEFT, "right": RIGHT, "bottom": BOTTOM}
LABEL_GAP = 11  # the least vertical room between two end labels
PATHWAY_NAMES = {"BB": "Basisberoepsgerichte leerweg (BB)", "KB": "Kaderberoepsgerichte leerweg (KB)",
                 "GL": "Gemengde leerweg (GL)", "TL": "Theoretische leerweg (TL)"}


@dataclass(frozen=True)
class Line:
    sector: str
    label: str
    points: str  # "x,y x,y ..." for <polyline>
    markers: tuple[tuple[float, float, int | None], ...]  # x, y, value (None: only "<5")
    label_y: float


@dataclass(frozen=True)
class Panel:
    pathway: str
    title: str
    lines: tuple[Line, ...]
    y_ticks: tuple[tuple[float, int], ...]
    x_ticks: tuple[tuple[float, str], ...]
    description: str


def _nice_top(value: int) -> int:
    """The smallest of 1, 2 or 5 x 10^n (at least 10) at or above value: a round top for the y axis."""
    top = 10
    while True:
        for factor in (1, 2, 5):
            if top * factor >= value:
                return top * factor
        top *= 10


def _spread(wanted: list[float]) -> list[float]:
    """End-label positions moved apart (top to bottom) so no two overlap."""
    order = sorted(range(len(wanted)), key=lambda i: wanted[i])
    placed = list(wanted)
    previous = None
    for i in order:
        if previous is not None and placed[i] - previous < LABEL_GAP:
            placed[i] = previous + LABEL_GAP
        previous = placed[i]
    return placed


def panels(years: list[str], series: dict[tuple[str, str], dict[str, int | None]]) -> list[Panel]:
    """One panel per leerweg that has candidates, in the order the series come (BB..TL). A year with only
    "<5" cells (None) is drawn at 0 and described as "<5"."""
    pathways: list[str] = []
    for pathway, _ in series:
        if pathway not in pathways:
            pathways.append(pathway)
    step = (RIGHT - LEFT) / max(len(years) - 1, 1)
    xs = [LEFT + i * step for i in range(len(years))]
    result = []
    for pathway in pathways:
        own = [(sector, values) for (p, sector), values in series.items() if p == pathway]
        top = _nice_top(max((v or 0 for _, values in own for v in values.values()), default=0))

        def y_of(value: int | None, top: int = top) -> float:
            return round(BOTTOM - (value or 0) / top * (BOTTOM - TOP), 1)

        lines = []
        ends = _spread([y_of(values.get(years[-1], 0)) + 4 for _, values in own]) if years else []
        for (sector, values), label_y in zip(own, ends, strict=False):
            markers = tuple((round(x, 1), y_of(values.get(y, 0)), values.get(y, 0)) for x, y in zip(xs, years,
                                                                                                     strict=True))
            lines.append(Line(sector, EXAM_SECTOR_NAMES.get(sector, sector),
                              " ".join(f"{x},{y}" for x, y, _ in markers), markers, label_y))
        description = "; ".join(f"{line.label}: " + ", ".join(f"{y} {'<5' if v is None else v}" for y, (_, _, v) in zip(years, line.markers,
                                                                                                 strict=True))
                                for line in lines)
        result.append(Panel(pathway, PATHWAY_NAMES.get(pathway, pathway), tuple(lines),
                            tuple((y_of(top * f // 2), top * f // 2) for f in range(3)),
                            tuple((round(x, 1), f"{y[2:4]}/{y[7:9]}") for x, y in zip(xs, years, strict=True)),
                            description))
    return result
