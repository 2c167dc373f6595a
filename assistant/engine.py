"""The Assistant: one object the CLI and the UI talk to."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.answers import ABSTAIN_MESSAGE, Answer, Briefing, Citation
from assistant.briefing import plan_briefing, render_briefing
from assistant.errors import EmptyStoreError, LLMError
from assistant.extractive import Answerer, Evidence, ExtractiveAnswerer, SentenceScorer, display_sentence
from assistant.followup import standalone_question
from assistant.injection import quarantine
from assistant.lexical import LexicalIndex
from assistant.llm import CheckedAnswer, LLMAnswerer, check_answer
from assistant.metadata import MetadataAnswer, metadata_answer
from assistant.retrieval import DenseRetriever, Filters, HybridRetriever, Retriever
from assistant.verifier import ProxyVerifier, Verifier
from ingest.embeddings import Embedder
from ingest.pipeline import Ingestor, IngestReport, Progress, write_lock
from ingest.sandbox import ParseLimits
from ingest.store import ChunkStore, DocumentRecord, StoredChunk

if TYPE_CHECKING:
    from assistant.settings import Settings


class Assistant:
    """Answers questions over the store with cited passages; also ingests and removes documents."""

    def __init__(self, settings: Settings, embedder: Embedder, store: ChunkStore, retriever: Retriever,
                 answerer: Answerer, *, verifier: Verifier | None = None, llm: LLMAnswerer | None = None) -> None:
        self.settings = settings
        self.embedder = embedder
        self.store = store
        self.retriever = retriever
        self.answerer = answerer
        self.verifier = verifier or ProxyVerifier(embedder)
        self.llm = llm

    def with_chat_model(self, provider: str, model: str, base_url: str | None = None) -> Assistant:
        """The same store, retriever and answerer, answering through a chat model as well."""
        settings = self.settings.model_copy(deep=True)
        settings.llm = settings.llm.model_copy(update={"provider": provider, "model": model, "base_url": base_url})
        llm = LLMAnswerer(settings.get_chat_model(), self.verifier)
        return Assistant(settings, self.embedder, self.store, self.retriever, self.answerer, verifier=self.verifier,
                         llm=llm)

    @property
    def modes(self) -> list[str]:
        """Answer modes available: extractive always, llm when a chat model is configured."""
        return ["extractive", "llm"] if self.llm else ["extractive"]

    @classmethod
    def from_settings(cls, settings: Settings, *, embedder: Embedder | None = None) -> Assistant:
        embedder = embedder or settings.get_embedder()
        store = settings.get_store(embedder)
        lexical = LexicalIndex(settings.home / "lexical" / (settings.collection_prefix or "default"))
        retriever: Retriever = (
            DenseRetriever(store, embedder) if settings.retrieval.mode == "dense"
            else HybridRetriever(store, embedder, lexical, fetch_k=settings.retrieval.fetch_k,
                                 per_document=settings.retrieval.per_document)
        )
        answerer = ExtractiveAnswerer(
            SentenceScorer(embedder), min_score=settings.answer.min_score,
            max_sentences=settings.answer.max_sentences,
        )
        verifier = ProxyVerifier(embedder)
        llm = LLMAnswerer(settings.get_chat_model(), verifier) if settings.llm.provider else None
        return cls(settings, embedder, store, retriever, answerer, verifier=verifier, llm=llm)

    # answering

    def ask(self, question: str, *, k: int | None = None, filters: Filters | None = None,
            history: Sequence[tuple[str, str]] | None = None, mode: str | None = None) -> Answer:
        """Answer ``question`` from the store, every sentence cited, or abstain."""
        final: Answer | None = None
        for event in self.ask_stream(question, k=k, filters=filters, history=history, mode=mode):
            if isinstance(event, Answer):
                final = event
        assert final is not None
        return final

    def ask_with_passages(self, question: str, *, k: int | None = None, filters: Filters | None = None,
                          history: Sequence[tuple[str, str]] | None = None,
                          mode: str | None = None) -> tuple[Answer, list[StoredChunk]]:
        """Like :meth:`ask`, also returning the passages retrieved (for evaluation)."""
        retrieved: list[StoredChunk] = []
        final: Answer | None = None
        for event in self.ask_stream(question, k=k, filters=filters, history=history, mode=mode, passages_out=retrieved):
            if isinstance(event, Answer):
                final = event
        assert final is not None
        return final, retrieved

    def ask_stream(self, question: str, *, k: int | None = None, filters: Filters | None = None,
                   history: Sequence[tuple[str, str]] | None = None, mode: str | None = None,
                   passages_out: list[StoredChunk] | None = None) -> Iterator[str | Answer]:
        """Yield text as a chat model writes it (LLM mode), then the checked :class:`Answer`."""
        question = question.strip()
        if not question:
            raise ValueError("the question is empty")
        mode = mode or self.settings.answer.mode
        if mode == "llm" and self.llm is None:
            raise LLMError("answer mode 'llm' needs a chat model: set BRIEFING_LLM__PROVIDER and BRIEFING_LLM__MODEL")
        self._require_documents()
        t0 = time.perf_counter()
        query = question
        if history:
            query = self.llm.rewrite(question, history) if mode == "llm" and self.llm else standalone_question(question, history)
        passages = self.retriever.retrieve(query, k or self.settings.retrieval.k, filters)
        if passages_out is not None:
            passages_out.extend(passages)
        t1 = time.perf_counter()
        standalone = query if query != question else None
        meta = metadata_answer(query, passages, self.store)
        if meta is not None:
            yield metadata_response(question, meta, _timings(t0, t1, time.perf_counter()))
            return
        if mode == "llm" and self.llm is not None:
            raw: list[str] = []
            try:
                for piece in self.llm.stream(query, passages):
                    raw.append(piece)
                    yield piece
            except Exception as exc:  # network, auth or server errors from the provider
                raise LLMError(f"the chat model failed ({exc.__class__.__name__}: {str(exc)[:200]})") from None
            checked = check_answer("".join(raw), passages, self.verifier)
            hidden = sum(quarantine(p.text)[1] for p in passages)
            if hidden:
                checked.flags.append(f"withheld {hidden} instruction-like sentence(s) in the passages from the model")
            yield llm_response(question, checked, passages, _timings(t0, t1, time.perf_counter()), standalone)
            return
        draft = self.answerer.draft(query, passages)
        timings = _timings(t0, t1, time.perf_counter())
        confidence = round(draft.best_score, 4)
        if not draft.evidence:
            yield Answer(question=question, answer=ABSTAIN_MESSAGE, abstained=True, timings_ms=timings,
                         confidence=confidence, abstain_reason=draft.reason, standalone_question=standalone)
            return
        text, citations = compose(draft.evidence)
        yield Answer(question=question, answer=text, abstained=False, citations=citations, timings_ms=timings,
                     confidence=confidence, standalone_question=standalone)

    def brief(self, topic: str, *, words: int = 300, k: int = 14, filters: Filters | None = None) -> Briefing:
        """A short cited briefing on ``topic``: bottom line, key points, open questions."""
        topic = topic.strip()
        if not topic:
            raise ValueError("the topic is empty")
        self._require_documents()
        t0 = time.perf_counter()
        passages = self.retriever.retrieve(topic, k, filters)
        t1 = time.perf_counter()
        scorer = self.answerer.scorer if isinstance(self.answerer, ExtractiveAnswerer) else SentenceScorer(self.embedder)
        bluf, points, open_items = plan_briefing(topic, passages, scorer, words=words)
        t2 = time.perf_counter()
        timings = {"retrieve": _ms(t0, t1), "answer": _ms(t1, t2), "total": _ms(t0, t2)}
        if bluf is None:
            return Briefing(topic=topic, briefing=ABSTAIN_MESSAGE, abstained=True, timings_ms=timings)
        ordered = [bluf, *points, *open_items]
        markers: dict[tuple[str, int, int], int] = {}
        citations: list[Citation] = []
        for ev in ordered:
            key = (ev.chunk.doc_id, ev.start, ev.end)
            if key not in markers:
                markers[key] = len(markers) + 1
                citations.append(citation(markers[key], ev))
        text = render_briefing(topic, bluf, points, open_items, markers)
        return Briefing(topic=topic, briefing=text, citations=citations, timings_ms=timings)

    # corpus

    def documents(self) -> list[DocumentRecord]:
        return self.store.list_documents()

    def document(self, doc_id: str) -> DocumentRecord | None:
        return self.store.get_document(doc_id)

    def ingest(self, paths: Sequence[Path], progress: Progress | None = None) -> IngestReport:
        with write_lock(self.settings.home):
            return self._ingestor().ingest(paths, progress)

    def remove(self, ref: str) -> tuple[str, int]:
        with write_lock(self.settings.home):
            return self._ingestor().remove(ref)

    def _ingestor(self) -> Ingestor:
        ingest = self.settings.ingest
        limits = ParseLimits(memory_mb=ingest.parse_memory_mb, seconds=ingest.parse_seconds, max_file_mb=ingest.max_file_mb)
        return Ingestor(self.store, self.embedder, self.settings.get_ledger(), max_tokens=self.settings.chunking.max_tokens,
                        on_written=self._store_changed, limits=limits, batch_chunks=ingest.batch_chunks)

    def _store_changed(self) -> None:
        """Keep the lexical index in step with the store after every ingest or removal."""
        lexical = getattr(self.retriever, "lexical", None)
        if isinstance(lexical, LexicalIndex):
            lexical.build(self.store.iter_chunks())

    def _require_documents(self) -> None:
        if self.store.count() == 0:
            raise EmptyStoreError(
                f"the store at {self.settings.chroma_url or self.settings.store_path} holds no documents; "
                "run `briefing ingest PATH` first"
            )


def compose(evidence: Sequence[Evidence]) -> tuple[str, list[Citation]]:
    """Write the answer: each chosen sentence followed by the footnote of the passage it quotes."""
    citations: list[Citation] = []
    parts: list[str] = []
    for number, ev in enumerate(evidence, start=1):
        citations.append(citation(number, ev))
        parts.append(f"{display_sentence(ev.text)} [{number}]")
    return " ".join(parts), citations


def metadata_response(question: str, meta: MetadataAnswer, timings: dict[str, float]) -> Answer:
    """An answer about the report itself; every sentence cites the report's title, byline and date."""
    doc = meta.document
    cite = Citation(
        marker=1, doc_id=doc.doc_id, title=doc.title, source=doc.source, date=doc.date, section=None, page=None,
        text=doc.text[meta.start:meta.end], start=meta.start, end=meta.end, score=1.0,
    )
    text = " ".join(f"{s} [1]" for s in meta.sentences)
    return Answer(question=question, answer=text, abstained=False, citations=[cite], timings_ms=timings,
                  confidence=1.0)


