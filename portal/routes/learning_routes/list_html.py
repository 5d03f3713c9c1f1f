"""The route list's rows and facets as HTML, built in Python.

The list page renders 25 rows and about 80 facet values per request; as Jinja
macros (one call per row part and per facet value, each escaping its
arguments) they were most of the page's CPU. These functions give the very
same HTML (tests/http/test_route_list_html.py compares them with the macros
they replace): the parts that do not depend on the request (a facet value's
escaped code, id and label) are built once per vocabulary and kept; a request
only inserts its counts, checked boxes and rows."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

from markupsafe import Markup, escape

from portal.domain import route_state
from portal.domain.school_year import current_school_year


@lru_cache(maxsize=64)
def _facet_parts(name: str, legend: str, items: tuple[tuple[str, str], ...],
                 scroll: bool) -> tuple[str, tuple[tuple[str, str, str], ...], str]:
    """(opening, per value (code, up to the checked mark, after it up to the count), closing)."""
    n = escape(name)
    opening = (f'  <fieldset class="facet{" facet-scroll" if scroll else ""}">\n'
               f'    <legend>{escape(legend)}</legend>\n    <ul class="facet-list">\n')
    values = []
    for code, label in items:
        c = escape(code)
        values.append((code,
                       f'        <li>\n          <input type="checkbox" name="{n}" value="{c}" id="f-{n}-{c}" ',
                       f'>\n          <label for="f-{n}-{c}">{escape(label)} '
                       f'<span class="facet-count" id="fc-{n}-{c}">('))
    return opening, tuple(values), "    </ul>\n  </fieldset>\n"


def facet(name: str, legend: str, codes: Iterable[str], labels: Mapping[str, str], chosen: Sequence[str],
          counts: Mapping[str, int], scroll: bool = False) -> Markup:
    """A facet: checkboxes with the number of routes per value (updated by htmx)."""
    opening, values, closing = _facet_parts(name, legend, tuple((c, labels[c]) for c in codes), scroll)
    out = [opening]
    for code, before_mark, before_count in values:
        out.append(before_mark)
        if code in chosen:
            out.append("checked")
        out.append(before_count)
        out.append(str(escape(counts.get(code, 0))))
        out.append(")</span></label>\n        </li>\n")
    out.append(closing)
    return Markup("".join(out))


@lru_cache(maxsize=64)
def _count_ids(name: str, codes: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    n = escape(name)
    return tuple((code, f'<span class="facet-count" id="fc-{n}-{escape(code)}" hx-swap-oob="true">(')
                 for code in codes)


def facet_counts_oob(name: str, codes: Iterable[str], counts: Mapping[str, int]) -> Markup:
    """A facet's counts as out-of-band swaps (the fragment's update of the form's counts)."""
    return Markup("".join(f"{opening}{escape(counts.get(code, 0))})</span>"
                          for code, opening in _count_ids(name, tuple(codes))))


_ARCHIVED = '<span class="badge archived">Gearchiveerd</span>'


def _abbreviations(codes: Sequence[str], names: Mapping[str, str]) -> str:
    """Codes such as "Z&W" or "KB" with their names for people and screen readers."""
    parts = []
    for code in codes:
        name = names.get(code)
        parts.append(f'<abbr title="{escape(name)}">{escape(code)}</abbr>' if name and name != code
                     else str(escape(code)))
    return ", ".join(parts)


def route_rows(routes: Iterable, detail_prefix: str, kind_names: Mapping[str, str], pathway_names: Mapping[str, str],
               profile_names: Mapping[str, str]) -> Markup:
    """The list's table rows, one line each ending in "</tr>", joined by
    newlines. A route's address is `detail_prefix` followed by its id (built
    once, not per row); routes are listing.RouteRow."""
    school_year = current_school_year()
    prefix = escape(detail_prefix)
    state_names = route_state.STATE_NAMES
    out = []
    for r in routes:
        state = route_state.route_state(r.status, r.first_school_year, r.last_school_year, school_year)
        if r.regions:
            regions = (f"{escape(route_state.region_label(state, len(r.regions)))}: "
                       f"{escape(', '.join(r.regions))}")
        else:
            regions = "nog geen arbeidsmarktregio bekend"
        pathways = _abbreviations(r.pathways, pathway_names) or "–"
        profiles = (f'<br><span class="muted">{_abbreviations(r.profiles, profile_names)}</span>'
                    if r.profiles else "")
        out.append(
            "          <tr>\n            <td>\n"
            f'              <a href="{prefix}{r.id}">{escape(r.title)}</a><br>\n'
            f'                <span class="badge kind-{escape(r.kind_code)}">{escape(kind_names[r.kind_code])}</span>\n'
            f'  <span class="status status-{escape(state)}">{escape(state_names[state])}</span>\n'
            f'{_ARCHIVED if r.archived_at else ""}\n'
            f'              <br><span class="muted">{regions}</span>\n'
            "            </td>\n"
            f"            <td>{escape(r.mbo_level_code or '–')}</td>\n"
            f"            <td>{pathways}{profiles}</td>\n"
            f"            <td>{escape('; '.join(r.parties))}</td>\n"
            f"            <td>{escape(r.first_school_year)}"
            f"{f' t/m {escape(r.last_school_year)}' if r.last_school_year else ''}</td>\n"
            "          </tr>")
    return Markup("\n".join(out))
