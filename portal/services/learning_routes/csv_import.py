"""CSV import of leerroutes: the template, reading the file, and running the
import. Every row goes through the same validation as the form
(bulk.register_routes validates each as register_route does), and the
report is per row and column."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.core.spreadsheets import FORMULA_START
from portal.domain import vocab
from portal.domain.route_state import ACTIVE
from portal.domain.routes import STATUS_NAMES, TEACHING_LOCATION_NAMES, RouteInput, RuleResult, parse_pupils
from portal.domain.text import check_text, normalise_text
from portal.models import Organisation
from portal.services.learning_routes import bulk, duplicates
from portal.services.learning_routes import operations as route_service
from portal.services.learning_routes.columns import FIELD_COLUMNS, IMPORT_COLUMNS, REQUIRED_COLUMNS
from portal.services.learning_routes.export import to_csv
from portal.services.notifications import outbox as notifications

MAX_ROWS = 10000
# The one multi-line cell; in every other cell (titles, names, codes) a line
# break, a tab or a bidi control is refused.
MULTILINE_COLUMNS = frozenset({"omschrijving"})
# A cell's value quoted in a message is cut to this many characters.
SHOWN_CHARS = 60
# id:N names an organisation by its id; more digits than this cannot be one.
ID_KEY = re.compile(r"id:\s*([0-9]{1,18})", re.IGNORECASE)
LIST_SPLIT = re.compile(r"\s*[|\n]\s*")
CODE_SPLIT = re.compile(r"[\s,;|/]+")


class ImportFileError(ValueError):
    """The file as a whole is unusable (not CSV, no header, too many rows)."""


def template_csv() -> bytes:
    header = [c for c, _ in IMPORT_COLUMNS]
    example = {
        "titel": "Voorbeeld: GLR Zorg en welzijn", "soort": "GLR", "status": "concept",
        "vmbo_partijen": "02MF00", "mbo_partijen": "ROC A12", "bedrijven": "",
        "leerwegen": "BB, KB", "profielen": "Z&W", "mbo_niveau": "2", "opleidingsdomein": "Zorg en welzijn",
        "crebo": "25498", "kwalificatie": "Helpende zorg en welzijn", "lesplaats": "beide",
        "eerste_schooljaar": "2026-2027", "laatste_schooljaar": "", "leerlingen_per_cohort": "15",
        "contactpersoon": "", "contact_email": "", "contact_telefoon": "", "omschrijving": "",
    }
    return to_csv([header, [example[c] for c in header]])


# --- import: parsing -----------------------------------------------------------

def parse_csv(raw: bytes) -> list[tuple[int, dict[str, str]]]:
    """(line number, {column: value}) per data row; the header is line 1."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise ImportFileError(f"Regel {line}: het bestand is geen UTF-8-tekst. Sla het in Excel op als "
                              "‘CSV UTF-8 (door lijstscheidingsteken gescheiden)’.") from None
    if not text.strip():
        raise ImportFileError("Het bestand is leeg.")
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise ImportFileError(f"Regel 1: kolom(men) ontbreken: {', '.join(missing)}. "
                                  "Gebruik het sjabloon.")
        rows = []
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(rows) >= MAX_ROWS:
                raise ImportFileError(f"Het bestand heeft meer dan {MAX_ROWS} regels; splits het op.")
            rows.append((reader.line_num, {h: _unquote(v.strip()) for h, v in zip(header, row, strict=False) if h}))
    except csv.Error as exc:
        raise ImportFileError(f"Regel {reader.line_num}: ongeldige CSV ({exc}).") from None
    if not rows:
        raise ImportFileError("Het bestand bevat geen leerroutes (alleen een kopregel).")
    return rows


def _unquote(value: str) -> str:
    """The export's CSV rule undone: a leading apostrophe before formula-like text."""
    if value.startswith("'") and value[1:2] in FORMULA_START:
        return value[1:]
    return value


def _shown(value: str) -> str:
    """A cell's value as quoted in a message: at most SHOWN_CHARS characters."""
    return value if len(value) <= SHOWN_CHARS else value[:SHOWN_CHARS] + "…"


