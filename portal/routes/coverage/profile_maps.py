"""The two choropleths of /dekking: per gemeente whether it offers the chosen
profiel, per provincie the share of its gemeenten with offer that do. Drawn as
/kaart is (map_render): folium with the vendored Leaflet, no tiles, the
features in JSON blocks that maps.js reads, "niet aangeboden" hatched (the
non-colour cue) and "geen beroepsgericht aanbod" with the grey hatch of "geen
gegevens", so the two never look alike. Provincies carry their value as a
label."""
from __future__ import annotations

from html import escape as _esc

import folium
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from portal.domain import coverage as rules
from portal.domain import profile_coverage as pc
from portal.routes.coverage.map_render import RegionLayer, base_map
from portal.services.coverage.profiles import ProfileCoverage

# class index per gemeente state: the map's classes of portal/domain/coverage.py
STATE_CLASS = {pc.OFFERED: 3, pc.NOT_OFFERED: 0, pc.NOT_APPLICABLE: None}
MUNICIPALITY_LEGEND = (
    (3, "aangeboden in de gemeente"),
    (0, "niet aangeboden (gearceerd oranje), wel beroepsgericht vmbo-aanbod in de gemeente"),
    (None, "geen beroepsgericht vmbo-aanbod in de gemeente (gearceerd grijs)"),
)
PROVINCE_LEGEND = (
    (0, "0 %: in geen enkele gemeente aangeboden (gearceerd oranje)"),
    (1, "minder dan de helft van de gemeenten met aanbod"),
    (2, "de helft tot bijna alle gemeenten"),
    (3, "100 %: in elke gemeente met beroepsgericht aanbod"),
    (None, "geen gemeenten met beroepsgericht aanbod (gearceerd grijs)"),
)


def province_class(share: pc.Share) -> int | None:
    value = share.value
    if value is None:
        return None
    if value == 0:
        return 0
    if value < 0.5:
        return 1
    return 3 if value >= 1 else 2


def fill(index: int | None) -> str:
    if index is None:
        return rules.NO_DATA_COLOUR
    return rules.ZERO_COLOUR if index == 0 else rules.PALETTE[index - 1]


def _feature(code: str, name: str, shape: str, index: int | None, popup: str, label: str | None = None) -> str:
    """As map_render.region_feature, as JSON text safe inside HTML, with the geometry's JSON made once per
    computed coverage (services/coverage/profiles ProfileCoverage.shapes)."""
    properties = {"code": code, "name": name, "fill": fill(index), "cls": rules.class_key(index),
                  "hatched": rules.is_hatched(index), "popup": popup}
    if label:
        properties["label"] = label
    return (f'{{"type":"Feature","id":{_json(code)},"properties":{_json(properties)},'
            f'"geometry":{shape}}}')


def _json(value) -> str:
    return str(htmlsafe_json_dumps(value, separators=(",", ":")))


def _collection(features: list[str]) -> Markup:
    return Markup('{"type":"FeatureCollection","features":[' + ",".join(features) + "]}")  # noqa: S704  JSON made above, html-safe


class _AreaLayer(RegionLayer):
    def __init__(self, data_id: str, name: str, show: bool):
        super().__init__(data_id, name)
        self.show = show


def build_profile_map(cov: ProfileCoverage, profile: str, profile_name: str, gemeente_url: str, province_url: str,
                      tile_url: str | None = None, tile_attribution: str = "") -> folium.Map:
    """`gemeente_url` and `province_url`: the list of vestigingen with "{}" for the area's code."""
    m = base_map(tile_url, tile_attribution)
    prefix = m.get_name()
    data: dict[str, object] = {}
    features = []
    shapes = cov.shapes
    for area in cov.municipalities.values():
        if area.code not in shapes:
            continue
        state = cov.area_state(area.code, profile)
        index = STATE_CLASS[state]
        n = cov.nearest(profile).get(area.code)
        distance = "" if n is None or n.km is None else f"<br>Dichtstbijzijnde aanbod: {n.km:.0f} km"
        popup = (f"<strong>{_esc(area.name)}</strong><br>{_esc(profile_name)}: "
                 f"{_esc(dict(MUNICIPALITY_LEGEND)[index].split(' (')[0])}{distance}"
                 f'<br><a href="{_esc(gemeente_url.replace("{}", area.code))}">Vestigingen met dit profiel</a>')
        features.append(_feature(area.code, area.name, shapes[area.code], index, popup))
    if features:
        data[f"{prefix}-gemeenten"] = _collection(features)
        _AreaLayer(f"{prefix}-gemeenten", "Gemeenten", True).add_to(m)
    provinces = []
    for code, (name, _geometry) in cov.provinces.items():
        if code not in shapes:
            continue
        share = cov.profile_share_cached(profile, code)
        index = province_class(share)
        label = "–" if share.value is None else f"{round(share.value * 100)} %"
        popup = (f"<strong>{_esc(name)}</strong><br>{_esc(profile_name)}: {share.offering} van de "
                 f"{share.with_offer} gemeenten met beroepsgericht aanbod ({label})"
                 f'<br><a href="{_esc(province_url.replace("{}", code))}">Vestigingen met dit profiel</a>')
        provinces.append(_feature(code, name, shapes[code], index, popup, label))
    if provinces:
        data[f"{prefix}-provincies"] = _collection(provinces)
        _AreaLayer(f"{prefix}-provincies", "Provincies", False).add_to(m)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    m.portal_data = data
    return m
