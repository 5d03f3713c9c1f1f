"""The folium map of /kaart: region choropleth, clustered school pins and a
layer with the vmbo schools without a route.

At national scale the page must stay small and quick to render: its size
must not grow with the routes. The pins (with their routes) are not in the
page: maps.js fetches them as compact arrays (each route once) from
maps.list_school_pins and makes the markers and their popups; the schools
without a route are fetched likewise (maps.list_schools_without_route) when
the visitor switches that layer on. Both are cached with an ETag like every
public page; the page keeps the schools' table as the text alternative.

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

import dataclasses
import re
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape as _esc

import folium
from branca.element import MacroElement
from flask import current_app
from folium.map import FitBounds, Layer
from folium.plugins import FastMarkerCluster
from folium.template import Template
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup, escape

from portal.core.geometry import compact_geometry_text
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

KIND_NAMES = vocab.names(vocab.ROUTE_KINDS)
PROFILE_NAMES = vocab.names(vocab.PROFILES)
LEVEL_NAMES = vocab.names(vocab.MBO_LEVELS)

class _JsonLayer(Layer):
    """A plain layer built by portal/static/js/maps.js from the JSON block
    `data_id` (the region page's schools: "schoolLayer")."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = window.portalMaps.{{ this.builder }}(
                JSON.parse(document.getElementById({{ this.data_id|tojson }}).textContent));
        {% endmacro %}""")

    def __init__(self, data_id: str, builder: str, name: str):
        super().__init__(name=name, overlay=True, control=True, show=True)
        if builder not in ("schoolLayer",):
            raise ValueError(builder)
        self._name = "JsonLayer"
        self.data_id = data_id
        self.builder = builder


class _Cluster(FastMarkerCluster):
    """A marker cluster built by portal/static/js/maps.js (window.portalMaps)
    from the JSON block `data_id`, which names the URL of its data: the school
    pins (`builder` "pinCluster", fetched at once) or the schools without a
    route ("gapCluster", fetched when the layer is switched on). FastMarkerCluster, so that `show=False` is
    honoured and the assets are vendored."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = window.portalMaps.{{ this.builder }}(
                JSON.parse(document.getElementById({{ this.data_id|tojson }}).textContent),
                {{ this.options|tojavascript }});
        {% endmacro %}""")

    default_js = CLUSTER_JS
    default_css = CLUSTER_CSS

    def __init__(self, data_id: str, builder: str, **kwargs):
        super().__init__([], **kwargs)
        if builder not in ("pinCluster", "gapCluster"):
            raise ValueError(builder)
        self.data_id = data_id
        self.builder = builder


class _MetricScale(MacroElement):
    """Leaflet's scale bar in kilometres only (folium's control_scale adds
    miles as well)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            L.control.scale({metric: true, imperial: false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}""")


class RegionLayer(Layer):
    """The regions as a Leaflet GeoJSON layer, built by maps.js
    (portalMaps.regionLayer): filled by the class the server computed (class
    0 and "no data" hatched, by the SVG patterns of maps/_patterns.html),
    popups kept clear of the map's controls, and the map zoomed to the
    `focus` regions (the filtered ones). The features come from a JSON block
    (see the module docstring)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = window.portalMaps.regionLayer({{ this._parent.get_name() }},
                JSON.parse(document.getElementById({{ this.data_id|tojson }}).textContent),
                {{ this.focus|tojson }});
        {% endmacro %}""")

    def __init__(self, data_id: str, name: str, focus: list[str] | None = None):
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "RegionLayer"
        self.data_id = data_id
        self.focus = list(focus or [])


@dataclass
class MapParts:
    header: Markup  # <link> and <script src> tags for the page head (nonce added)
    html: Markup    # the map's <div>
    script: str     # the map's JavaScript, to be put in a <script nonce=...>
    name: str       # the JavaScript variable of the map
    data: dict = field(default_factory=dict)  # element id -> JSON data, rendered by the page


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


def pin_data(pins, route_url_pattern: str) -> dict:
    """The pins as compact arrays, each route once (a route of several schools
    is shared); maps.js builds the markers, titles and popups from them.
    routes: [id, title, kind, level, [profile codes], [region codes]];
    pins: [lat, lon, name, city, [route index, ...]]."""
    index: dict[int, int] = {}
    routes: list[list] = []
    regions: dict[str, str] = {}
    rows = []
    for pin in pins:
        indexes = []
        for route in pin.routes:
            position = index.get(route.id)
            if position is None:
                position = index[route.id] = len(routes)
                for code, name in route.regions:
                    regions[code] = name
                routes.append([route.id, route.title, route.kind, route.level or "", list(route.profiles),
                               [code for code, _name in route.regions]])
            indexes.append(position)
        rows.append([round(pin.lat, 5), round(pin.lon, 5), pin.name, pin.city or "", indexes])
    return {"labels": pin_labels(route_url_pattern, regions), "routes": routes, "pins": rows}


def pin_labels(route_url_pattern: str, regions: dict[str, str]) -> dict:
    """What maps.js needs to name the codes of the compact pin arrays."""
    return {
        "kinds": KIND_NAMES, "kind_letters": dict(rules.KIND_LETTERS), "main_kinds": list(rules.MAIN_KINDS),
        "kind_order": list(rules.MAIN_KINDS) + list(rules.OTHER_KINDS),
        "profiles": PROFILE_NAMES, "levels": LEVEL_NAMES, "regions": regions, "route_url": route_url_pattern,
    }


def school_table_rows(pins) -> Markup:
    """The rows of the page's table of the pins (the map's text alternative):
    one string join instead of a template loop over some 1,400 schools."""
    rows = []
    for pin in pins:
        kinds = ", ".join(KIND_NAMES.get(k, k) for k in pin.kinds)
        count = len(pin.routes)
        rows.append(f'<tr><th scope="row">{escape(pin.name)}</th><td>{escape(pin.city or "")}</td>'
                    f'<td>{escape(kinds)}</td><td class="num" data-value="{count}">{count}</td></tr>')
    return Markup("\n".join(rows))


def gap_rows(schools_without_route) -> list[list]:
    """The vmbo schools without a route as [lat, lon, label] for maps.js (the
    layer's JSON endpoint); schools without coordinates are left out."""
    rows = []
    for _id, name, city, lat, lon, _code in schools_without_route:
        if lat is None or lon is None:
            continue
        label = f"{name} ({city})" if city and city.lower() not in name.lower() else name
        rows.append([round(lat, 4), round(lon, 4), label])
    return rows


def base_map(tile_url: str | None, tile_attribution: str) -> folium.Map:
    m = folium.Map(location=NETHERLANDS_CENTRE, zoom_start=7, tiles=None, prefer_canvas=False,
                   control_scale=False, zoom_control=True)
    m.default_js = LEAFLET_JS
    m.default_css = LEAFLET_CSS
    # Without tiles the map itself must know its zoom range (markercluster needs maxZoom).
    m.options.update(max_zoom=MAX_ZOOM, min_zoom=MIN_ZOOM)
    # Not animated: a region filter zooms to the region at once (maps.js
    # regionLayer), which an opening zoom animation would undo when it ends.
    fit = FitBounds(NETHERLANDS_BOUNDS)
    fit.options["animate"] = False
    m.add_child(fit)
    _MetricScale().add_to(m)
    if tile_url:
        folium.TileLayer(tiles=tile_url, attr=tile_attribution or " ", name="Achtergrondkaart",
                         min_zoom=MIN_ZOOM, max_zoom=MAX_ZOOM,
                         overlay=False, control=False).add_to(m)
    return m


def region_feature(code: str, name: str, geometry: str, index: int | None, fill: str, popup: str) -> dict:
    """A region as a GeoJSON feature for maps.js: its class (`cls`, hatched
    for 0 and "no data"), base fill and popup HTML."""
    return {
        "type": "Feature", "id": code,
        "properties": {"code": code, "name": name, "fill": fill, "cls": rules.class_key(index),
                       "hatched": rules.is_hatched(index), "popup": popup},
        "geometry": compact_geometry_text(geometry),
    }


def build_map(*, geometries, figures: dict, measure: rules.Measure, pins_url: str, gaps_url: str,
              region_url, tile_url: str | None = None,
              tile_attribution: str = "", focus: list[str] | None = None) -> MapParts:
    """The map's parts, rendered with NONCE_SLOT (with_nonce puts a response's
    in). `figures` maps region code -> RegionFigures; `pins_url` the JSON of the
    school pins (pin_data) of this selection; `gaps_url` the JSON of the vmbo
    schools without a route in it; `focus` the codes of the regions to zoom to
    (the region filter). The folium frame depends on none of the data, so it
    is rendered once per process (map_frame); only the data blocks (element
    id -> JSON data, in `data`) are built per selection."""
    features = []
    for code, name, geometry in geometries:
        if not geometry:
            continue
        item = figures.get(code)
        index = rules.classify(measure, item.measure_value(measure) if item else None)
        features.append(region_feature(code, name, geometry, index, rules.class_colour(measure, index),
                                       region_popup(code, name, item, measure, region_url(code))))
    frame = map_frame(tile_url, tile_attribution, tuple(focus or ()), bool(features))
    data: dict[str, object] = {}
    if features:
        data[f"{frame.name}-regions"] = {"type": "FeatureCollection", "features": features}
    # Not in the page (its size would grow with the routes): maps.js fetches them.
    data[f"{frame.name}-pins"] = {"url": pins_url}
    # Not in the page: maps.js fetches these when the layer is switched on.
    data[f"{frame.name}-gaps"] = {"url": gaps_url}
    return dataclasses.replace(frame, data=data)


@lru_cache(maxsize=64)
def map_frame(tile_url: str | None, tile_attribution: str, focus: tuple[str, ...], with_regions: bool) -> MapParts:
    """The folium map without its data, rendered with NONCE_SLOT: its layers
    read their data from the page's JSON blocks by id (prefixed with the map's
    name), so it depends only on the tiles configured, the regions to zoom to
    and whether there are regions. Shared: callers must not change it."""
    m = base_map(tile_url, tile_attribution)
    prefix = m.get_name()
    if with_regions:
        RegionLayer(f"{prefix}-regions", "Arbeidsmarktregio's", list(focus)).add_to(m)
    _Cluster(f"{prefix}-pins", "pinCluster", name="Vmbo-scholen met leerroutes", show=True,
             options={"showCoverageOnHover": False, "maxClusterRadius": 40}).add_to(m)
    _Cluster(f"{prefix}-gaps", "gapCluster", name="Vmbo-scholen zonder leerroute", show=False,
             options={"showCoverageOnHover": False, "maxClusterRadius": 50}).add_to(m)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    return render_parts(m, NONCE_SLOT)


# The colours of the hatches (templates/maps/_patterns.html, as the template global MAP_HATCH).
HATCH_COLOURS = {"zero_colour": rules.ZERO_COLOUR, "zero_hatch": rules.ZERO_HATCH,
                 "no_data_colour": rules.NO_DATA_COLOUR, "no_data_hatch": rules.NO_DATA_HATCH}
REGION_FILL = rules.PALETTE[0]  # the region page's one region: a light fill under its school pins


def school_points(schools) -> list[list]:
    """The region page's vmbo schools, (id, name, city, lat, lon, routes),
    as [lat, lon, name, city, number of routes, id] for maps.js (schoolLayer);
    schools without coordinates are left out."""
    return [[round(lat, 5), round(lon, 5), name, city or "", routes, school_id]
            for school_id, name, city, lat, lon, routes in schools if lat is not None and lon is not None]


def build_region_map(*, code: str, name: str, geometry: str | None, schools, route_list_pattern: str,
                     tile_url: str | None = None, tile_attribution: str = "") -> folium.Map:
    """The region page's small map: the region, zoomed to, with its vmbo
    schools marked by whether they take part in a route of the selection
    (`schools`: (id, name, city, lat, lon, routes)); `route_list_pattern` is the
    route list of one organisation with "{}" for its id."""
    m = base_map(tile_url, tile_attribution)
    prefix = m.get_name()
    data: dict[str, object] = {}
    if geometry:
        popup = f"<strong>{_esc(name)} ({_esc(code)})</strong>"
        data[f"{prefix}-regions"] = {"type": "FeatureCollection", "features": [
            region_feature(code, name, geometry, 1, REGION_FILL, popup)]}
        RegionLayer(f"{prefix}-regions", "Arbeidsmarktregio", [code]).add_to(m)
    data[f"{prefix}-schools"] = {"schools": school_points(schools), "route_list": route_list_pattern}
    _JsonLayer(f"{prefix}-schools", "schoolLayer", "Vmbo-scholen").add_to(m)
    m.portal_data = data
    return m


_SCRIPT_TAG = re.compile(r"<script(?![^>]*\bnonce=)", re.IGNORECASE)
_HEAD_KEEP = re.compile(r"<(?:script|link)\b[^>]*>(?:</script>)?", re.IGNORECASE)


# A stand-in for the nonce in parts kept across responses (with_nonce puts the response's in).
NONCE_SLOT = "__portal_csp_nonce__"


def with_nonce(parts: MapParts, nonce: str) -> MapParts:
    """Kept parts (rendered with NONCE_SLOT) with this response's nonce."""
    return dataclasses.replace(parts, header=Markup(str(parts.header).replace(NONCE_SLOT, str(escape(nonce)))))


def serialised(parts: MapParts) -> MapParts:
    """The parts with their JSON blocks serialised and escaped as the
    templates' tojson does (to keep across responses)."""
    return dataclasses.replace(parts, data={
        data_id: Markup(_feature_collection_json(value) if _is_feature_collection(value)
                        else htmlsafe_json_dumps(value, dumps=current_app.json.dumps))
        for data_id, value in parts.data.items()})


def _is_feature_collection(value: object) -> bool:
    return isinstance(value, dict) and value.get("type") == "FeatureCollection" and set(value) == {"type", "features"}


def _feature_collection_json(value: dict) -> str:
    """htmlsafe_json_dumps(value) of the regions' FeatureCollection, with each
    shape's JSON made once per process (_shape_json): the shapes are reference
    data, and encoding them was most of the map's rebuild after a save. The
    same text as encoding it whole (tests/unit/test_map_render.py)."""
    dumps = current_app.json.dumps
    features = []
    for feature in value["features"]:
        text = str(htmlsafe_json_dumps({**feature, "geometry": None}, dumps=dumps))
        slot = text.index('"geometry":') + len('"geometry":')
        slot = text.index("null", slot)
        features.append(text[:slot] + _shape_json(feature["geometry"]) + text[slot + len("null"):])
    shell = str(htmlsafe_json_dumps({**value, "features": [0]}, dumps=dumps))
    at = shell.index("[0]")
    return shell[:at + 1] + _separator(dumps).join(features) + shell[at + 2:]


def _separator(dumps) -> str:
    pair = dumps([0, 0])  # "[0,0]" or "[0, 0]", as the app's JSON provider writes lists
    return pair[2:-2]


_SHAPES: dict[int, tuple[object, str]] = {}  # id(shape) -> (shape, its JSON): shapes from compact_geometry_text


def _shape_json(shape: object) -> str:
    found = _SHAPES.get(id(shape))
    if found is not None and found[0] is shape:
        return found[1]
    text = str(htmlsafe_json_dumps(shape, dumps=current_app.json.dumps))
    if len(_SHAPES) >= 1024:  # compact_geometry_text keeps 256 shapes; more are not the same objects again
        _SHAPES.clear()
    _SHAPES[id(shape)] = (shape, text)
    return text


def render_kept_parts(m: folium.Map) -> MapParts:
    """The parts to keep across responses (core/aggregates): the nonce left as
    NONCE_SLOT (with_nonce puts each response's in), the JSON blocks serialised
    and escaped as the templates' tojson does."""
    return serialised(render_parts(m, NONCE_SLOT))


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
