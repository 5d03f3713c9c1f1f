"""The columns of the route files: the export, the import template and the
import share them (the export leaves the contact columns out for whoever may
not see contact details)."""
from __future__ import annotations

# Import columns, in template order, and the service field each one feeds.
IMPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("titel", "title"), ("soort", "kind"), ("status", "status"),
    ("vmbo_partijen", "vmbo_parties"), ("mbo_partijen", "mbo_parties"), ("bedrijven", "employer_parties"),
    ("leerwegen", "pathways"), ("profielen", "profiles"), ("mbo_niveau", "mbo_level"),
    ("opleidingsdomein", "mbo_domain"), ("crebo", "crebo"), ("kwalificatie", "qualification_name"),
    ("lesplaats", "teaching_location"), ("eerste_schooljaar", "first_school_year"),
    ("laatste_schooljaar", "last_school_year"), ("leerlingen_per_cohort", "pupils_per_cohort"),
    ("contactpersoon", "contact_name"), ("contact_email", "contact_email"),
    ("contact_telefoon", "contact_phone"), ("omschrijving", "description"),
)
FIELD_COLUMNS = {f: c for c, f in IMPORT_COLUMNS}
REQUIRED_COLUMNS = ("titel", "soort", "vmbo_partijen", "mbo_partijen", "eerste_schooljaar")
CONTACT_COLUMNS = {"contactpersoon", "contact_email", "contact_telefoon"}
