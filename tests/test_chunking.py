from ingest.chunking import chunk_document
from ingest.embeddings import HashingEmbedder
from ingest.loaders import load_document
from ingest.sentences import split_sentences
from ingest.structure import assemble, paragraphs_from_text
from tests.conftest import SAMPLE


def test_chunks_hold_whole_sentences_within_token_limit(embedder) -> None:  # type: ignore[no-untyped-def]
    doc = load_document(SAMPLE)
    chunks = chunk_document(doc, "d", embedder.count_tokens, max_tokens=120)
    sentence_spans = {(s, e) for b in doc.blocks for s, e in split_sentences(doc.text, b.start, b.end)}
    starts = {s for s, _ in sentence_spans}
    ends = {e for _, e in sentence_spans}
    for chunk in chunks:
        assert chunk.text == doc.text[chunk.start:chunk.end]
        assert chunk.start in starts and chunk.end in ends
        assert sum(embedder.count_tokens([doc.text[s:e] for s, e in sentence_spans if chunk.start <= s and e <= chunk.end])) <= 120
    assert [c.index for c in chunks] == list(range(len(chunks)))


def test_every_sentence_lands_in_exactly_one_chunk() -> None:
    doc = load_document(SAMPLE)
    chunks = chunk_document(doc, "d", HashingEmbedder().count_tokens, max_tokens=60)
    for block in doc.blocks:
        for s, e in split_sentences(doc.text, block.start, block.end):
            assert sum(1 for c in chunks if c.start <= s and e <= c.end) == 1


def test_repeated_paragraph_is_chunked_once() -> None:
    caption = "Photo: soldiers near the line of contact, October 2020."
    text = f"Headline Here\n\nFirst paragraph says one thing.\n\n{caption}\n\nSecond paragraph says another.\n\n{caption}"
    doc = assemble("n.md", "md", paragraphs_from_text(text))
    chunks = chunk_document(doc, "d", HashingEmbedder().count_tokens, max_tokens=200)
    assert sum(c.text.count("Photo: soldiers") for c in chunks) == 1


def test_heading_starts_new_chunk_and_sets_section() -> None:
    text = "Report Title\n\nIntro sentence here.\n\nMilitary Balance\n\nTanks moved north. Drones struck."
    doc = assemble("r.txt", "txt", paragraphs_from_text(text))
    chunks = chunk_document(doc, "d", HashingEmbedder().count_tokens, max_tokens=200)
    last = chunks[-1]
    assert last.text.startswith("Military Balance") and last.section == "Military Balance"


def test_chunk_keeps_footnote_sources() -> None:
    doc = load_document(SAMPLE)
    chunks = chunk_document(doc, "d", HashingEmbedder().count_tokens, max_tokens=200)
    holder = next(c for c in chunks if "1,960 troops" in c.text)
    assert "https://function.mil.ru/news_page/country/more.htm?id=12323909@egNews" in holder.origin
