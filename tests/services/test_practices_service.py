"""The library's use cases on a real database: status flow, audit, links,
attachments, and full-text search (SQLite FTS5 or PostgreSQL tsvector)."""
import io

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from portal.core.errors import ConflictError, ServiceError
from portal.models import AuditLog, MunicipalityRegion, Region
from portal.models.base import aware
from portal.routes.practices.views import highlight
from portal.services.practices import attachments, queries
from portal.services.practices import operations as service
from portal.services.practices.queries import Filters
from tests.factories import make_organisation, make_route, make_user
from tests.factories_practices import PDF_BYTES, make_practice, practice_data


def _audit_actions(session, practice):
    return [a.action for a in session.scalars(
        select(AuditLog).where(AuditLog.object_type == "good_practice", AuditLog.object_id == practice.id)
        .order_by(AuditLog.id))]


def _titles(session, **filters):
    return [h.practice.title for h in queries.search_practices(session, Filters(**filters), per_page=50).hits]


def test_status_flow_keeps_author_reason_and_publication_date(db_session):
    author = make_user("coordinator")
    staff = make_user("staff")
    practice = service.create_practice(db_session, practice_data(title="Flow"), author)
    assert practice.status == "concept" and practice.author_id == author.id
    service.submit_practice(db_session, practice, author)
    assert practice.status == "ingediend" and practice.submitted_at is not None
    with pytest.raises(ServiceError, match="reden"):
        service.send_back_practice(db_session, practice, "kort", staff)
    service.send_back_practice(db_session, practice, "Noem concreet wat het oplevert.", staff)
    assert practice.status == "teruggestuurd"
    assert practice.moderation_reason == "Noem concreet wat het oplevert."
    with pytest.raises(ServiceError, match="publiceren"):
        service.publish_practice(db_session, practice, staff)
    service.submit_practice(db_session, practice, author)
    service.publish_practice(db_session, practice, staff)
    first = practice.published_at
    assert practice.status == "gepubliceerd" and first is not None and practice.moderation_reason is None
    assert practice.author_id == author.id and practice.moderated_by_id == staff.id
    # Unpublish and republish: the first publication date is kept.
    service.send_back_practice(db_session, practice, "Tijdelijk offline voor correctie.", staff)
    service.submit_practice(db_session, practice, author)
    service.publish_practice(db_session, practice, staff)
    # Read back from the database by the write's lock (SQLite stores no zone).
    assert aware(practice.published_at) == aware(first)
    assert _audit_actions(db_session, practice) == [
        "create", "submit", "send_back", "submit", "publish", "send_back", "submit", "publish"]


def test_every_write_is_audited_with_before_and_after(db_session):
    author = make_user("coordinator")
    practice = service.create_practice(db_session, practice_data(title="Oud"), author)
    service.update_practice(db_session, practice, practice_data(title="Nieuw"), author)
    service.archive_practice(db_session, practice, author)
    entries = db_session.scalars(select(AuditLog).where(AuditLog.object_id == practice.id,
                                                        AuditLog.object_type == "good_practice")
                                 .order_by(AuditLog.id)).all()
    assert [e.action for e in entries] == ["create", "update", "archive"]
    assert entries[1].before["title"] == "Oud" and entries[1].after["title"] == "Nieuw"
    assert all(e.actor_id == author.id for e in entries)


def test_validation_errors_name_the_fields(db_session):
    with pytest.raises(ServiceError) as exc:
        service.create_practice(db_session, practice_data(title="", themes=["onbekend"],
                                                          organisation_ids=["999999"]), None)
    assert {"title", "themes", "organisation_ids"} <= set(exc.value.errors)


def test_stale_version_is_a_conflict(db_session):
    practice = service.create_practice(db_session, practice_data(), None)
    old = practice.version_id
    service.update_practice(db_session, practice, practice_data(title="Eerste"), None, expected_version=old)
    with pytest.raises(ConflictError):
        service.update_practice(db_session, practice, practice_data(title="Tweede"), None, expected_version=old)


def test_regions_follow_the_organisations_municipalities(db_session, reference_data):
    municipality_region = db_session.scalars(select(MunicipalityRegion).where(MunicipalityRegion.year == 2025)).first()
    org = make_organisation("vmbo", municipality_id=municipality_region.municipality_id)
    route = make_route()
    practice = make_practice(organisation_ids=[org.id], route_ids=[route.id], level_codes=["2"],
                             domain_codes=["ZW"])
    assert [r.id for r in practice.regions] == [municipality_region.region_id]
    assert practice.routes == [route] and [x.code for x in practice.levels] == ["2"]
    region = db_session.get(Region, municipality_region.region_id)
    assert practice in queries.practices_for_region(db_session, region.code)
    assert practice not in queries.practices_for_region(db_session, "AM99")


