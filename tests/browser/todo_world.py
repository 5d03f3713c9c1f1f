"""Synthetic data for the to-do browser flow, written into the live server's
database through the services (run as `python -m tests.browser.todo_world
TAG` with the live server's environment): a vmbo school and an ROC in one
gemeente, a coordinator of each, a GLR in voorbereiding between them and a
complete concept agreement covering it, ready to be sent. Prints the ids as
JSON. Everything is named "(synthetisch)"."""
from __future__ import annotations

import json
import sys

from sqlalchemy import select

from portal import create_app
from portal.extensions import db
from portal.models import Municipality, MunicipalityRegion, Region, User
from portal.services.learning_routes import operations as route_operations
from portal.services.reference.boundaries import current_region_year
from tests.factories import make_organisation, make_user
from tests.factories_agreements import make_agreement
from tests.factories_routes import make_school, route_data


def main(tag: str) -> None:
    app = create_app()
    with app.app_context():
        year = current_region_year(db.session)
        municipality, region = db.session.execute(
            select(Municipality, Region).join(MunicipalityRegion, MunicipalityRegion.municipality_id == Municipality.id)
            .join(Region, Region.id == MunicipalityRegion.region_id).where(MunicipalityRegion.year == year)
            .order_by(Region.code, Municipality.id).limit(1)).one()
        school = make_school(profiles=("ZW",), name=f"Vmbo Browsertest {tag} (synthetisch)",
                             governing_body_name=f"Stichting Vmbo Browsertest {tag}", municipality_id=municipality.id)
        roc = make_organisation("mbo", name=f"ROC Browsertest {tag} (synthetisch)",
                                governing_body_name=f"Stichting ROC Browsertest {tag}", municipality_id=municipality.id)
        a = make_user("coordinator", school, email=f"a.{tag}@example.org", name=f"A Browsertest {tag} (synthetisch)")
        b = make_user("coordinator", roc, email=f"b.{tag}@example.org", name=f"B Browsertest {tag} (synthetisch)")
        staff = db.session.scalar(select(User).where(User.role == "staff").order_by(User.id).limit(1))
        route = route_operations.register_route(db.session, route_data(
            school, roc, title=f"GLR Browsertest {tag} (synthetisch)", first_school_year="2026-2027"), staff)
        agreement = make_agreement(a, route, roc, title=f"Overeenkomst Browsertest {tag} (synthetisch)")
        db.session.commit()
        print(json.dumps({"agreement_id": agreement.id, "agreement": agreement.title, "route_id": route.id,
                          "route": route.title, "a": a.email, "b": b.email, "region": region.name}))


if __name__ == "__main__":
    main(sys.argv[1])
