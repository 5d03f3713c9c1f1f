"""Row editors of an agreement (funding split, overstapgarantie), on the
`agreements` blueprint. htmx posts the form on every change ("check": live sums
and errors at the row, nothing saved) and for add/remove row; the save button
stores through the service. Without JavaScript the same buttons post the form."""
from __future__ import annotations

from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.domain import funding as funding_rules
from portal.domain.school_year import school_year_of
from portal.extensions import db
from portal.forms.agreements import ActionForm, parse_int, parse_phase_rows, parse_share_rows, parse_total_rows
from portal.routes.agreements.access import load, require_edit, saved_message
from portal.routes.agreements.blueprint import bp
from portal.services.agreements import funding, queries
from portal.web.templating import is_htmx_fragment_request, render_page_or_fragment
from portal.web.transaction import posted_version, save


def _next_key(rows: list[dict]) -> str:
    return str(max([int(r["key"]) for r in rows] + [-1]) + 1)


def _apply_row_action(action: str, prefix: str, rows: list[dict], blank: dict) -> bool:
    """add-<prefix> / remove-<prefix>-<key>; True when the action changed the rows."""
    if action == f"add-{prefix}":
        rows.append({**blank, "key": _next_key(rows), "errors": []})
        return True
    if action.startswith(f"remove-{prefix}-"):
        key = action.rsplit("-", 1)[-1]
        rows[:] = [r for r in rows if r["key"] != key]
        return True
    return False


def _action(form_id: str) -> str:
    """What the post asks for. The form itself posts (htmx, on input) only to
    check; htmx then also sends the last focused button, which must not count."""
    if is_htmx_fragment_request() and request.headers.get("HX-Trigger") == form_id:
        return "check"
    return request.form.get("action") or ("check" if is_htmx_fragment_request() else "save")


def _render(page: str, fragment: str, status: int = 200, **context):
    response = render_page_or_fragment(page, fragment, **context)
    if not is_htmx_fragment_request():
        response.status_code = status
    return response


# --- funding ---------------------------------------------------------------

def _share_rows_from(agreement) -> list[dict]:
    return [dict(key=str(i), stream=s.stream, school_year=s.school_year, party_id=s.party_id,
                 percentage=Decimal(s.percentage), raw_percentage=funding_rules.format_decimal(Decimal(s.percentage)),
                 errors=[]) for i, s in enumerate(agreement.funding_shares)]


def _total_rows_from(agreement) -> list[dict]:
    return [dict(key=str(i), stream=t.stream, school_year=t.school_year, recipient_party_id=t.recipient_party_id,
                 amount=Decimal(t.amount), raw_amount=funding_rules.format_decimal(Decimal(t.amount)),
                 purpose=t.purpose or "", errors=[]) for i, t in enumerate(agreement.funding_totals)]


def _group_sums(rows: list[dict]) -> list[dict]:
    groups: dict[tuple[str, str], Decimal] = {}
    for r in rows:
        if isinstance(r.get("percentage"), Decimal):
            key = (r["stream"], r["school_year"])
            groups[key] = groups.get(key, Decimal("0.00")) + r["percentage"]
        else:
            groups.setdefault((r["stream"], r["school_year"]), Decimal("0.00"))
    return [dict(label=funding_rules.group_label(*k), total=v, ok=v == funding_rules.HUNDRED) for k, v in groups.items()]


@bp.route("/<int:agreement_id>/financiering", methods=["GET", "POST"])
@login_required
def edit_shares(agreement_id: int):
    agreement = load(agreement_id)
    require_edit(agreement)
    errors: dict[str, list[str]] = {}
    saved = False
    if request.method == "GET":
        shares, totals = _share_rows_from(agreement), _total_rows_from(agreement)
        if not shares:
            shares = [dict(key=str(i), stream="lumpsum_vo", school_year=school_year_of(agreement.start_date),
                           party_id=p.id, percentage=None, raw_percentage="", errors=[])
                      for i, p in enumerate(agreement.parties[:2])]
    else:
        ActionForm().validate_on_submit() or abort(400)
        shares, totals = parse_share_rows(request.form), parse_total_rows(request.form)
        action = _action("funding-form")
        last = shares[-1] if shares else {}
        new_share = dict(stream=last.get("stream", "lumpsum_vo"), school_year=last.get("school_year", ""),
                         party_id=None, percentage=None, raw_percentage="")
        new_total = dict(stream="lumpsum_vo", school_year="", recipient_party_id=None, amount=None,
                         raw_amount="", purpose="")
        if (_apply_row_action(action, "share", shares, new_share)
                or _apply_row_action(action, "total", totals, new_total)):
            pass  # a row was added or removed: show the editor again
        elif action == "save":
            response, errors, saved = _save_editor(agreement, lambda **version: funding.set_funding(
                db.session, agreement, shares, totals, current_user, **version))
            if response is not None:
                return response
            if saved:
                shares, totals = _share_rows_from(agreement), _total_rows_from(agreement)
        else:  # check: live sums and errors, nothing saved
            errors = funding.validate_funding(agreement, shares, totals)
            if is_htmx_fragment_request():
                return render_template("agreements/_funding_check.html", shares=shares, totals=totals,
                                       errors=errors, sums=_group_sums(shares), saved=False)
    return _render("agreements/funding.html", "agreements/_funding_editor.html", 422 if errors else 200,
                   agreement=agreement, shares=shares, totals=totals, errors=errors, sums=_group_sums(shares),
                   saved=saved, save_failed=bool(errors) and request.method == "POST",
                   action_form=ActionForm(), allocations=queries.allocations(agreement))


