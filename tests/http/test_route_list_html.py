"""The route list's rows and facets, built in Python (routes/learning_routes/
list_html.py) for speed, give the very HTML of the Jinja they replaced: the
row loop with the area's macros (still in _macros.html, used by other pages)
and the facet macros (their former text below)."""
from __future__ import annotations

from datetime import datetime

import pytest

from portal.domain.school_year import current_school_year
from portal.routes.learning_routes import list_html
from portal.services.learning_routes.listing import RouteRow

# The route list's row loop and facet macros as they were in the templates.
ROWS_BEFORE = """{% from "learning_routes/_macros.html" import route_summary, region_names_line, abbreviations %}
        {% for r in routes %}
          <tr>
            <td>
              <a href="{{ url_for('learning_routes.detail', route_id=r.id) }}">{{ r.title }}</a><br>
              {{ route_summary(r) }}
              <br><span class="muted">{{ region_names_line(r.regions, r) }}</span>
            </td>
            <td>{{ r.mbo_level_code or '–' }}</td>
            <td>{{ abbreviations(r.pathways, PATHWAY_NAMES) or '–' }}{% if r.profiles %}<br><span class="muted">{{ abbreviations(r.profiles, PROFILE_ABBREVIATION_NAMES) }}</span>{% endif %}</td>
            <td>{{ r.parties|join('; ') }}</td>
            <td>{{ r.first_school_year }}{% if r.last_school_year %} t/m {{ r.last_school_year }}{% endif %}</td>
          </tr>
        {% endfor %}
"""

FACET_MACROS = """{% macro facet(name, legend, codes, labels, chosen, counts, scroll=False) %}
  <fieldset class="facet{% if scroll %} facet-scroll{% endif %}">
    <legend>{{ legend }}</legend>
    <ul class="facet-list">
      {% for code in codes %}
        <li>
          <input type="checkbox" name="{{ name }}" value="{{ code }}" id="f-{{ name }}-{{ code }}" {% if code in chosen %}checked{% endif %}>
          <label for="f-{{ name }}-{{ code }}">{{ labels[code] }} <span class="facet-count" id="fc-{{ name }}-{{ code }}">({{ counts.get(code, 0) }})</span></label>
        </li>
      {% endfor %}
    </ul>
  </fieldset>
{% endmacro %}

{% macro facet_counts_oob(name, codes, counts) %}
  {% for code in codes %}<span class="facet-count" id="fc-{{ name }}-{{ code }}" hx-swap-oob="true">({{ counts.get(code, 0) }})</span>{% endfor %}
{% endmacro %}
"""


def _years(offset: int) -> str:
    start = int(current_school_year()[:4]) + offset
    return f"{start}-{start + 1}"


def _rows() -> list[RouteRow]:
    """Every branch of a row: states (derived ones too), archived, no regions,
    one or more regions, no pathways, codes without a name, text to escape."""
    return [
        RouteRow(1, "Zorg & welzijn <niveau 2> \"Ede\"", "dlr", "actief", None, "2", _years(-1), None,
                 ["KB", "GL"], ["Z&W", "D&P"], ["Ede & Co", "ROC <A> (Ede)"], ["Food Valley"]),
        RouteRow(22, "Afgelopen", "glr", "actief", None, None, _years(-3), _years(-1),
                 [], [], [], ["Achterhoek", "Twente"]),
        RouteRow(333, "Start later", "leerlab", "actief", datetime(2026, 1, 2), "4", _years(1), _years(2),
                 ["XX"], ["ZZ"], ["Eén"], []),
        RouteRow(4444, "Concept", "dlr", "concept", None, "1", _years(0), None, ["BB"], [], ["Partij"], ["Rijnmond"]),
        RouteRow(5, "Beëindigd", "dlr", "beeindigd", datetime(2025, 5, 5), "3",
                 _years(-2), _years(0), ["TL"], ["BWI"], [], []),
        RouteRow(6, "Voorbereiding", "glr", "voorbereiding", None, "2", _years(0), None, [], ["Z&W"], [], ["Twente"]),
    ]


def test_route_rows_are_the_html_of_the_row_loop(app):
    rows = _rows()
    env = app.jinja_env.overlay(autoescape=True)  # as for the app's .html templates
    with app.test_request_context("/leerroutes/"):
        before = env.from_string(ROWS_BEFORE).render(routes=rows)
        from portal.routes.learning_routes.views import route_list_rows
        after = route_list_rows(rows, env.globals["KIND_NAMES"], env.globals["PATHWAY_NAMES"],
                                env.globals["PROFILE_ABBREVIATION_NAMES"])
    # The template puts the rows between "<tbody>\n" and "\n      </tbody>".
    assert before.strip("\n") == str(after)
    assert "&lt;niveau 2&gt;" in after and "Ede &amp; Co" in after and 'href="/leerroutes/4444"' in after
    assert "Gearchiveerd" in after and "liep in arbeidsmarktregio&#39;s: Achterhoek, Twente" in after


@pytest.mark.parametrize("scroll", [False, True])
@pytest.mark.parametrize("chosen", [[], ["b&"], ["a", "c<"]])
def test_facets_are_the_html_of_the_macros(app, scroll, chosen):
    codes = ["a", "b&", "c<", "d"]
    labels = {"a": "Één", "b&": "B & co", "c<": "<c>", "d": 'd"q'}
    counts = {"a": 3, "b&": 0, "c<": 12345}  # "d" has none: (0)
    macros = app.jinja_env.overlay(autoescape=True).from_string(FACET_MACROS).module
    before = macros.facet("f&x", "Leg<end>", codes, labels, chosen, counts, scroll=scroll)
    assert str(list_html.facet("f&x", "Leg<end>", codes, labels, chosen, counts, scroll=scroll)) == str(before)
    assert str(list_html.facet_counts_oob("f&x", codes, counts)) == str(macros.facet_counts_oob("f&x", codes, counts))
    assert ("checked" in str(before)) == bool(chosen)

