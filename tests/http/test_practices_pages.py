"""The library's pages over HTTP: search, htmx fragments, forms, moderation,
attachments. Titles carry unique words so other tests' data cannot interfere."""
import io
import re

import pytest
from sqlalchemy import select

from portal.models.practice import GoodPractice
from tests.conftest import login_as
from tests.factories import make_user
from tests.factories_practices import PDF_BYTES, PNG_BYTES, make_practice


def _link(practice):
    return f'href="/bibliotheek/{practice.id}"'


@pytest.fixture
def perron(db_session):
    return make_practice(title="Het Perron qwperron", themes=["overstap"],
                         summary="Een geïntegreerde route naar mbo 2.",
                         body="Er is geen zomerlek: leerlingen blijven in hun vertrouwde school.")


def test_zomerlek_finds_het_perron_and_shows_its_summary(client, perron):
    """The word is in the body only: the result shows the summary (issue 20 §5)."""
    html = client.get("/bibliotheek/?q=zomerlek").get_data(as_text=True)
    assert _link(perron) in html
    assert '<p class="snippet">Een geïntegreerde route naar mbo 2.</p>' in html


def test_words_in_the_summary_are_marked(client, perron):
    html = client.get("/bibliotheek/?q=geintegreerde").get_data(as_text=True)
    assert _link(perron) in html
    assert '<p class="snippet">Een <mark>geïntegreerde</mark> route naar mbo 2.</p>' in html


def test_hybride_docent_finds_hybrid_teacher_practice(client, db_session):
    hybrid = make_practice(title="Vakmensen qwhybride", themes=["hybride"],
                           summary="Hybride docenten uit het bedrijfsleven voor de klas.")
    other = make_practice(title="Alleen docent qwanders", summary="Een docent zonder meer.")
    html = client.get("/bibliotheek/", query_string={"q": "hybride docent"}).get_data(as_text=True)
    assert _link(hybrid) in html and _link(other) not in html


