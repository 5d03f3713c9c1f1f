"""An organisation's page with what the reference data knows: a vmbo vestiging's
offer (DUO's pupils, its own statement) and the nearest vestigingen offering what it
does not; an mbo institution's locations with their regions (issues 15 and 16)."""
from __future__ import annotations

import re

from sqlalchemy import select

from portal.models import Organisation
from portal.services.coverage.profiles import compute
from portal.services.reference.mbo import import_mbo
from portal.services.reference.offer import import_profile_figures
from tests.conftest import require_data_file


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_a_vmbo_vestiging_shows_its_offer_and_the_nearest_elsewhere(client, db_session, reference_data):
    import_profile_figures(db_session, require_data_file("duo_leerlingen_vo_per_vestiging_naar_onderwijstype_2019.csv")
                           .read_bytes(), "2019-2020")
    cov = compute(db_session, None)
    school = next(s for s in cov.schools if s.id and len(cov.offer.get(s.vestigingscode, ())) == 1)
    offer = cov.school_offer(school.vestigingscode)
    missing, found = next((p, f) for p, f in offer.nearest_elsewhere.items() if f)
    body = text(client.get(f"/organisaties/{school.id}"))
    assert "Leerlingen in leerjaar 3 en 4 per leerweg en profiel" in body  # DUO's figures
    assert "Profielen die deze vestiging niet aanbiedt" in body
    nearest, km = found[0]
    assert f"{nearest.name}" in body and f"{km:.0f} km" in body


def test_an_mbo_institution_shows_its_locations_and_their_regions(client, db_session, reference_data):
    import_mbo(db_session, require_data_file("mbo_instellingen_kiesmbo_2025.csv").read_bytes(),
               require_data_file("mbo_locaties_kiesmbo_2025.csv").read_bytes())
    albeda = db_session.scalar(select(Organisation).where(Organisation.kind == "mbo",
                                                          Organisation.name.ilike("%Albeda%")))
    response = client.get(f"/organisaties/{albeda.id}")
    assert response.status_code == 200
    body = text(response)
    rows = re.findall(r'<tr><th scope="row">', response.get_data(as_text=True).split('id="locaties-tabel"')[1]
                      .split("</table>")[0])
    assert len(rows) >= 5 and "Rijnmond" in body
    assert "Profielen die deze vestiging niet aanbiedt" not in body
