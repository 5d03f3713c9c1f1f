"""/api/v1/coverage/exam-candidates: DUO's vmbo exam candidates per leerweg x sector per school year,
nationally or in one arbeidsmarktregio (issue 16), the same figures as the trend on /dekking. Strict
about input, as the rest of the API: an unknown parameter or a malformed region is a 400; a well-formed
region the portal does not know has no items (as /routes)."""
from __future__ import annotations

import json
import re

from flask import Response, request

from portal.domain.offer import EXAM_SECTOR_NAMES
from portal.extensions import db
from portal.routes.api.blueprint import bp
from portal.routes.api.views import InvalidParameter, unknown_or_repeated
from portal.services.coverage.profile_trends import EXAM_SOURCE, exam_sector_trend
from portal.services.coverage.profiles import profile_coverage

PARAMS = ("region",)
DEFINITIONS = {
    "candidates": 'Examenkandidaten per schooljaar; DUO\'s cellen "<5" zijn niet meegeteld, null: er waren '
                  'alleen zulke cellen.',
    "sector": "De vier vmbo-sectoren zoals DUO ze noemt (het examenbestand kent de profielen niet); "
              "het leerwerktraject (LWT) telt bij BB.",
}


@bp.get("/coverage/exam-candidates")
def coverage_exam_candidates():
    errors = unknown_or_repeated(request.args, PARAMS)
    region = request.args.get("region")
    if region is not None and not re.fullmatch(r"AM[0-9]{2}", region):
        errors["region"] = "Schrijf de arbeidsmarktregio als code, bijvoorbeeld AM22."
    if errors:
        raise InvalidParameter(errors)
    regions = profile_coverage(db.session, None).regions
    years, series = exam_sector_trend(db.session, region)
    body = {"region": region, "region_name": regions.get(region) if region else None, "school_years": years,
            "source": EXAM_SOURCE, "definitions": DEFINITIONS,
            "items": [{"pathway": pathway, "sector": sector, "sector_name": EXAM_SECTOR_NAMES.get(sector, sector),
                       "candidates": {y: values.get(y, 0) for y in years}}
                      for (pathway, sector), values in series.items()]}
    return Response(json.dumps(body, separators=(",", ":"), ensure_ascii=False), mimetype="application/json")
