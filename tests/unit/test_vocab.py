"""The vocabularies are exactly the official lists of shared/GLOSSARY.md."""
from portal.domain import vocab


def test_ten_vocational_profiles_and_four_tl_profiles():
    assert len(vocab.VOCATIONAL_PROFILES) == 10
    assert len(vocab.TL_PROFILES) == 4
    assert "Zorg en welzijn" in vocab.names(vocab.VOCATIONAL_PROFILES).values()
    assert "Mobiliteit en transport" in vocab.names(vocab.VOCATIONAL_PROFILES).values()


def test_seventeen_domains_including_entree():
    assert len(vocab.MBO_DOMAINS) == 17
    assert vocab.MBO_DOMAINS[-1].name == "Entree"


def test_levels_and_pathways_and_kinds():
    assert [t.code for t in vocab.MBO_LEVELS] == ["1", "2", "3", "4"]
    assert "Entree" in vocab.MBO_LEVELS[0].name
    assert [t.code for t in vocab.PATHWAYS] == ["BB", "KB", "GL", "TL"]
    assert {t.code for t in vocab.ROUTE_KINDS} == {"dlr", "glr", "leerlab", "vakmanschap", "technologie", "beroeps"}


def test_codes_are_unique_per_vocabulary():
    for terms in (vocab.PATHWAYS, vocab.PROFILES, vocab.MBO_LEVELS, vocab.MBO_DOMAINS, vocab.ROUTE_KINDS):
        assert len({t.code for t in terms}) == len(terms)
    assert set(vocab.PROFILE_ABBREVIATIONS) == {t.code for t in vocab.PROFILES}