def llm_response(question: str, checked: CheckedAnswer, passages: Sequence[StoredChunk],
                 timings: dict[str, float], standalone: str | None) -> Answer:
    """The checked model answer, markers renumbered in order of first use, each citing its passage."""
    if checked.abstained:
        return Answer(question=question, answer=ABSTAIN_MESSAGE, abstained=True, timings_ms=timings, mode="llm",
                      flags=checked.flags, standalone_question=standalone,
                      abstain_reason="the model found no answer, or no sentence it wrote was supported")
    numbering: dict[int, int] = {}
    citations: list[Citation] = []
    parts: list[str] = []
    for sentence in checked.sentences:
        markers = []
        for m in sentence.markers:
            if m not in numbering:
                numbering[m] = len(numbering) + 1
                chunk = passages[m - 1]
                citations.append(Citation(
                    marker=numbering[m], doc_id=chunk.doc_id, title=chunk.title, source=chunk.source, date=chunk.date,
                    section=chunk.section, page=chunk.page, text=chunk.text, start=chunk.start, end=chunk.end,
                    chunk_id=chunk.id, origin=chunk.origin_of(chunk.text), score=sentence.verdict.score,
                ))
            markers.append(numbering[m])
        parts.append(sentence.text + " " + "".join(f"[{n}]" for n in markers))
    return Answer(question=question, answer=" ".join(parts), abstained=False, citations=citations, timings_ms=timings,
                  mode="llm", flags=checked.flags, standalone_question=standalone)


def _timings(t0: float, t1: float, t2: float) -> dict[str, float]:
    return {"retrieve": _ms(t0, t1), "answer": _ms(t1, t2), "total": _ms(t0, t2)}


def citation(marker: int, ev: Evidence) -> Citation:
    chunk = ev.chunk
    return Citation(
        marker=marker, doc_id=chunk.doc_id, title=chunk.title, source=chunk.source, date=chunk.date,
        section=chunk.section, page=chunk.page, text=ev.text, start=ev.start, end=ev.end,
        chunk_id=chunk.id, origin=chunk.origin_of(ev.text), score=round(ev.score, 4),
    )


def _ms(a: float, b: float) -> float:
    return round((b - a) * 1000, 1)
