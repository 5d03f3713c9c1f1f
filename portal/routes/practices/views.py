"""/bibliotheek: the good-practice library. Teachers browse and search without
an account; coordinators write and submit (editing.py); staff moderate and
publish (editing.py). Here: the list, the search, a practice's page, its
downloads, the moderation queue and the author's own practices."""
from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from portal.domain.practices import STATUS_NAMES, THEME_NAMES
from portal.extensions import db
from portal.forms.attachments import AttachmentForm
from portal.forms.practices import ActionForm, SendBackForm
from portal.models.practice import GoodPractice, PracticeAttachment
from portal.permissions import (
    can_archive_practice,
    can_create_practice,
    can_edit_practice,
    can_moderate_practices,
    can_restore_practice,
    can_submit_practice,
    can_view_practice,
)
from portal.routes.practices.access import load_practice, require
from portal.routes.practices.blueprint import bp
from portal.services.practices import queries, search
from portal.web.markdown import render_markdown
from portal.web.templating import render_page_or_fragment
from portal.web.uploads import load_attachment, send_attachment


def _route_url(route) -> str:
    """The route register's page for a route."""
    return url_for("learning_routes.detail", route_id=route.id)


@bp.context_processor
def _names():
    return {"THEME_NAMES": THEME_NAMES, "STATUS_NAMES": STATUS_NAMES, "route_url": _route_url}


def highlight(snippet: str) -> Markup:
    """A search snippet for the page: escape it, then turn the engine's
    markers into <mark>."""
    safe = str(escape(snippet))
    return Markup(safe.replace(search.START, "<mark>").replace(search.STOP, "</mark>"))


bp.add_app_template_filter(highlight, "highlight")


@bp.get("/")
def index():
    filters = queries.Filters.from_args(request.args)
    page = request.args.get("pagina", 1, type=int) or 1
    result = queries.search_practices(db.session, filters, page=page)
    return render_page_or_fragment("practices/index.html", "practices/_results.html", result=result)


@bp.get("/<int:practice_id>")
def show(practice_id: int):
    practice = load_practice(practice_id)
    if not can_view_practice(current_user, practice):
        abort(404)  # unpublished practices do not exist for the public
    return render_show(practice)


def render_show(practice: GoodPractice, send_back_form: SendBackForm | None = None,
                attachment_form: AttachmentForm | None = None, general: list[str] | None = None,
                status: int = 200):
    related = queries.related_practices(db.session, practice) if practice.is_published else []
    send_back_form = send_back_form or SendBackForm(formdata=None, version_id=practice.version_id)
    attachment_form = attachment_form or AttachmentForm(formdata=None)
    html = render_template(
        "practices/detail.html", practice=practice, body_html=render_markdown(practice.body),
        related=related, send_back_form=send_back_form, attachment_form=attachment_form,
        action_form=ActionForm(formdata=None, version_id=practice.version_id), general=general or [],
        can_edit=can_edit_practice(current_user, practice),
        can_submit=can_submit_practice(current_user, practice),
        can_moderate=can_moderate_practices(current_user),
        can_archive=can_archive_practice(current_user, practice),
        can_restore=can_restore_practice(current_user, practice),
    )
    return html, status


@bp.get("/<int:practice_id>/bijlagen/<int:attachment_id>")
def download_attachment(practice_id: int, attachment_id: int):
    practice = load_practice(practice_id)
    if not can_view_practice(current_user, practice):
        abort(404)
    return send_attachment(load_attachment(PracticeAttachment, attachment_id, "practice_id", practice_id))


@bp.get("/moderatie")
def queue():
    require(can_moderate_practices(current_user))
    return render_template("practices/queue.html", practices=queries.moderation_queue(db.session),
                           archived=queries.list_archived(db.session))


@bp.get("/mijn")
def mine():
    require(can_create_practice(current_user))
    return render_template("practices/mine.html", practices=queries.practices_by_author(db.session, current_user))