def _checked_cells(row: Mapping[str, str], errors: dict[str, list[str]]) -> dict[str, str]:
    """The input boundary for a row (portal/domain/text.py, as for the forms):
    a cell with a control character (NUL included), a lone surrogate or, outside
    the description, a bidi control is refused at its column and read as empty;
    the others are normalised (NFC; a visually empty cell is empty, so a title
    of zero-width spaces is a missing title)."""
    cells = {}
    for column, value in row.items():
        multiline = column in MULTILINE_COLUMNS
        message = check_text(value, multiline=multiline, name=not multiline)
        if message:
            errors.setdefault(column, []).append(message)
            cells[column] = ""
        else:
            cells[column] = normalise_text(value, multiline=multiline) or ""
    return cells


def _lookup(terms, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    out = {}
    for t in terms:
        out[t.code.lower()] = t.code
        out[t.name.lower()] = t.code
    for key, code in (extra or {}).items():
        out[key.lower()] = code
    return out


KIND_LOOKUP = _lookup(vocab.ROUTE_KINDS, {"vakmanschaproute": "vakmanschap", "technologieroute": "technologie",
                                          "beroepsroute": "beroeps", "doorlopende leerroute": "dlr",
                                          "geïntegreerde route": "glr"})
PROFILE_LOOKUP = _lookup(vocab.PROFILES, {v: k for k, v in vocab.PROFILE_ABBREVIATIONS.items()})
LEVEL_LOOKUP = _lookup(vocab.MBO_LEVELS, {f"niveau {n}": str(n) for n in range(1, 5)})
DOMAIN_LOOKUP = _lookup(vocab.MBO_DOMAINS)
STATUS_LOOKUP = {**{k: k for k in STATUS_NAMES}, **{v.lower(): k for k, v in STATUS_NAMES.items()},
                 "beëindigd": "beeindigd"}
LOCATION_LOOKUP = {**{k: k for k in TEACHING_LOCATION_NAMES}, "vmbo-locatie": "vmbo", "mbo-locatie": "mbo",
                   **{v.lower(): k for k, v in TEACHING_LOCATION_NAMES.items()}}


class OrganisationIndex:
    """All organisations in memory, to resolve party cells quickly: a
    vestigingscode, a BRIN (when unique), id:N, or the exact name."""

    def __init__(self, session: Session):
        rows = session.execute(select(Organisation.id, Organisation.kind, Organisation.name,
                                      Organisation.vestigingscode, Organisation.brin)).all()
        self.by_code = {r.vestigingscode.upper(): r for r in rows if r.vestigingscode}
        self.by_id = {r.id: r for r in rows}
        self.by_brin: dict[tuple[str, str], list] = {}
        self.by_name: dict[tuple[str, str], list] = {}
        for r in rows:
            kind = "employer" if r.kind == "other" else r.kind
            if r.brin:
                self.by_brin.setdefault((kind, r.brin.upper()), []).append(r)
            self.by_name.setdefault((kind, r.name.strip().lower()), []).append(r)

    def resolve(self, item: str, kind: str) -> tuple[int | None, str | None]:
        match = re.search(r"\[([^\]]+)\]\s*$", item)
        key = (match.group(1) if match else item).strip()
        name = item[:match.start()].strip() if match else item.strip()
        if key.lower().startswith("id:"):
            number = ID_KEY.fullmatch(key)
            row = self.by_id.get(int(number.group(1))) if number else None
            return (row.id, None) if row else (None, f"Organisatie {_shown(key)} bestaat niet.")
        if key.upper() in self.by_code:
            return self.by_code[key.upper()].id, None
        candidates = self.by_brin.get((kind, key.upper())) or self.by_name.get((kind, name.lower())) or []
        if len(candidates) == 1:
            return candidates[0].id, None
        if len(candidates) > 1:
            return None, f"‘{_shown(key)}’ past op meerdere organisaties; gebruik de vestigingscode."
        return None, f"Organisatie ‘{_shown(key)}’ niet gevonden (gebruik vestigingscode, BRIN of de exacte naam)."


def row_to_input(row: Mapping[str, str], orgs: OrganisationIndex) -> tuple[RouteInput, dict[str, list[str]]]:
    """Parse one CSV row; boundary, vocabulary and party errors are keyed by column."""
    errors: dict[str, list[str]] = {}
    row = _checked_cells(row, errors)

    def one(column: str, lookup: Mapping[str, str], message: str) -> str | None:
        value = (row.get(column) or "").strip()
        if not value:
            return None
        code = lookup.get(value.lower())
        if code is None:
            errors.setdefault(column, []).append(message.format(value=_shown(value)))
        return code

    def many(column: str, lookup: Mapping[str, str], split, message: str) -> list[str]:
        out = []
        for part in split.split(row.get(column) or ""):
            if not part.strip():
                continue
            code = lookup.get(part.strip().lower())
            if code is None:
                errors.setdefault(column, []).append(message.format(value=_shown(part.strip())))
            else:
                out.append(code)
        return out

    def parties(column: str, kind: str) -> list[int]:
        ids = []
        for item in LIST_SPLIT.split(row.get(column) or ""):
            if item.strip():
                org_id, message = orgs.resolve(item, kind)
                if message:
                    errors.setdefault(column, []).append(message)
                else:
                    ids.append(org_id)
        return ids

    pathways = many("leerwegen", {c.lower(): c for c in vocab.codes(vocab.PATHWAYS)}, CODE_SPLIT,
                    "Onbekende leerweg ‘{value}’ (BB, KB, GL of TL).")
    profiles = many("profielen", PROFILE_LOOKUP, re.compile(r"\s*[,;|]\s*"),
                    "Onbekend profiel ‘{value}’ (bijvoorbeeld Z&W, PIE of TL Techniek).")
    pupils, pupils_error = parse_pupils(row.get("leerlingen_per_cohort"))
    if pupils_error:
        errors.setdefault("leerlingen_per_cohort", []).append(pupils_error)
    data = RouteInput(
        title=row.get("titel", ""),
        kind=one("soort", KIND_LOOKUP, "Onbekende soort ‘{value}’ (DLR, GLR, leerlab, vakmanschaproute, "
                                       "technologieroute of beroepsroute).") or "",
        status=one("status", STATUS_LOOKUP, "Onbekende status ‘{value}’.") or "concept",
        vmbo_parties=parties("vmbo_partijen", "vmbo"), mbo_parties=parties("mbo_partijen", "mbo"),
        employer_parties=parties("bedrijven", "employer"), pathways=pathways, profiles=profiles,
        mbo_level=one("mbo_niveau", LEVEL_LOOKUP, "Onbekend mbo-niveau ‘{value}’ (1 tot en met 4)."),
        mbo_domain=one("opleidingsdomein", DOMAIN_LOOKUP, "Onbekend opleidingsdomein ‘{value}’."),
        crebo=row.get("crebo"), qualification_name=row.get("kwalificatie"),
        teaching_location=one("lesplaats", LOCATION_LOOKUP, "Onbekende lesplaats ‘{value}’ (vmbo, mbo of beide).")
        or "beide",
        first_school_year=row.get("eerste_schooljaar", ""), last_school_year=row.get("laatste_schooljaar"),
        pupils_per_cohort=pupils, contact_name=row.get("contactpersoon"), contact_email=row.get("contact_email"),
        contact_phone=row.get("contact_telefoon"), description=row.get("omschrijving"),
    )
    return data, errors


# --- import: running -----------------------------------------------------------

@dataclass
class RowMessage:
    row: int
    column: str
    message: str
    level: str = "fout"  # or "waarschuwing"


@dataclass
class ImportResult:
    total: int = 0
    created: int = 0
    failed_rows: int = 0
    mode: str = "all"
    messages: list[RowMessage] = field(default_factory=list)
    # (line, existing route) of the rows skipped as identical to an existing route
    skipped_duplicates: list[tuple[int, duplicates.ExistingRoute]] = field(default_factory=list)
    # the routes this import made (kept only when the import commits)
    created_routes: list[duplicates.ExistingRoute] = field(default_factory=list)

    @property
    def errors(self) -> list[RowMessage]:
        return [m for m in self.messages if m.level == "fout"]

    @property
    def should_commit(self) -> bool:
        """All-or-nothing writes nothing when any row failed."""
        return self.created > 0 and (self.mode == "valid" or self.failed_rows == 0)


def _duplicate_index(session: Session, actor, parsed: list, include_duplicates: bool) -> duplicates.DuplicateIndex | None:
    """The existing routes the rows are checked against; None: import duplicates too."""
    if include_duplicates:
        return None
    return duplicates.DuplicateIndex(session, actor, {data.first_school_year for data, _ in parsed})


def _hold_duplicates(index: duplicates.DuplicateIndex | None, lines: list[int], items: list, clean: list[int],
                     result: ImportResult) -> list[int]:
    """Issue 20 §4: the clean rows identical to a route that existed before
    the import are skipped with a warning, unless the import was told to
    include them (index None). Returns the rows still to register."""
    if index is None:
        return clean
    kept = []
    for i in clean:
        existing = index.find(items[i][0])
        if existing is None:
            kept.append(i)
            continue
        result.skipped_duplicates.append((lines[i], existing))
        result.messages.append(RowMessage(lines[i], "titel", f"Deze leerroute bestaat al: ‘{existing.title}’ "
                                          "(zelfde titel, vmbo-vestiging en eerste schooljaar); overgeslagen.",
                                          "waarschuwing"))
    return kept


def _report_chunk(result: ImportResult, lines: list[int], items: list, outcomes: list,
                  active_created: list[tuple[int, str]]) -> None:
    """Count and report one chunk's rows; note the routes created actief."""
    for line, (_, parse_errors), (route, checked) in zip(lines, items, outcomes, strict=False):
        errors = dict(parse_errors)
        for name, messages in checked.errors.items():
            column = FIELD_COLUMNS.get(name, "")
            if column in parse_errors:
                continue
            errors.setdefault(column, []).extend(messages)
        if errors:
            result.failed_rows += 1
            for column, messages in errors.items():
                for message in messages:
                    result.messages.append(RowMessage(line, column or "–", message))
        elif route is not None:
            result.created += 1
            result.created_routes.append(duplicates.ExistingRoute(route.id, route.title))
            if route.status == ACTIVE:
                active_created.append((route.id, route.title))
        for name, messages in checked.warnings.items():
            for message in messages:
                result.messages.append(RowMessage(line, FIELD_COLUMNS.get(name, "–"), message, "waarschuwing"))


def iter_import(session: Session, rows: list[tuple[int, dict[str, str]]], actor, *, mode: str = "all",
                chunk: int = 100, include_duplicates: bool = False) -> Iterator[tuple[int, int]]:
    """Register each row through the service; yields (done, total) after every
    chunk and returns the ImportResult. The caller commits when
    result.should_commit and rolls back otherwise."""
    result = ImportResult(total=len(rows), mode=mode if mode in ("all", "valid") else "all")
    orgs = OrganisationIndex(session)
    vocabulary = route_service.Vocabulary(session)
    parsed = [row_to_input(row, orgs) for _, row in rows]
    index = _duplicate_index(session, actor, parsed, include_duplicates)
    # Load the facts of every organisation in the file at once (not per row).
    facts_cache: dict = {}
    ids = sorted({i for data, _ in parsed for i in (*data.vmbo_parties, *data.mbo_parties, *data.employer_parties)})
    for start in range(0, len(ids), 500):
        route_service.party_facts(session, ids[start:start + 500], facts_cache)
    active_created: list[tuple[int, str]] = []
    for start in range(0, len(rows), chunk):
        lines = [line for line, _ in rows[start:start + chunk]]
        items = parsed[start:start + chunk]
        # All-or-nothing: once a row failed nothing will be kept, so only validate.
        write = result.mode == "valid" or result.failed_rows == 0
        clean = [i for i, (_, parse_errors) in enumerate(items) if not parse_errors]
        clean = _hold_duplicates(index, lines, items, clean, result)
        written = bulk.register_routes(session, [items[i][0] for i in clean], actor, write=write,
                                                vocabulary=vocabulary, facts_cache=facts_cache)
        outcomes = dict(zip(clean, written, strict=False))
        for i, (data, parse_errors) in enumerate(items):
            if parse_errors:
                # Still run the rules, so every problem of the row is reported at once.
                outcomes[i] = (None, route_service.validate(session, data, actor, facts_cache=facts_cache)[1])
        # A row skipped as a duplicate has no outcome: nothing more to report.
        outcomes = [outcomes.get(i, (None, RuleResult())) for i in range(len(items))]
        _report_chunk(result, lines, items, outcomes, active_created)
        yield min(start + chunk, len(rows)), len(rows)
    if result.should_commit and active_created:
        # As register_route does for one route: the region followers hear of the
        # new actief routes, in this transaction (bundled per follower, see outbox).
        notifications.record_new_routes(session, active_created, actor)
    return result


def import_routes(session: Session, rows, actor, *, mode: str = "all", include_duplicates: bool = False,
                  progress: Callable[[int, int], None] | None = None) -> ImportResult:
    gen = iter_import(session, rows, actor, mode=mode, include_duplicates=include_duplicates)
    while True:
        try:
            done, total = next(gen)
        except StopIteration as stop:
            return stop.value
        if progress:
            progress(done, total)
