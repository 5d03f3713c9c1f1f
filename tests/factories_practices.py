"""Factories for the good-practice library."""
from __future__ import annotations

import itertools

from portal.extensions import db
from portal.models.base import utcnow
from portal.models.practice import GoodPractice, PracticeTag, PracticeTheme
from portal.services.practices import operations as service

_seq = itertools.count(1)

# The smallest files that pass the upload content checks.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def practice_data(**overrides) -> dict:
    n = next(_seq)
    data = {
        "title": f"Testvoorbeeld {n}", "summary": f"Korte samenvatting van voorbeeld {n}.",
        "body": "Een **beschrijving** in Markdown.", "themes": ["lob"], "tags": "",
        "organisation_ids": [], "region_ids": [], "route_ids": [], "domain_codes": [],
        "level_codes": [], "contact_name": "", "contact_email": "", "source": "",
    }
    data.update(overrides)
    return data


def make_practice(author=None, status: str = "gepubliceerd", **overrides) -> GoodPractice:
    """A practice through the service (so it is indexed), moved to `status`."""
    practice = service.create_practice(db.session, practice_data(**overrides), author)
    if status in ("ingediend", "gepubliceerd", "teruggestuurd"):
        service.submit_practice(db.session, practice, author)
    if status == "gepubliceerd":
        service.publish_practice(db.session, practice, author)
    if status == "teruggestuurd":
        service.send_back_practice(db.session, practice, "Graag een concreter resultaat noemen.", author)
    return practice


def bulk_practices(count: int, words: list[str]) -> None:
    """Many published practices quickly (benchmarks), indexed one by one."""
    from portal.services.practices.operations import reindex
    for i in range(count):
        word = words[i % len(words)]
        p = GoodPractice(title=f"Voorbeeld {i} over {word}", summary=f"Samenvatting {i} met {word} en regio.",
                         body=f"Lange tekst {i} " + " ".join(words[(i + k) % len(words)] for k in range(60)),
                         status="gepubliceerd", published_at=utcnow())
        p.themes = [PracticeTheme(theme_code=["lob", "techniek", "overstap"][i % 3])]
        p.tags = [PracticeTag(tag=word)]
        db.session.add(p)
        db.session.flush()
        reindex(db.session, p)
