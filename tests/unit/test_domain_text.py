"""The one input boundary for text (portal.domain.text)."""
import pytest

from portal.domain import text


@pytest.mark.parametrize("value", ["a\x00b", "a\x07b", "a\x1bb", "a\x7fb", "a\x85b", "a\x9fb", "x\ty", "x\ny"])
def test_control_characters_are_refused_in_single_line_text(value):
    assert text.check_text(value) == text.MESSAGE_CONTROL


def test_tabs_and_line_breaks_are_allowed_in_multiline_text_but_nul_is_not():
    assert text.check_text("regel 1\r\nregel\t2", multiline=True) is None
    assert text.check_text("regel\x00", multiline=True) == text.MESSAGE_CONTROL


def test_a_lone_surrogate_is_refused():
    assert text.check_text("a\ud800b") == text.MESSAGE_SURROGATE


def test_bidi_overrides_are_refused_in_names_only():
    assert text.check_text("factuur\u202efdp.exe", name=True) == text.MESSAGE_BIDI
    assert text.check_text("factuur\u202efdp.exe", multiline=True) is None


@pytest.mark.parametrize("value", ["", "   ", "\u200b\u200b", "\u200d \ufeff", "\u2060", "\u3164"])
def test_visually_empty_values_normalise_to_empty(value):
    assert text.is_visually_empty(value)
    assert text.normalise_text(value) == ""


def test_normalise_keeps_real_text_and_composes_it():
    assert text.normalise_text("  Cafe\u0301  ") == "Café"
    assert text.normalise_text("a\r\nb\rc", multiline=True) == "a\nb\nc"
    assert not text.is_visually_empty("Zorg \u200b& Welzijn")


def test_a_display_name_loses_its_control_and_bidi_characters():
    assert text.safe_filename_display("rapport\u202efdp.exe\x07") == "rapportfdp.exe"
    assert text.safe_filename_display("\u202e") == "bestand"
