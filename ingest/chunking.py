"""Sentence-aware chunks sized in the embedding model's tokens."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ingest.documents import Chunk, ParsedDocument
from ingest.sentences import split_sentences

CountTokens = Callable[[Sequence[str]], list[int]]
_FRONT = ("title", "byline", "dateline")


@dataclass
class _Sentence:
    start: int
    end: int
    tokens: int
    block: int


def chunk_document(
    doc: ParsedDocument, doc_id: str, count_tokens: CountTokens, *, max_tokens: int = 200
) -> list[Chunk]:
    """Group whole sentences into chunks of at most ``max_tokens`` tokens.

    A heading, a page break or a change of section starts a new chunk; front matter (title, byline,
    date) forms its own chunk; a paragraph repeated inside the document is chunked once.
    """
    text = doc.text
    sentences: list[_Sentence] = []
    seen: set[str] = set()
    skipped: set[int] = set()
    for b, block in enumerate(doc.blocks):
        key = " ".join(text[block.start:block.end].lower().split())
        if key in seen and block.kind not in _FRONT:
            skipped.add(b)
            continue
        seen.add(key)
        sentences.extend(_Sentence(s, e, 0, b) for s, e in split_sentences(text, block.start, block.end))
    for sentence, tokens in zip(sentences, count_tokens([text[s.start:s.end] for s in sentences]), strict=True):
        sentence.tokens = tokens

    chunks: list[Chunk] = []
    current: list[_Sentence] = []

    def flush() -> None:
        if not current:
            return
        start, end = current[0].start, current[-1].end
        first = doc.blocks[current[0].block]
        chunks.append(
            Chunk(
                doc_id=doc_id, index=len(chunks), text=text[start:end], start=start, end=end,
                section=first.section if first.kind != "heading" else text[first.start:first.end],
                page=first.page, footnotes=doc.footnotes_in(start, end),
            )
        )
        current.clear()

    block_tokens: dict[int, int] = {}
    for sentence in sentences:
        block_tokens[sentence.block] = block_tokens.get(sentence.block, 0) + sentence.tokens

    budget = max_tokens
    for sentence in sentences:
        block = doc.blocks[sentence.block]
        if current:
            prev = doc.blocks[current[-1].block]
            new_block = sentence.block != current[-1].block
            breaks = new_block and (
                block.kind == "heading"
                or (block.kind in _FRONT) != (prev.kind in _FRONT)
                or block.page != prev.page
                or block.section != prev.section
                or any(b in skipped for b in range(current[-1].block + 1, sentence.block))
            )
            used = sum(s.tokens for s in current)
            # Prefer to end at a paragraph boundary when the next paragraph would not fit whole.
            paragraph_end = new_block and used >= budget * 0.4 and used + block_tokens[sentence.block] > budget
            if breaks or paragraph_end or used + sentence.tokens > budget:
                flush()
        current.append(sentence)
    flush()
    return chunks
