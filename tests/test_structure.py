from pathlib import Path

from ingest.loaders import load_document
from ingest.structure import assemble, iso_date, paragraphs_from_text
from tests.conftest import SAMPLE


def test_bundled_report_metadata() -> None:
    doc = load_document(SAMPLE)
    assert doc.title == "Russian President Putin Wins Upset Victory in Nagorno-Karabakh"
    assert doc.author == "Ezgi Yazici"
    assert doc.date == "2020-11-13"
    kinds = [b.kind for b in doc.blocks]
    assert kinds[:4] == ["title", "byline", "dateline", "summary"]
    assert kinds.count("list_item") == 5


def test_footnote_list_is_not_body_text_and_maps_to_urls() -> None:
    doc = load_document(SAMPLE)
    assert "function.mil.ru" not in doc.text
    assert set(doc.footnotes) == {"1", "2", "3", "4", "5", "6"}
    assert len(doc.footnotes["2"].urls) == 2
    start = doc.text.index("deploying a peacekeeping force of 1,960 troops")
    end = doc.text.index("for five years.") + len("for five years.") + 1
    assert doc.footnotes_in(start, end) == {"3": ("https://function.mil.ru/news_page/country/more.htm?id=12323909@egNews",)}


def test_block_offsets_point_at_their_text() -> None:
    doc = load_document(SAMPLE)
    for block in doc.blocks:
        piece = doc.text[block.start:block.end]
        assert piece == piece.strip() and piece


def test_bracket_markers_and_notes_heading() -> None:
    text = "Title Of Report\n\nThe army moved.[1] It stopped.[2]\n\nNotes\n\n[1] https://a.example/x\n\n[2] https://b.example/y"
    doc = assemble("t.txt", "txt", paragraphs_from_text(text))
    assert "Notes" not in doc.text
    assert doc.footnotes["2"].urls == ("https://b.example/y",)
    assert [r.marker for r in doc.footnote_refs] == ["1", "2"]


def test_numbered_list_without_sources_stays_body() -> None:
    text = "Plan\n\nSteps follow.\n\n1. Do this first.\n\n2. Then that."
    doc = assemble("t.txt", "txt", paragraphs_from_text(text))
    assert "Then that." in doc.text and not doc.footnotes


def test_iso_date_formats() -> None:
    assert iso_date("November 13, 2020") == "2020-11-13"
    assert iso_date("13 Nov 2020") == "2020-11-13"
    assert iso_date("2020-09-30-18-28-52") == "2020-09-30"
    assert iso_date("no date here") is None


def test_sample_path_exists() -> None:
    assert Path(SAMPLE).is_file()


def test_a_decimal_at_a_line_start_is_no_footnote_entry() -> None:
    wrapped = (
        "The board agreed that the research budget would grow by another\n"
        "2.5 percent in the coming year, the minutes released on Friday show.\n"
    )
    assert [p.text for p in paragraphs_from_text(wrapped)] == [wrapped.replace("\n", " ").strip()]
    text = (
        "Regional Outlook\n\nFlooding forced many families from their homes.\n\n"
        "3.5 million people left the valley in a month, the agency said (https://relief.example/valley).\n"
    )
    doc = assemble("t.txt", "txt", paragraphs_from_text(text))
    assert not doc.footnotes and doc.text.endswith("(https://relief.example/valley).")


def test_wrapped_lines_beside_a_list_are_joined() -> None:
    text = (
        "The agency reported on Monday that grain shipments grew\n"
        "quickly in April, the quickest rise since the blockade ended,\n"
        "while fuel imports slowed. The reasons it gave were:\n"
        "- cheaper freight\n"
        "- a longer harvest season across the southern\n"
        "  provinces and the coast\n"
        "[1] Port authority figures, tables for April and May, at\n"
        "https://ports.example/april\n"
    )
    assert [p.text for p in paragraphs_from_text(text)] == [
        "The agency reported on Monday that grain shipments grew quickly in April, the quickest rise since"
        " the blockade ended, while fuel imports slowed. The reasons it gave were:",
        "- cheaper freight",
        "- a longer harvest season across the southern provinces and the coast",
        "[1] Port authority figures, tables for April and May, at\nhttps://ports.example/april",
    ]