def test_attachment_title_word_is_found(client, db_session):
    author = make_user("coordinator")
    practice = make_practice(author, status="concept", title="Bijlagevoorbeeld qwbijlage")
    login_as(client, author)
    response = client.post(f"/bibliotheek/{practice.id}/bijlagen", data={
        "title": "Draaiboek qwdraaiboek", "file": (io.BytesIO(PDF_BYTES), "draaiboek.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    client.post(f"/bibliotheek/{practice.id}/indienen", data={})
    staff = make_user("staff")
    client.post("/logout")
    login_as(client, staff)
    assert client.post(f"/bibliotheek/{practice.id}/publiceren", data={}).status_code == 302
    html = client.get("/bibliotheek/?q=qwdraaiboek").get_data(as_text=True)
    assert _link(practice) in html


@pytest.mark.parametrize("query", [
    '"', '"zomerlek', "zomerlek OR", "OR", "*", "' OR 1=1 --", "'; DROP TABLE good_practices; --",
    "NEAR(a b)", "a:b", "(", "zomer & | ! lek", "%_\\", "🙂", "x" * 300,
])
def test_odd_queries_give_a_page(client, perron, query):
    response = client.get("/bibliotheek/", query_string={"q": query})
    assert response.status_code == 200
    assert "gevonden" in response.get_data(as_text=True)


def test_quotes_and_or(client, perron, db_session):
    other = make_practice(title="Techniek qwtechniek", summary="Over techniek.")
    html = client.get("/bibliotheek/", query_string={"q": "qwperron OR qwtechniek"}).get_data(as_text=True)
    assert _link(perron) in html and _link(other) in html
    html = client.get("/bibliotheek/", query_string={"q": '"vertrouwde school"'}).get_data(as_text=True)
    assert _link(perron) in html
    html = client.get("/bibliotheek/", query_string={"q": '"school vertrouwde"'}).get_data(as_text=True)
    assert _link(perron) not in html


def test_htmx_gets_only_the_results_fragment(client, perron):
    response = client.get("/bibliotheek/?q=zomerlek", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'role="status"' in html and _link(perron) in html
    assert "HX-Request" in response.headers.get("Vary", "")
    restore = client.get("/bibliotheek/?q=zomerlek",
                         headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)


def test_search_form_is_live_and_keeps_state_in_the_url(client, perron):
    html = client.get("/bibliotheek/?q=zomerlek&thema=overstap").get_data(as_text=True)
    form = re.search(r'<form[^>]*role="search"[^>]*>', html).group(0)
    assert 'hx-push-url="true"' in form and "delay:300ms" in form and 'method="get"' in form
    assert 'value="zomerlek"' in html
    assert re.search(r'<option value="overstap" selected>Overstap en zomerlek \(\d+\)</option>', html)


def test_region_filter_and_facet_counts(client, db_session, reference_data):
    from portal.models import Region
    region = db_session.scalars(select(Region).where(Region.year == 2025).order_by(Region.code)).first()
    inside = make_practice(title="Regio qwregio", region_ids=[region.id])
    outside = make_practice(title="Elders qwregio")
    html = client.get("/bibliotheek/", query_string={"q": "qwregio", "regio": region.code}).get_data(as_text=True)
    assert _link(inside) in html and _link(outside) not in html
    html = client.get("/bibliotheek/", query_string={"q": "qwregio"}).get_data(as_text=True)
    assert f'<option value="{region.code}" >{region.name} (1)</option>' in html or \
        f'<option value="{region.code}">{region.name} (1)</option>' in html
    assert "2 voorbeelden gevonden" in html


def test_pagination_links_keep_the_filters(client, db_session):
    for i in range(12):
        make_practice(title=f"Pagina qwpagina {i}")
    html = client.get("/bibliotheek/?q=qwpagina").get_data(as_text=True)
    assert "12 voorbeelden gevonden" in html
    assert 'href="/bibliotheek/?q=qwpagina&amp;pagina=2"' in html
    page2 = client.get("/bibliotheek/?q=qwpagina&pagina=2").get_data(as_text=True)
    assert page2.count('class="practice-item"') == 2


def test_detail_renders_sanitized_markdown_and_hides_email_from_public(client, db_session):
    practice = make_practice(title="Opmaak", body="# Kop\n\n**vet** <script>alert(1)</script> [x](javascript:alert(1))",
                             contact_name="Carla Contact", contact_email="carla@example.org")
    html = client.get(f"/bibliotheek/{practice.id}").get_data(as_text=True)
    assert "<h2>Kop</h2>" in html and "<strong>vet</strong>" in html
    assert "<script>alert" not in html and 'href="javascript' not in html
    assert "Carla Contact" in html and "carla@example.org" not in html
    login_as(client, make_user("reader"))
    assert "carla@example.org" in client.get(f"/bibliotheek/{practice.id}").get_data(as_text=True)


def test_detail_shows_related_practices_and_region_links(client, db_session, reference_data):
    from portal.models import Region
    region = db_session.scalars(select(Region).where(Region.year == 2025)).first()
    a = make_practice(title="Eerste qwverwant", themes=["bekostiging"], region_ids=[region.id])
    b = make_practice(title="Tweede qwverwant", themes=["bekostiging"])
    html = client.get(f"/bibliotheek/{a.id}").get_data(as_text=True)
    assert "Verwante voorbeelden" in html and _link(b) in html
    assert f'href="/bibliotheek/?regio={region.code}"' in html


def test_create_with_errors_keeps_input_and_marks_fields(client):
    login_as(client, make_user("coordinator"))
    response = client.post("/bibliotheek/nieuw", data={"title": "Mijn titel qwfout", "summary": "", "body": "tekst"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Mijn titel qwfout"' in html
    textarea = re.search(r'<textarea[^>]*id="summary"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in textarea and re.search(r'aria-describedby="[^"]*summary-fout', textarea)
    assert 'id="summary-fout"' in html
    assert "Kies minstens één thema." in html


def test_create_then_edit_with_a_stale_version(client, db_session):
    author = make_user("coordinator")
    login_as(client, author)
    response = client.post("/bibliotheek/nieuw", data={
        "title": "Nieuw qwnieuw", "summary": "Samenvatting.", "body": "Tekst.", "themes": ["lob", "techniek"],
        "tags": "Stage, stage, Zomer"})
    assert response.status_code == 302
    practice = db_session.scalar(select(GoodPractice).where(GoodPractice.title == "Nieuw qwnieuw"))
    assert practice.author_id == author.id and practice.status == "concept"
    assert practice.tag_names == ["stage", "zomer"] and practice.theme_codes == ["lob", "techniek"]
    # The coordinator's own organisation is linked by default on the form.
    assert f'<option selected value="{author.organisation_id}"' in client.get("/bibliotheek/nieuw").get_data(as_text=True) \
        or f'value="{author.organisation_id}" selected' in client.get("/bibliotheek/nieuw").get_data(as_text=True)
    stale = practice.version_id
    ok = client.post(f"/bibliotheek/{practice.id}/bewerken", data={
        "title": "Nieuw qwnieuw 2", "summary": "S.", "themes": ["lob"], "version_id": stale})
    assert ok.status_code == 302
    conflict = client.post(f"/bibliotheek/{practice.id}/bewerken", data={
        "title": "Overschreven", "summary": "S.", "themes": ["lob"], "version_id": stale})
    html = conflict.get_data(as_text=True)
    assert conflict.status_code == 200 and "Iemand anders heeft dit voorbeeld intussen opgeslagen" in html
    assert 'value="Overschreven"' in html
    # the other change is shown: who, which field, from what to what
    row = re.search(r"<td>([^<]*)</td><td>[^<]*</td><td>Titel</td><td>([^<]*)</td><td>([^<]*)</td>", html)
    assert row and row.groups() == (author.name, "Nieuw qwnieuw", "Nieuw qwnieuw 2")
    db_session.refresh(practice)
    assert practice.title == "Nieuw qwnieuw 2"
    # the form now carries the current version: saving again applies this input
    version = re.search(r'id="version_id" name="version_id" type="hidden" value="(\d+)"', html).group(1)
    assert int(version) == practice.version_id
    again = client.post(f"/bibliotheek/{practice.id}/bewerken", data={
        "title": "Overschreven", "summary": "S.", "themes": ["lob"], "version_id": version})
    assert again.status_code == 302
    db_session.refresh(practice)
    assert practice.title == "Overschreven"


def test_send_back_needs_a_reason_shown_at_the_field(client, db_session):
    practice = make_practice(status="ingediend", title="Terug qwterug")
    login_as(client, make_user("staff"))
    response = client.post(f"/bibliotheek/{practice.id}/terugsturen", data={"reason": "kort"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="reason-fout"' in html and "minstens 10 tekens" in html
    response = client.post(f"/bibliotheek/{practice.id}/terugsturen",
                           data={"reason": "Beschrijf het resultaat voor de leerlingen."})
    assert response.status_code == 302
    db_session.refresh(practice)
    assert practice.status == "teruggestuurd"
    assert "Beschrijf het resultaat" in client.get(f"/bibliotheek/{practice.id}").get_data(as_text=True)


def test_upload_refuses_wrong_content_and_serves_downloads_as_attachment(client, db_session):
    author = make_user("coordinator")
    practice = make_practice(author, status="concept", title="Upload qwupload")
    login_as(client, author)
    bad = client.post(f"/bibliotheek/{practice.id}/bijlagen", data={
        "title": "Nep", "file": (io.BytesIO(b"<html><script>alert(1)</script>"), "nep.pdf")},
        content_type="multipart/form-data")
    assert bad.status_code == 200
    assert 'id="file-fout"' in bad.get_data(as_text=True)
    good = client.post(f"/bibliotheek/{practice.id}/bijlagen", data={
        "title": "Foto", "file": (io.BytesIO(PNG_BYTES), "foto.png")}, content_type="multipart/form-data")
    assert good.status_code == 302
    db_session.refresh(practice)
    attachment = practice.attachments[0]
    with client.get(f"/bibliotheek/{practice.id}/bijlagen/{attachment.id}") as download:  # a file response
        assert download.status_code == 200 and download.data == PNG_BYTES
        assert download.headers["Content-Disposition"].startswith("attachment")
        assert download.headers["Content-Type"] == "image/png"


def test_queue_and_mine_list_the_right_practices(client, db_session):
    author = make_user("coordinator")
    waiting = make_practice(author, status="ingediend", title="Wacht qwwacht")
    draft = make_practice(author, status="concept", title="Concept qwconcept")
    login_as(client, author)
    mine = client.get("/bibliotheek/mijn").get_data(as_text=True)
    assert _link(waiting) in mine and _link(draft) in mine
    client.post("/logout")
    login_as(client, make_user("staff"))
    queue = client.get("/bibliotheek/moderatie").get_data(as_text=True)
    assert _link(waiting) in queue and _link(draft) not in queue


def test_posts_need_a_csrf_token(csrf_app, db_session):
    author = make_user("coordinator")
    practice = make_practice(author, status="concept")
    client = login_as(csrf_app.test_client(), author)
    assert client.post(f"/bibliotheek/{practice.id}/indienen", data={}).status_code == 400
    db_session.refresh(practice)
    assert practice.status == "concept"
