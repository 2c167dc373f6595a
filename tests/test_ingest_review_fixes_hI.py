"""Ingest faults found by a review of loaders, structure, sentences and chunking; each test failed before its fix."""

from pathlib import Path

from ingest.loaders import load_document
from ingest.structure import assemble, paragraphs_from_text


def _blocks(doc) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(b.kind, doc.text[b.start:b.end]) for b in doc.blocks]


def test_a_short_paragraph_ending_in_a_footnote_marker_is_no_heading(tmp_path: Path) -> None:
    text = ("Ceasefire Report\n\nArmenia signed the deal on November 10.[1]\n\n"
            "Russian peacekeepers arrived the next day. They took up positions.\n\n[1] https://a.example/deal\n")
    doc = assemble("r.txt", "txt", paragraphs_from_text(text))
    assert _blocks(doc)[1:] == [
        ("paragraph", "Armenia signed the deal on November 10.[1]"),
        ("paragraph", "Russian peacekeepers arrived the next day. They took up positions."),
    ]
    assert all(b.section is None for b in doc.blocks)  # the sentence named no section

    path = tmp_path / "r.html"
    path.write_text("<html><body><article><h1>Ceasefire Report</h1><p>Armenia signed the deal.<sup>1</sup></p>"
                    "<h2>Background¹</h2><p>The war began in September.</p></article></body></html>")
    assert _blocks(load_document(path))[1:] == [
        ("paragraph", "Armenia signed the deal.¹"), ("heading", "Background¹"), ("paragraph", "The war began in September.")]