def test_practices_for_region_only_lists_published(db_session, reference_data):
    region = db_session.scalars(select(Region).where(Region.year == 2025)).first()
    published = make_practice(region_ids=[region.id])
    draft = make_practice(status="concept", region_ids=[region.id])
    archived = make_practice(region_ids=[region.id])
    service.archive_practice(db_session, archived, None)
    found = queries.practices_for_region(db_session, region.code, limit=50)
    assert published in found and draft not in found and archived not in found


def test_related_practices_share_a_theme_or_region(db_session):
    a = make_practice(themes=["bekostiging"], title="A")
    b = make_practice(themes=["bekostiging", "lob"], title="B")
    c = make_practice(themes=["havo"], title="C")
    related = queries.related_practices(db_session, a, limit=50)
    assert b in related and a not in related and c not in related


# --- search ---------------------------------------------------------------------

@pytest.fixture
def library(db_session):
    perron = make_practice(title="Het Perron in Veenendaal", themes=["overstap"],
                           summary="Een geïntegreerde route naar mbo 2.",
                           body="Er is geen zomerlek meer: de leerlingen blijven in hun vertrouwde school.")
    hybrid = make_practice(title="Vakmensen voor de klas", themes=["hybride"],
                           summary="Over hybride docenten uit het bedrijfsleven.",
                           body="Een hybride docent werkt deels in een bedrijf.")
    tech = make_practice(title="Talentontwikkeling Techniek", themes=["techniek"],
                         summary="Doorlopende route vmbo-mbo-hbo in de techniek.", body="Versneld naar het hbo.")
    draft = make_practice(title="Geheim concept over zomerlek", status="concept",
                          summary="Nog niet klaar.", body="zomerlek")
    return {"perron": perron, "hybrid": hybrid, "tech": tech, "draft": draft}


def test_zomerlek_finds_het_perron_but_no_unpublished(db_session, library):
    assert _titles(db_session, q="zomerlek") == ["Het Perron in Veenendaal"]


def test_hybride_docent_finds_hybrid_teacher_practices(db_session, library):
    assert _titles(db_session, q="hybride docent") == ["Vakmensen voor de klas"]
    assert _titles(db_session, q='"hybride docent"') == ["Vakmensen voor de klas"]


def test_or_and_phrases(db_session, library):
    assert sorted(_titles(db_session, q="zomerlek OR techniek")) == [
        "Het Perron in Veenendaal", "Talentontwikkeling Techniek"]
    # Phrases keep word order (no stop words here: PostgreSQL's Dutch list drops "geen").
    assert _titles(db_session, q='"vertrouwde school"') == ["Het Perron in Veenendaal"]
    assert _titles(db_session, q='"school vertrouwde"') == []


def test_title_match_ranks_first(db_session, library):
    make_practice(title="Iets anders", summary="Samenvatting", body="Ook hier gaat het even over techniek.")
    assert _titles(db_session, q="techniek")[0] == "Talentontwikkeling Techniek"


def test_snippets_are_highlighted_and_escaped(db_session):
    make_practice(title="Snippet", summary="Het <script>alert(1)</script> zomerlek verdwijnt hier.", body="Lang.")
    hit = queries.search_practices(db_session, Filters(q="zomerlek")).hits[0]
    html = str(highlight(hit.snippet))
    assert "<mark>zomerlek</mark>" in html
    assert "<script>" not in html


def test_a_result_shows_its_summary_with_the_hits_marked_not_its_tags(db_session):
    """Issue 20 §5: a search for "demo" showed the list of tags ("… demo …")
    as the result's text. The summary is what a reader needs; words matched
    elsewhere (tags, body) leave it unmarked."""
    make_practice(title="Leerlab zorg", summary="Leerlingen lopen een dag mee in de zorg en het welzijn.",
                  body="Een lang verhaal over de zorg.", tags="demo, zorg")
    by_tag = queries.search_practices(db_session, Filters(q="demo")).hits[0]
    assert by_tag.snippet == "Leerlingen lopen een dag mee in de zorg en het welzijn."
    by_word = queries.search_practices(db_session, Filters(q="welzijn")).hits[0]
    assert str(highlight(by_word.snippet)) == "Leerlingen lopen een dag mee in de zorg en het <mark>welzijn</mark>."


def test_attachment_title_words_are_searchable(db_session, app):
    practice = make_practice(title="Met bijlage")
    file = FileStorage(stream=io.BytesIO(PDF_BYTES), filename="verslag.pdf", content_type="application/pdf")
    attachments.add_attachment(db_session, practice, file, "Draaiboek kennismakingsdag", None)
    assert _titles(db_session, q="draaiboek") == ["Met bijlage"]
    attachments.remove_attachment(db_session, practice.attachments[0], None)
    assert _titles(db_session, q="draaiboek") == []


def test_bad_attachment_is_refused_at_the_file_field(db_session, app):
    practice = make_practice()
    file = FileStorage(stream=io.BytesIO(b"MZ\x90\x00 not a pdf"), filename="virus.pdf")
    with pytest.raises(ServiceError) as exc:
        attachments.add_attachment(db_session, practice, file, "Handleiding", None)
    assert "file" in exc.value.errors


