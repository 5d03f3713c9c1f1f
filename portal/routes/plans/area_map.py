"""The map of plan regions: each plan's area (the hull of its schools),
coloured by its state, over the arbeidsmarktregio's it touches. Folium with
Leaflet from /static/vendor only and no tiles; the features go out as a JSON
block the page renders (never through folium's templates), and maps.js's
regionLayer draws them, as on the region pages."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape as _esc

import folium
from folium.map import FitBounds, Layer
from folium.template import Template
from markupsafe import Markup, escape

from portal.core.geometry import compact_geometry_text
from portal.domain import plans as dom
from portal.domain.plan_area import REGION_FILL, STATE_COLOURS
from portal.services.plans.area import AreaMap

VENDOR = "/static/vendor"
NETHERLANDS_BOUNDS = [[50.75, 3.36], [53.56, 7.23]]


class _AreaLayer(Layer):
    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = window.portalMaps.regionLayer({{ this._parent.get_name() }},
                JSON.parse(document.getElementById({{ this.data_id|tojson }}).textContent),
                {{ this.focus|tojson }});
        {% endmacro %}""")

    def __init__(self, data_id: str, focus: list[str]):
        super().__init__(name="Planregio's", overlay=True, control=False, show=True)
        self._name = "AreaLayer"
        self.data_id = data_id
        self.focus = focus


@dataclass
class MapParts:
    header: Markup
    html: Markup
    script: str
    data: dict = field(default_factory=dict)


def _feature(code: str, name: str, geometry: dict, fill: str, popup: str) -> dict:
    return {"type": "Feature", "id": code, "geometry": geometry,
            "properties": {"code": code, "name": name, "fill": fill, "cls": "", "hatched": False, "popup": popup}}


def build(area: AreaMap, plan_url) -> folium.Map:
    """`plan_url(plan_id)` is the link in a plan's popup (None: no link)."""
    m = folium.Map(location=(52.2, 5.3), zoom_start=7, tiles=None, control_scale=False, zoom_control=True)
    m.default_js = [("leaflet", f"{VENDOR}/leaflet/leaflet.js")]
    m.default_css = [("leaflet_css", f"{VENDOR}/leaflet/leaflet.css")]
    m.options.update(max_zoom=16, min_zoom=6)
    fit = FitBounds(NETHERLANDS_BOUNDS)
    fit.options["animate"] = False
    m.add_child(fit)
    features = [_feature(code, name, compact_geometry_text(geometry), REGION_FILL,
                         f"<strong>{_esc(name)} ({_esc(code)})</strong><br>Arbeidsmarktregio")
                for code, name, geometry in area.regions]
    focus = []
    for plan in area.plans:
        if plan.hull is None:
            continue
        code = f"plan-{plan.plan_id}"
        url = plan_url(plan.plan_id)
        popup = (f"<strong>{_esc(plan.name)}</strong><br>{_esc(dom.STATE_NAMES[plan.state])}"
                 + (f'<br><a href="{_esc(url)}">Naar het plan</a>' if url else ""))
        features.append(_feature(code, plan.name, plan.hull, STATE_COLOURS[plan.state], popup))
        focus.append(code)
    data_id = f"{m.get_name()}-areas"
    _AreaLayer(data_id, focus).add_to(m)
    m.portal_data = {data_id: {"type": "FeatureCollection", "features": features}}
    return m


_SCRIPT_TAG = re.compile(r"<script(?![^>]*\bnonce=)", re.IGNORECASE)
_HEAD_KEEP = re.compile(r"<(?:script|link)\b[^>]*>(?:</script>)?", re.IGNORECASE)


def render(m: folium.Map, nonce: str) -> MapParts:
    """The parts a page needs: only the vendored head tags (never another
    host), every script with the CSP nonce."""
    figure = m.get_root()
    for child in figure._children.values():  # noqa: SLF001  folium's own render order
        child.render()
    tags = [t for t in _HEAD_KEEP.findall(figure.header.render()) if "/static/vendor/" in t]
    if any(re.search(r"(?:src|href)=\"?https?://", t) for t in tags):
        raise ValueError("external asset in the map header")
    header = "\n".join(_SCRIPT_TAG.sub(f'<script nonce="{escape(nonce)}"', t) for t in tags)
    return MapParts(header=Markup(header), html=Markup(figure.html.render().strip()),  # noqa: S704  folium's own markup
                    script=figure.script.render(), data=getattr(m, "portal_data", {}))
