"""A party added to an agreement starts with its organisation's bevoegd-gezagnummer
(loaded from DUO's vestigingen file); a number typed or cleared in the form wins."""
from portal.services.agreements import operations
from tests.factories import make_organisation
from tests.factories_agreements import make_agreement, make_parties_and_route


def _rows(agreement, **extra):
    return [{"organisation_id": p.organisation_id, "role": p.role, "governing_body_name": p.governing_body_name,
             "governing_body_number": p.governing_body_number or ""} for p in agreement.parties] + \
        ([extra] if extra else [])


def test_an_added_party_gets_the_organisations_number(db_session):
    vmbo, mbo, route, vmbo_user, _ = make_parties_and_route()
    agreement = make_agreement(vmbo_user, route, mbo)
    school = make_organisation("vmbo", name="Tweede vmbo (testdata)", governing_body_name="Stichting Twee",
                               governing_body_number="41234")
    operations.set_parties(db_session, agreement, _rows(agreement, organisation_id=school.id, role="vmbo",
                                                        governing_body_name=""), vmbo_user)
    assert agreement.party_for(school.id).governing_body_number == "41234"
    # typed over, or cleared, in the parties form: kept as typed
    rows = _rows(agreement)
    for row in rows:
        if row["organisation_id"] == school.id:
            row["governing_body_number"] = ""
    operations.set_parties(db_session, agreement, rows, vmbo_user)
    assert agreement.party_for(school.id).governing_body_number is None
