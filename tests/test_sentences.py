import itertools

from ingest.sentences import split_sentences


def spans(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def test_basic_split_keeps_footnote_marker_with_sentence() -> None:
    text = "Turkey backed Azerbaijan.¹ Russia brokered the deal. It ends by December 1."
    assert spans(text) == ["Turkey backed Azerbaijan.¹", "Russia brokered the deal.", "It ends by December 1."]


def test_abbreviations_initials_and_decimals_do_not_split() -> None:
    text = "Mr. Putin met Gen. Smith in the U.S. on Monday. J. Doe paid 3.5 million. Done."
    assert spans(text) == ["Mr. Putin met Gen. Smith in the U.S. on Monday.", "J. Doe paid 3.5 million.", "Done."]


def test_quotes_and_questions() -> None:
    text = '"Is it over?" he asked. "Yes." Fine'
    assert spans(text) == ['"Is it over?" he asked.', '"Yes."', "Fine"]


def test_offsets_cover_text_without_overlap() -> None:
    text = "One two. Three four! Five six? Seven"
    pieces = split_sentences(text)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(pieces))
    assert "".join(text[s:e] for s, e in pieces).replace(" ", "") == text.replace(" ", "")


def test_gigantic_sentence_is_cut() -> None:
    text = "word " * 3000
    pieces = split_sentences(text)
    assert len(pieces) > 1 and all(e - s <= 2000 for s, e in pieces)



def test_number_abbreviations_hold_only_before_a_number() -> None:
    text = "Asked if he would resign, he said no. The vote was held. See No. 7 and Fig. 2b, vol. IV. Done."
    assert spans(text) == [
        "Asked if he would resign, he said no.", "The vote was held.", "See No. 7 and Fig. 2b, vol. IV.", "Done."
    ]
    assert spans("The fare rose by 40 p. Passengers complained.") == ["The fare rose by 40 p.", "Passengers complained."]


def test_a_middle_initial_and_a_roman_volume_do_not_end_a_sentence() -> None:
    assert spans("Samuel P. Huntington wrote it. More.") == ["Samuel P. Huntington wrote it.", "More."]
    assert spans("It is in vol. I of the series. More.") == ["It is in vol. I of the series.", "More."]


def test_a_court_case_is_one_sentence() -> None:
    # a briefing had quoted "... as the landmark 1973 case Roe v." and dropped "Wade"
    text = "Liberals fear the ruling in Roe v. Wade could be overturned. The court rose."
    assert spans(text) == ["Liberals fear the ruling in Roe v. Wade could be overturned.", "The court rose."]
