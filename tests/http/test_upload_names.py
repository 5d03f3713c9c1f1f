"""Upload names at the input boundary (issue 14): a bidi control (U+202E
shows 'rapport\u202egnp.exe' as 'rapportexe.png'), a C0/C1 control or a lone
surrogate in the name of a practice attachment or the signed agreement is
refused with a Dutch message at the field, and nothing is stored; the
Content-Disposition of a download never carries such characters, also for
names stored before, and a non-ASCII name travels as RFC 6266 filename*."""
from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from werkzeug.datastructures import FileStorage

from portal.core import uploads
from portal.core.errors import ServiceError
from portal.domain import text as text_rules
from portal.models.practice import PracticeAttachment
from tests.conftest import login_as
from tests.factories import make_user
from tests.factories_practices import PNG_BYTES, make_practice
from tests.http.test_agreements_access import PDF
from tests.http.test_agreements_access import World as AgreementWorld

BAD_NAMES = [
    ("rapport\u202egnp.exe.png", text_rules.MESSAGE_BIDI),
    ("foto\u2067links\u2069.png", text_rules.MESSAGE_BIDI),
    ("foto\u202a.png", text_rules.MESSAGE_BIDI),
    ("foto\x01.png", text_rules.MESSAGE_CONTROL),
    ("foto\x7f.png", text_rules.MESSAGE_CONTROL),
    ("foto\x85.png", text_rules.MESSAGE_CONTROL),
    ("foto\x9f.png", text_rules.MESSAGE_CONTROL),
]
BIDI_AND_CONTROLS = "".join(sorted(text_rules.BIDI_CONTROLS)) + "".join(map(chr, [*range(0x20), *range(0x7F, 0xA0)]))


def dutch(message: str) -> str:
    return "De bestandsnaam " + message[0].lower() + message[1:]


def stored_files() -> set[str]:
    return {p.name for p in uploads.upload_dir().iterdir()}


def percent_encoded(chars: str) -> set[str]:
    return {quote(c) for c in chars if quote(c) != c}


def assert_clean_disposition(disposition: str) -> None:
    assert not set(disposition) & set(BIDI_AND_CONTROLS), disposition
    upper = disposition.upper()
    assert not {code for code in percent_encoded(BIDI_AND_CONTROLS) if code.upper() in upper}, disposition


@pytest.mark.parametrize("name, message", BAD_NAMES)
def test_a_practice_attachment_with_a_hostile_name_is_refused_at_the_field(client, db_session, name, message):
    author = make_user("coordinator")
    practice = make_practice(author, status="concept", title="Uploadnaam qwnaam")
    login_as(client, author)
    before = stored_files()
    response = client.post(f"/bibliotheek/{practice.id}/bijlagen", content_type="multipart/form-data",
                           data={"title": "Foto", "file": (io.BytesIO(PNG_BYTES), name)})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="file-fout"' in html and dutch(message) in html
    db_session.refresh(practice)
    assert practice.attachments == [] and stored_files() == before


def test_a_clean_non_ascii_name_is_stored_and_served_as_rfc_6266_filename_star(client, db_session):
    """The control: the same upload with a clean name is stored, and its
    non-ASCII name comes back as filename* (UTF-8) with an ASCII fallback."""
    author = make_user("coordinator")
    practice = make_practice(author, status="concept", title="Uploadnaam qwgoed")
    login_as(client, author)
    response = client.post(f"/bibliotheek/{practice.id}/bijlagen", content_type="multipart/form-data",
                           data={"title": "Foto", "file": (io.BytesIO(PNG_BYTES), "Überzicht café.png")})
    assert response.status_code == 302
    db_session.refresh(practice)
    attachment = practice.attachments[0]
    assert attachment.original_name == "Überzicht café.png"
    with client.get(f"/bibliotheek/{practice.id}/bijlagen/{attachment.id}") as download:
        disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%C3%9Cberzicht%20caf%C3%A9.png" in disposition
    assert 'filename="Uberzicht cafe.png"' in disposition
    assert_clean_disposition(disposition)


@pytest.mark.parametrize("stored_name, shown", [
    ("rapport\u202egnp.exe", "rapportgnp.exe"),
    ("links\u2066\u2067\u2068\u2069rechts.png", "linksrechts.png"),
    ("c1\x85\x9b.png", "c1.png"),
    ("\u202e", "bestand"),
])
def test_a_name_stored_before_the_boundary_is_served_without_bidi_or_controls(client, db_session, stored_name, shown):
    author = make_user("coordinator")
    practice = make_practice(author, status="concept", title="Uploadnaam qwoud")
    (uploads.upload_dir() / ("b" * 32 + ".png")).write_bytes(PNG_BYTES)
    practice.attachments.append(PracticeAttachment(title="Oud", stored_name="b" * 32 + ".png", original_name=stored_name,
                                                   content_type="image/png", size=len(PNG_BYTES), sha256="0" * 64))
    db_session.flush()
    login_as(client, author)
    with client.get(f"/bibliotheek/{practice.id}/bijlagen/{practice.attachments[0].id}") as download:
        assert download.status_code == 200 and download.data == PNG_BYTES
        disposition = download.headers["Content-Disposition"]
    assert_clean_disposition(disposition)
    assert f'filename="{shown}"' in disposition or f"filename={shown}" in disposition


@pytest.mark.parametrize("name, message", BAD_NAMES[::2])
def test_the_signed_agreement_document_with_a_hostile_name_is_refused(client, db_session, name, message):
    world = AgreementWorld(db_session)
    world.sign_all()
    login_as(client, world.vmbo_user)
    before = stored_files()
    pdf_name = name.replace(".png", ".pdf")
    response = client.post(f"/overeenkomsten/{world.agreement.id}/document", follow_redirects=True,
                           data={"document": (io.BytesIO(PDF), pdf_name)}, content_type="multipart/form-data")
    assert "Document: " + dutch(message) in response.get_data(as_text=True)
    assert world.agreement.document_name is None and stored_files() == before


def test_the_agreement_document_stored_with_a_bidi_name_is_downloaded_without_it(client, db_session):
    world = AgreementWorld(db_session)
    world.with_document()
    world.agreement.document_name = "overeenkomst\u202efdp.exe"
    db_session.flush()
    login_as(client, world.vmbo_user)
    with client.get(f"/overeenkomsten/{world.agreement.id}/document") as download:
        assert download.status_code == 200
        disposition = download.headers["Content-Disposition"]
    assert_clean_disposition(disposition)
    assert "overeenkomstfdp.exe" in disposition


@pytest.mark.parametrize("name", ["half\ud800.pdf", "\udfff.pdf"])
def test_a_lone_surrogate_in_an_upload_name_is_refused_before_anything_is_stored(app, name):
    """HTTP cannot carry a lone surrogate (werkzeug decodes names as UTF-8),
    so the boundary is shown on the function every upload goes through."""
    with app.test_request_context():
        before = stored_files()
        with pytest.raises(ServiceError) as refused:
            uploads.store_upload(FileStorage(io.BytesIO(PDF), filename=name), field="document")
        assert refused.value.errors == {"document": [dutch(text_rules.MESSAGE_SURROGATE)]}
        assert stored_files() == before
