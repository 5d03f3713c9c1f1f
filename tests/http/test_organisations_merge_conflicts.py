"""A form opened before a staff merge of two organisations (issue 15) is
refused after it with the usual Dutch conflict message, and changes nothing:
the merge gave every route, agreement and practice it touched a new version.
The forms are posted as a browser without JavaScript would post them, with
the values they were rendered with (so still naming the removed organisation).
The control: the same form opened after the merge saves."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AgreementParty, LearningRoute, RouteParty
from tests.conftest import login_as
from tests.factories import make_organisation, make_user
from tests.factories_agreements import agreement_world


class FormValues(HTMLParser):
    """The fields a browser posts from the first <form method="post"> whose
    class list holds `css_class`: inputs (checked boxes only), selected
    options, textareas; buttons only the one named `button`."""

    def __init__(self, css_class: str, button: str | None = None):
        super().__init__()
        self.css_class, self.button = css_class, button
        self.inside = self.done = False
        self.values: list[tuple[str, str]] = []
        self.select: str | None = None
        self.select_first: str | None = None
        self.select_chosen = False
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        a = {k: v if v is not None else "" for k, v in attrs}
        if tag == "form" and not self.done and a.get("method") == "post" \
                and self.css_class in a.get("class", "").split():
            self.inside = True
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "reset"):
                self.values.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "button" and name and name == self.button:
            self.values.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self.select, self.select_first, self.select_chosen = name, None, False
        elif tag == "option" and self.select is not None:
            if self.select_first is None:
                self.select_first = a.get("value", "")
            if "selected" in a:
                self.values.append((self.select, a.get("value", "")))
                self.select_chosen = True
        elif tag == "textarea" and name:
            self.textarea, self.text = name, ""

    def handle_data(self, data):
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "select" and self.select is not None:
            if not self.select_chosen and self.select_first is not None:
                self.values.append((self.select, self.select_first))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.values.append((self.textarea, self.text.removeprefix("\n")))
            self.textarea = None
        elif tag == "form":
            self.inside, self.done = False, True


def form_of(html: str, css_class: str, button: str | None = None) -> dict[str, list[str]]:
    parser = FormValues(css_class, button)
    parser.feed(html)
    assert parser.done, f"no post form with class {css_class!r}"
    data: dict[str, list[str]] = {}
    for name, value in parser.values:
        data.setdefault(name, []).append(value)
    return data


@pytest.fixture
def world(db_session, reference_data):
    """The agreement world plus an employer and its hand-made copy: the copy
    is the route's and the agreement's employer party."""
    w = agreement_world(db.session)
    kept = make_organisation("employer", name="Leerbedrijf Blijft")
    removed = make_organisation("employer", name="Leerbedrijf Dubbel")
    w["route"].parties.append(RouteParty(organisation_id=removed.id, role="employer"))
    db.session.add(AgreementParty(agreement_id=w["agreement"].id, organisation_id=removed.id, role="employer",
                                  governing_body_name="Leerbedrijf Dubbel B.V."))
    db.session.flush()
    return dict(w, kept=kept, removed=removed, staff=make_user("staff", name="Sam Samenvoeger"))


def _merge(client, w) -> None:
    login_as(client, w["staff"])
    done = client.post("/beheer/organisaties/samenvoegen",
                       data={"keep": w["kept"].id, "remove": w["removed"].id, "confirmed": "1"})
    assert done.status_code == 302


def _employers(route_id: int) -> list[int]:
    db.session.expire_all()
    return list(db.session.scalars(select(RouteParty.organisation_id).where(
        RouteParty.route_id == route_id, RouteParty.role == "employer")))


def test_a_route_form_opened_before_a_merge_is_refused_after_it(client, world):
    route = world["route"]
    coordinator = world["vmbo_user"]
    login_as(client, coordinator)
    url = f"/leerroutes/{route.id}/bewerken"
    opened = form_of(client.get(url).get_data(as_text=True), "route-form", button="opslaan")
    assert opened["employer_parties"] == [str(world["removed"].id)]
    # what the factory's route lacks for a valid save (so that only the version can refuse it)
    complete = {"title": ["Titel van de coördinator"], "pathways": ["BB"], "crebo": ["25498"],
                "qualification_name": ["Helpende zorg en welzijn"]}
    opened.update(complete)
    _merge(client, world)

    login_as(client, coordinator)
    response = client.post(url, data=opened)
    html = response.get_data(as_text=True)
    assert "Iemand anders heeft deze leerroute intussen gewijzigd" in html
    assert "Sam Samenvoeger heeft deze leerroute gewijzigd nadat jij het formulier opende" in html
    assert re.search(r"<td>Bedrijven</td><td>Leerbedrijf Dubbel</td><td>Leerbedrijf Blijft</td>", html)
    assert 'value="Titel van de coördinator"' in html  # the input is kept
    assert db.session.get(LearningRoute, route.id).title != "Titel van de coördinator"
    assert _employers(route.id) == [world["kept"].id]

    # the control: the form as it is now (after the merge) saves
    fresh = form_of(client.get(url).get_data(as_text=True), "route-form", button="opslaan")
    fresh.update(complete)
    saved = client.post(url, data=fresh)
    assert saved.status_code == 302, re.findall(r'class="error"[^>]*>([^<]*)', saved.get_data(as_text=True))
    assert db.session.get(LearningRoute, route.id).title == "Titel van de coördinator"
    assert _employers(route.id) == [world["kept"].id]


def test_the_agreements_party_editor_opened_before_a_merge_is_refused_after_it(client, world):
    agreement = world["agreement"]
    coordinator = world["vmbo_user"]
    login_as(client, coordinator)
    url = f"/overeenkomsten/{agreement.id}/partijen"
    opened = form_of(client.get(url).get_data(as_text=True), "form")
    removed_row = next(k for k, v in opened.items() if k.endswith("-organisation_id")
                       and v == [str(world["removed"].id)])
    gb_field = removed_row.replace("-organisation_id", "-governing_body_name")
    opened[gb_field] = ["Gewijzigd B.V."]
    revision = agreement.revision
    _merge(client, world)

    login_as(client, coordinator)
    response = client.post(url, data=opened)
    html = response.get_data(as_text=True)
    assert "Iemand anders heeft deze overeenkomst intussen gewijzigd" in html
    db.session.expire_all()
    parties = {p.organisation_id: p.governing_body_name for p in db.session.scalars(
        select(AgreementParty).where(AgreementParty.agreement_id == agreement.id))}
    assert parties[world["kept"].id] == "Leerbedrijf Dubbel B.V." and world["removed"].id not in parties
    assert agreement.revision == revision  # the merge made no addendum

    fresh = form_of(client.get(url).get_data(as_text=True), "form")
    kept_row = next(k for k, v in fresh.items() if k.endswith("-organisation_id") and v == [str(world["kept"].id)])
    fresh[kept_row.replace("-organisation_id", "-governing_body_name")] = ["Gewijzigd B.V."]
    assert client.post(url, data=fresh).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(AgreementParty.governing_body_name).where(
        AgreementParty.agreement_id == agreement.id,
        AgreementParty.organisation_id == world["kept"].id)) == "Gewijzigd B.V."
