import pytest

from claimtrack.errors import QueryError
from claimtrack.search import build_query, close_terms, query_words

VOCABULARY = ["tokayev", "tokayevforced", "token", "tokyo", "kazakhstan", "keosayan", "kyosyan"]


def test_every_word_is_quoted_so_no_input_is_fts_syntax():
    query = build_query('NEAR(a b) AND ( OR "x" -y * \'; DROP TABLE documents; --')
    assert query == (
        '"x" AND "near"* AND "a" AND "b" AND "and"* AND "or" AND "y" AND "drop"* AND "table"* AND "documents"*'
    )


def test_a_quoted_phrase_stays_a_phrase():
    assert build_query('"Iron Curtain" Kazakhstan') == '"iron curtain" AND "kazakhstan"*'


def test_initialisms_match_as_exact_short_words():
    assert build_query("U.S.") == '"u" AND "s"'


def test_a_misspelt_name_is_expanded_with_close_index_terms():
    assert close_terms("tokaev", VOCABULARY) == ["tokayev"]
    assert build_query("Tokaev", lambda word: VOCABULARY) == '("tokaev"* OR "tokayev"*)'


def test_close_terms_never_widen_the_prefix_the_word_already_is():
    """'unit'* would find units and unity for "united"; 'the'* every word it begins for "they"."""
    vocabulary = ["unit", "unite", "united", "unitedly", "untied", "the", "they", "thy"]
    assert close_terms("united", vocabulary) == ["untied"]
    assert close_terms("they", vocabulary) == ["thy"]


def test_close_terms_leave_short_words_and_numbers_alone():
    assert close_terms("tok", VOCABULARY) == []
    assert close_terms("2022", ["2021", "2023"]) == []


def test_query_words_fold_case_and_accents_like_the_index():
    assert query_words("Tokáyev’s ÉTAT") == ["tokayev", "s", "etat"]


@pytest.mark.parametrize("text", ["", "   ", '""', "*", "()", "—"])
def test_a_query_without_words_is_a_clear_error(text):
    with pytest.raises(QueryError, match="no words"):
        build_query(text)
