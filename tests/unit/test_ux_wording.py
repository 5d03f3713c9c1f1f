"""Issue 20 §5: the portal addresses its users as "je", never "u" (the two
were mixed). Every template's text and every Python string a user can read
(forms, services, domain, views) is scanned."""
from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORMAL = re.compile(r"(?<![\w&;-])(u|uw|Uw|U)(?![\w-])")
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
TAG = re.compile(r"<[^>]*>", re.S)
DUTCH_HINT = re.compile(r"\b(de|het|een|je|en|van|niet)\b")


def template_text(source: str) -> str:
    """The words of a template a reader sees: no Jinja, no tags or attributes."""
    return TAG.sub(" ", JINJA.sub(" ", source))


def python_strings(source: str) -> list[str]:
    strings = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.STRING or token.type == getattr(tokenize, "FSTRING_MIDDLE", -1):
            strings.append(token.string)
    return strings


def formal_words(text: str) -> list[str]:
    return [m.group(0) for m in FORMAL.finditer(text)]


def test_templates_say_je():
    found = {}
    for path in sorted((ROOT / "portal" / "templates").rglob("*.html")):
        words = formal_words(template_text(path.read_text(encoding="utf-8")))
        if words:
            found[str(path.relative_to(ROOT))] = words
    assert found == {}


def test_python_messages_say_je():
    found = {}
    for path in sorted((ROOT / "portal").rglob("*.py")):
        if "devdata" in path.parts:
            continue
        for literal in python_strings(path.read_text(encoding="utf-8")):
            if DUTCH_HINT.search(literal) and formal_words(literal):
                found.setdefault(str(path.relative_to(ROOT)), []).append(literal[:80])
    assert found == {}


@pytest.mark.parametrize("text, formal", [
    ("<p>Uw organisatie heeft nog geen leerroutes.</p>", True),
    ("<p>zodat u een selectie kunt bewaren</p>", True),
    ("<p>Je organisatie heeft nog geen leerroutes.</p>", False),
    ('<a href="{{ url_for(\'x\', u=u.id) }}">Profiel Z&amp;W</a>', False),
    ("<td>{{ u.email }}</td>", False),
])
def test_the_scan_finds_the_formal_words(text, formal):
    """The control: the scan sees "u"/"uw" in text and ignores code."""
    assert bool(formal_words(template_text(text))) is formal


def test_the_python_scan_finds_a_formal_message():
    source = 'message = "Uw eigen organisatie moet partij blijven in de route."\nu = user\n'
    literals = [s for s in python_strings(source) if DUTCH_HINT.search(s) and formal_words(s)]
    assert len(literals) == 1