def test_a_block_of_short_header_lines_stays_apart() -> None:
    text = "Grain Outlook\nBy Jane Doe\nApril 4, 2022\n- cheaper freight"
    assert [p.text for p in paragraphs_from_text(text)] == [
        "Grain Outlook", "By Jane Doe", "April 4, 2022", "- cheaper freight"
    ]


def test_a_header_line_directly_above_its_paragraph_stays_apart() -> None:
    text = (
        "Harbour Review\n\nContext\nThe dispute started in 2018 and lasted four years before both sides signed a truce.\n\n"
        "The port reopened in May.\nFindings\nCargo volumes recovered within a year of the truce, the port authority\n"
        "said in its annual report, which was published on Thursday.\n"
    )
    doc = assemble("t.txt", "txt", paragraphs_from_text(text))
    assert [(b.kind, doc.text[b.start:b.end]) for b in doc.blocks] == [
        ("title", "Harbour Review"),
        ("heading", "Context"),
        ("paragraph", "The dispute started in 2018 and lasted four years before both sides signed a truce."),
        ("paragraph", "The port reopened in May."),
        ("heading", "Findings"),
        ("paragraph", "Cargo volumes recovered within a year of the truce, the port authority said in its annual"
                      " report, which was published on Thursday."),
    ]


def test_the_first_line_of_wrapped_prose_is_no_header_line() -> None:
    text = (
        "Officials said on Thursday that the deficit target had been set by the\n"
        "Treasury\n"
        "Select Committee, which meets again in June to review the figures.\n"
    )
    assert [p.text for p in paragraphs_from_text(text)] == [" ".join(text.split())]


def test_iso_date_is_the_first_date_written_whatever_its_form() -> None:
    assert iso_date("Posted June 7, 2019; revised 2020-02-11") == "2019-06-07"
    assert iso_date("Figures for 9 Feb 2018 replace those of 2017-12-01.") == "2018-02-09"
    assert iso_date("Revised 2020-02-11 from the June 7, 2019 draft") == "2020-02-11"


def test_iso_date_reads_ordinal_days() -> None:
    assert iso_date("June 7th, 2019") == "2019-06-07"
    assert iso_date("2nd February 2018") == "2018-02-02"
    assert iso_date("Updated: 22nd Aug 2017") == "2017-08-22"
    assert iso_date("the 1st of 2020 budgets") is None


def test_a_byline_names_a_person_not_a_year_or_a_phrase() -> None:
    def author_of(line: str) -> str | None:
        doc = assemble("t.txt", "txt", paragraphs_from_text(f"Grain Outlook\n\n{line}\n\nExports are rising."))
        return doc.author

    assert author_of("By 2040, the region will import 3m tonnes of wheat a year.") is None
    assert author_of("By the spring, most silos were empty.") is None
    assert author_of("By Winter, Ukraine had sold its stocks.") is None
    assert author_of("By the end of the decade, demand will double") is None
    assert author_of("By the regional field office") == "the regional field office"
    assert author_of("By Maria Lopez") == "Maria Lopez"
    assert author_of("By MARIA LOPEZ and TOM HART, Reuters") == "MARIA LOPEZ and TOM HART, Reuters"


def test_a_byline_with_a_name_particle_or_a_full_stop_is_still_a_byline() -> None:
    def author_of(line: str) -> str | None:
        return assemble("t.txt", "txt", paragraphs_from_text(f"Grain Outlook\n\n{line}\n\nExports are rising.")).author

    assert author_of("By Ahmed al-Sharif, Reuters") == "Ahmed al-Sharif, Reuters"
    assert author_of("By Maria Lopez.") == "Maria Lopez."