def _save_editor(agreement, write):
    """Save an editor's rows in one transaction: `write(expected_version=...)`
    is the service call. Returns (redirect or None, errors, saved): a plain
    form gets a flash and a redirect; htmx re-renders the editor with
    "saved" (or "addendum" when the save made a new version)."""
    saved = save(lambda: write(expected_version=posted_version()))
    if not saved.ok:
        errors = {k: list(v) for k, v in saved.error.errors.items()}
        for change in getattr(saved.error, "changes", []):  # a conflict: what the other saved
            errors.setdefault("__all__", []).append(
                f"{change['who']} wijzigde {change['label']}: was {change['before']}, werd {change['after']}.")
        return None, errors, False
    changed = saved.result
    if not is_htmx_fragment_request():
        flash(saved_message(agreement, changed), "success")
        return redirect(url_for("agreements.view_agreement", agreement_id=agreement.id)), {}, False
    return None, {}, "addendum" if changed == "addendum" else True


# --- overstapgarantie ------------------------------------------------------

def _phase_rows_from(agreement) -> list[dict]:
    return [dict(key=str(i), from_month=g.from_month, to_month=g.to_month, destination=g.destination,
                 responsible_party_id=g.responsible_party_id, max_wait_days=g.max_wait_days,
                 description=g.description or "", entree_reason=g.entree_reason or "", errors=[])
            for i, g in enumerate(agreement.guarantee_phases)]


@bp.route("/<int:agreement_id>/overstapgarantie", methods=["GET", "POST"])
@login_required
def edit_guarantee(agreement_id: int):
    agreement = load(agreement_id)
    require_edit(agreement)
    errors: dict[str, list[str]] = {}
    saved = False
    duration_raw = str(agreement.route_duration_months or "")
    flagged: list[int] = []
    if request.method == "GET":
        phases = _phase_rows_from(agreement) or [dict(key="0", from_month=1, to_month=None, destination="",
                                                      responsible_party_id=None, max_wait_days=None,
                                                      description="", entree_reason="", errors=[])]
    else:
        ActionForm().validate_on_submit() or abort(400)
        phases = parse_phase_rows(request.form)
        duration_raw = request.form.get("route_duration_months", "").strip()
        duration = parse_int(duration_raw)
        action = _action("guarantee-form")
        last_to = phases[-1].get("to_month") if phases else 0
        if _apply_row_action(action, "phase", phases, dict(
                from_month=(last_to or 0) + 1 if phases else 1, to_month=None, destination="",
                responsible_party_id=None, max_wait_days=None, description="", entree_reason="")):
            pass
        elif action == "save":
            response, errors, saved = _save_editor(agreement, lambda **version: funding.set_guarantee(
                db.session, agreement, duration, phases, current_user, **version))
            if response is not None:
                return response
            if saved:
                phases = _phase_rows_from(agreement)
        else:  # check: messages only, nothing saved
            errors, check = funding.validate_guarantee(agreement, duration, phases)
            flagged = check.flagged
            if is_htmx_fragment_request():
                return render_template("agreements/_guarantee_check.html", phases=phases, errors=errors,
                                       saved=False)
    if not errors and request.method == "GET" and agreement.guarantee_phases:
        flagged = queries.guarantee_check(agreement).flagged
    return _render("agreements/guarantee.html", "agreements/_guarantee_editor.html", 422 if errors else 200,
                   agreement=agreement, phases=phases, errors=errors, saved=saved, duration=duration_raw,
                   flagged=flagged, action_form=ActionForm(), save_failed=bool(errors) and request.method == "POST",
                   full_coverage=queries.needs_full_coverage(agreement))