def test_edits_and_archiving_update_the_index(db_session, library):
    practice = library["tech"]
    service.update_practice(db_session, practice, practice_data(title="Techniek", body="Nu over mechatronica."), None)
    assert _titles(db_session, q="mechatronica") == ["Techniek"]
    service.archive_practice(db_session, practice, None)
    assert _titles(db_session, q="mechatronica") == []


@pytest.mark.parametrize("query", [
    '"', '""', '"zomerlek', "*", "**", "zomer*", "OR", "AND", "NOT", "zomerlek OR", "OR zomerlek",
    "' OR 1=1 --", "'; DROP TABLE good_practices; --", "\" OR \"\"=\"", "NEAR(zomerlek perron)",
    "title:zomerlek", "zomerlek^", "(zomerlek", "zomerlek)", "-zomerlek", "+zomerlek", "zomer & lek",
    "zomer | lek", "!zomerlek", "zomerlek:*", "<->", "\\", "%", "_", "\x00", "🙂", "a" * 500,
    "de het een",
])
def test_odd_queries_never_fail(db_session, library, query):
    result = queries.search_practices(db_session, Filters(q=query), per_page=2)
    assert len(result.hits) == min(result.total, 2)  # a full page, or all there is
    assert all(h.practice.status == "gepubliceerd" for h in result.hits)


def test_lone_star_lists_everything_published(db_session, library):
    assert sorted(_titles(db_session, q="*")) == sorted(_titles(db_session))
    assert "Geheim concept over zomerlek" not in _titles(db_session, q="*")


def test_sql_fragment_with_a_real_word_still_finds_it(db_session, library):
    assert _titles(db_session, q="zomerlek'; DROP TABLE good_practices; --") == []
    assert _titles(db_session, q="zomerlek' --") == ["Het Perron in Veenendaal"]


def test_facets_count_and_filter(db_session, reference_data):
    region = db_session.scalars(select(Region).where(Region.year == 2025).order_by(Region.code)).first()
    make_practice(title="Een", themes=["lob", "techniek"], region_ids=[region.id], level_codes=["2"],
                  domain_codes=["ZW"])
    make_practice(title="Twee", themes=["techniek"], level_codes=["4"])
    result = queries.search_practices(db_session, Filters(theme="techniek"), per_page=50)
    titles = {h.practice.title for h in result.hits}
    assert {"Een", "Twee"} <= titles
    counts = {f.code: f.count for f in result.facets["thema"]}
    assert counts["techniek"] == result.total and counts["lob"] >= 1
    only_region = _titles(db_session, theme="techniek", region=region.code)
    assert "Een" in only_region and "Twee" not in only_region
    assert "Twee" in _titles(db_session, level="4") and "Een" not in _titles(db_session, level="4")
    assert "Een" in _titles(db_session, domain="ZW")
    assert _titles(db_session, theme="bestaat-niet") == []


def test_pagination(db_session):
    for i in range(7):
        make_practice(title=f"Pagina {i}", themes=["bekostiging"])
    first = queries.search_practices(db_session, Filters(theme="bekostiging"), page=1, per_page=3)
    last = queries.search_practices(db_session, Filters(theme="bekostiging"), page=99, per_page=3)
    assert first.total == 7 and first.pages == 3 and len(first.hits) == 3
    assert last.page == 3 and len(last.hits) == 1
    seen = {h.practice.id for p in (1, 2, 3)
            for h in queries.search_practices(db_session, Filters(theme="bekostiging"), page=p, per_page=3).hits}
    assert len(seen) == 7


def test_moderation_queue_and_authors_list(db_session):
    author = make_user("coordinator")
    waiting = make_practice(author, status="ingediend")
    draft = make_practice(author, status="concept")
    assert waiting in queries.moderation_queue(db_session) and draft not in queries.moderation_queue(db_session)
    assert set(queries.practices_by_author(db_session, author)) == {waiting, draft}


@pytest.mark.parametrize("page, expected", [(-5, "first"), (0, "first"), (10**30, "last")])
def test_out_of_range_pages_give_the_first_or_last_page(db_session, library, page, expected):
    """Below 1 is the first page; past the end (even beyond the OFFSET a
    database can take) is the last page, not an empty one."""
    first = queries.search_practices(db_session, Filters(), page=1, per_page=1)
    assert first.pages >= 3  # the library: first and last page differ
    last = queries.search_practices(db_session, Filters(), page=first.pages, per_page=1)
    want = {"first": first, "last": last}[expected]
    result = queries.search_practices(db_session, Filters(), page=page, per_page=1)
    assert result.page == want.page and result.pages == first.pages
    assert [h.practice.id for h in result.hits] == [h.practice.id for h in want.hits]
