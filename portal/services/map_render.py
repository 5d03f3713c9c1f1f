"""The folium map of /kaart: region choropleth, clustered school pins and a
layer with the vmbo schools without a route.

Everything the map loads comes from /static/vendor/ (set per map instance);
folium's CDN defaults (jQuery, Bootstrap, awesome-markers, Font Awesome) are
not used: pins are Leaflet divIcons styled by portal/static/css/maps.css and
popups are plain HTML strings (folium's Popup needs jQuery). The page gets the
rendered parts and puts a CSP nonce on every script tag.

No data goes through folium's templates. branca compiles every rendered
element again as a Jinja template, so a route title like "{{ 7*7 }}" inside
folium's output would be evaluated on the server (template injection). The
region features and the pins are therefore written by the page's own
(autoescaped) template as <script type="application/json"> blocks, and the
folium elements below only read them by id.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html import escape as _esc

import folium
from folium.plugins import FastMarkerCluster
from folium.template import Template
from folium.map import Layer
from markupsafe import Markup, escape

from portal.domain import coverage as rules
from portal.domain import vocab

VENDOR = "/static/vendor"
LEAFLET_JS = [("leaflet", f"{VENDOR}/leaflet/leaflet.js")]
LEAFLET_CSS = [("leaflet_css", f"{VENDOR}/leaflet/leaflet.css")]
CLUSTER_JS = [("markerclusterjs", f"{VENDOR}/leaflet.markercluster/leaflet.markercluster.js")]
CLUSTER_CSS = [
    ("markerclustercss", f"{VENDOR}/leaflet.markercluster/MarkerCluster.css"),
    ("markerclusterdefaultcss", f"{VENDOR}/leaflet.markercluster/MarkerCluster.Default.css"),
]
NETHERLANDS_CENTRE = (52.2, 5.3)
NETHERLANDS_BOUNDS = [[50.75, 3.36], [53.56, 7.23]]
MIN_ZOOM, MAX_ZOOM = 6, 16
COORD_DIGITS = 3  # about 100 m: plenty for a national map, keeps the page small

KIND_NAMES = vocab.names(vocab.ROUTE_KINDS)
PROFILE_NAMES = vocab.names(vocab.PROFILES)
LEVEL_NAMES = vocab.names(vocab.MBO_LEVELS)

_PIN_CALLBACK = """function (row) {
    var icon = L.divIcon({className: "pin-icon", html: row[2], iconSize: null,
                          iconAnchor: [14, 28], popupAnchor: [0, -26]});
    var marker = L.marker([row[0], row[1]], {icon: icon, title: row[3], alt: row[3], riseOnHover: true});
    marker.bindPopup(row[4], {maxWidth: 320});
    return marker;
}"""

_GAP_CALLBACK = """function (row) {
    var icon = L.divIcon({className: "pin-icon", html: '<span class="pin-gap" aria-hidden="true">\\u25cb</span>',
                          iconSize: null, iconAnchor: [8, 8], popupAnchor: [0, -8]});
    var marker = L.marker([row[0], row[1]], {icon: icon, title: row[2], alt: row[2]});
    marker.bindPopup(row[3], {maxWidth: 280});
    return marker;
}"""

class _Cluster(FastMarkerCluster):
    """FastMarkerCluster whose `show=False` is honoured (folium's template
    always adds the cluster to the map) and whose assets are vendored."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = (function(){
                {{ this.callback }}
                var data = JSON.parse(document.getElementById({{ this.data_id|tojson }}).textContent);
                var cluster = L.markerClusterGroup({{ this.options|tojavascript }});
                for (var i = 0; i < data.length; i++) {
                    callback(data[i]).addTo(cluster);
                }
                return cluster;
            })();
        {% endmacro %}""")

    default_js = CLUSTER_JS
    default_css = CLUSTER_CSS

    def __init__(self, data_id: str, **kwargs):
        super().__init__([], **kwargs)
        self.data_id = data_id


class _RegionLayer(Layer):
    """The regions as a Leaflet GeoJSON layer, filled by the colour the server
    computed; the features come from a JSON block (see the module docstring)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.geoJson(null, {
                style: function (feature) {
                    return {fillColor: feature.properties.fill, color: "#4a4a4a", weight: 1, fillOpacity: 0.75};
                },
                onEachFeature: function (feature, layer) {
                    layer.bindPopup(feature.properties.popup, {maxWidth: 280});
                    layer.on({
                        mouseover: function (e) { e.target.setStyle({weight: 3, color: "#1a1a1a"}); },
                        mouseout: function (e) { {{ this.get_name() }}.resetStyle(e.target); }
                    });
                }
            });
            {{ this.get_name() }}.addData(JSON.parse(document.getElementById({{ this.data_id|tojson }}).textContent));
        {% endmacro %}""")

    def __init__(self, data_id: str, name: str):
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "RegionLayer"
        self.data_id = data_id


@dataclass
class MapParts:
    header: Markup  # <link> and <script src> tags for the page head (nonce added)
    html: Markup    # the map's <div>
    script: str     # the map's JavaScript, to be put in a <script nonce=...>
    name: str       # the JavaScript variable of the map
    data: dict = field(default_factory=dict)  # element id -> JSON data, rendered by the page


def _round(coords, digits: int = COORD_DIGITS):
    if isinstance(coords, (int, float)):
        return round(coords, digits)
    return [_round(c, digits) for c in coords]


def compact_geometry(geometry: dict, digits: int = COORD_DIGITS) -> dict:
    """Round coordinates and drop points that became duplicates."""
    def ring(points):
        out = []
        for point in points:
            p = [round(point[0], digits), round(point[1], digits)]
            if not out or out[-1] != p:
                out.append(p)
        return out
    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [ring(r) for r in geometry["coordinates"]]}
    if geometry["type"] == "MultiPolygon":
        return {"type": "MultiPolygon",
                "coordinates": [[ring(r) for r in poly] for poly in geometry["coordinates"]]}
    return {"type": geometry["type"], "coordinates": _round(geometry.get("coordinates", []), digits)}


def format_value(measure: rules.Measure, value) -> str:
    if value is None:
        return "geen gegevens"
    if measure.code == "profiles":
        return f"{value:.0f}%".replace(".", ",")
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", ",")
    return str(value)


def region_popup(code: str, name: str, figures, measure: rules.Measure, region_url: str) -> str:
    value = format_value(measure, figures.measure_value(measure)) if figures else "geen gegevens"
    routes = figures.routes if figures else 0
    levels = figures.niveaus_covered if figures else 0
    return (f"<strong>{_esc(name)} ({_esc(code)})</strong><br>{_esc(measure.label)}: {_esc(value)}"
            f"<br>Leerroutes: {routes}; niveaus: {levels}"
            f'<br><a href="{_esc(region_url)}">Naar de regiopagina</a>')


def pin_html(kinds: list[str]) -> str:
    """Colour and a letter per kind, so colour is never the only cue."""
    return "".join(
        f'<span class="pin-k pin-{kind if kind in rules.MAIN_KINDS else "overig"}">{rules.KIND_LETTERS[kind]}</span>'
        for kind in kinds)


def pin_popup(pin, route_url) -> str:
    """Plain string building with html.escape: this runs for every pin."""
    items = []
    for route in pin.routes:
        profiles = ", ".join(PROFILE_NAMES.get(p, p) for p in route.profiles) or "–"
        regions = ", ".join(f"{name} ({code})" for code, name in route.regions) or "–"
        items.append(
            f'<li><a href="{_esc(route_url(route.id))}">{_esc(route.title)}</a><br>'
            f"{_esc(KIND_NAMES.get(route.kind, route.kind))}; niveau: {_esc(LEVEL_NAMES.get(route.level or '', '–'))}"
            f"<br>Profiel: {_esc(profiles)}<br>Regio: {_esc(regions)}</li>")
    place = f" ({pin.city})" if pin.city and pin.city.lower() not in pin.name.lower() else ""
    return f'<strong>{_esc(pin.name + place)}</strong><ul class="popup-routes">{"".join(items)}</ul>'


def pin_title(pin) -> str:
    kinds = ", ".join(KIND_NAMES.get(k, k) for k in pin.kinds)
    count = len(pin.routes)
    return f"{pin.name}: {count} leerroute{'s' if count != 1 else ''} ({kinds})"


def build_map(*, geometries, figures: dict, measure: rules.Measure, pins, schools_without_route,
              region_url, route_url, tile_url: str | None = None, tile_attribution: str = "") -> folium.Map:
    """The folium map. `figures` maps region code -> RegionFigures. The data
    for its layers is kept on the map as `m.portal_data` (id -> JSON data)."""
    m = folium.Map(location=NETHERLANDS_CENTRE, zoom_start=7, tiles=None, prefer_canvas=False,
                   control_scale=True, zoom_control=True)
    m.default_js = LEAFLET_JS
    m.default_css = LEAFLET_CSS
    # Without tiles the map itself must know its zoom range (markercluster needs maxZoom).
    m.options.update(max_zoom=MAX_ZOOM, min_zoom=MIN_ZOOM)
    m.fit_bounds(NETHERLANDS_BOUNDS)
    if tile_url:
        folium.TileLayer(tiles=tile_url, attr=tile_attribution or " ", name="Achtergrondkaart",
                         min_zoom=MIN_ZOOM, max_zoom=MAX_ZOOM,
                         overlay=False, control=False).add_to(m)
    data: dict[str, object] = {}
    prefix = m.get_name()

    features = []
    for code, name, geometry in geometries:
        if not geometry:
            continue
        item = figures.get(code)
        value = item.measure_value(measure) if item else None
        features.append({
            "type": "Feature", "id": code,
            "properties": {
                "code": code, "name": name,
                "fill": rules.class_colour(measure, rules.classify(measure, value)),
                "popup": region_popup(code, name, item, measure, region_url(code)),
            },
            "geometry": compact_geometry(json.loads(geometry)),
        })
    if features:
        data[f"{prefix}-regions"] = {"type": "FeatureCollection", "features": features}
        _RegionLayer(f"{prefix}-regions", "Arbeidsmarktregio's").add_to(m)

    data[f"{prefix}-pins"] = [
        [round(p.lat, 5), round(p.lon, 5), pin_html(p.kinds), pin_title(p), pin_popup(p, route_url)]
        for p in pins
    ]
    _Cluster(f"{prefix}-pins", callback=_PIN_CALLBACK, name="Vmbo-scholen met leerroutes", show=True,
             options={"showCoverageOnHover": False, "maxClusterRadius": 40}).add_to(m)

    gap_rows = []
    for _id, name, city, lat, lon, _code in schools_without_route:
        if lat is None or lon is None:
            continue
        label = f"{name} ({city})" if city and city.lower() not in name.lower() else name
        gap_rows.append([round(lat, 4), round(lon, 4), f"{label}: nog geen leerroute",
                         f"<strong>{_esc(label)}</strong><br>Nog geen leerroute in deze selectie."])
    data[f"{prefix}-gaps"] = gap_rows
    _Cluster(f"{prefix}-gaps", callback=_GAP_CALLBACK, name="Vmbo-scholen zonder leerroute", show=False,
             options={"showCoverageOnHover": False, "maxClusterRadius": 50}).add_to(m)

    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    m.portal_data = data
    return m


_SCRIPT_TAG = re.compile(r"<script(?![^>]*\bnonce=)", re.IGNORECASE)
_HEAD_KEEP = re.compile(r"<(?:script|link)\b[^>]*>(?:</script>)?", re.IGNORECASE)


def render_parts(m: folium.Map, nonce: str) -> MapParts:
    """Render the map into the parts a page needs. The head keeps only the
    vendored <link>/<script src> tags (folium's inline styles are replaced by
    maps.css); every script tag gets the CSP nonce."""
    figure = m.get_root()
    for child in figure._children.values():
        child.render()
    header_html = figure.header.render()
    tags = [t for t in _HEAD_KEEP.findall(header_html) if "/static/vendor/" in t]
    for tag in tags:
        if re.search(r"(?:src|href)=\"?https?://", tag):  # never anything from another host
            raise ValueError(f"external asset in map header: {tag}")
    header = "\n".join(_SCRIPT_TAG.sub(f'<script nonce="{escape(nonce)}"', t) for t in tags)
    html = figure.html.render().strip()
    script = figure.script.render()
    return MapParts(header=Markup(header), html=Markup(html), script=script, name=m.get_name(),
                    data=getattr(m, "portal_data", {}))
