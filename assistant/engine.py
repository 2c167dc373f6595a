"""The Assistant: answers questions and writes briefings over the store; it never changes the store
(that is :class:`ingest.corpus.Corpus`). Build both with :func:`assistant.build.build`."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from assistant import compose
from assistant.answers import Answer, Briefing
from assistant.briefing_plan import PlanWeights, focus_passages, frame_topic, plan
from assistant.errors import EmptyStoreError, LLMError, UnknownDocumentError
from assistant.extractive import Answerer, SentenceScorer
from assistant.followup import standalone_question
from assistant.injection import quarantine
from assistant.llm import LLMAnswerer, check_answer
from assistant.llm_briefing import LLMBriefer, check_briefing
from assistant.metadata import metadata_answer
from assistant.retrieval import Filters, Retriever
from assistant.verifier import Verifier
from ingest.store import ChunkStore, DocumentRecord, StoredChunk

MIN_BRIEFING_WORDS = 80
# The words a briefing's frame takes around a model's sentences: "Bottom line", "Key points, in date order",
# "What the reports leave open" and its "flag no open questions" line, and the bullets.
FRAME_WORDS = 25
MIN_MODEL_WORDS = 40  # told to a model however long the topic (the composer cuts what runs past the page)


class Assistant:
    """Answers questions over the store with cited passages, or abstains; writes short cited briefings."""

    def __init__(self, store: ChunkStore, retriever: Retriever, answerer: Answerer, verifier: Verifier, *,
                 scorer: SentenceScorer, llm: LLMAnswerer | None = None, k: int = 6, mode: str = "extractive",
                 location: str = "the store", brief_retriever: Retriever | None = None) -> None:
        self.store = store
        self.retriever = retriever
        self.brief_retriever = brief_retriever or retriever
        self.answerer = answerer
        self.verifier = verifier
        self.scorer = scorer
        self.llm = llm
        self.k = k
        self.mode = mode
        self.location = location
        self._stocked_at: str | None = None  # a store generation at which the store held chunks

    def with_chat_model(self, chat_model: Any) -> Assistant:
        """The same store, retriever and answerer, answering through ``chat_model`` as well."""
        return self._with(llm=LLMAnswerer(chat_model, self.verifier))

    def with_answerer(self, answerer: Answerer) -> Assistant:
        """The same store and retriever, answering with ``answerer`` (the ranker fit's fold models)."""
        return self._with(answerer=answerer)

    def _with(self, *, answerer: Answerer | None = None, llm: LLMAnswerer | None = None) -> Assistant:
        return Assistant(self.store, self.retriever, answerer or self.answerer, self.verifier, scorer=self.scorer,
                         llm=llm or self.llm, k=self.k, mode=self.mode, location=self.location,
                         brief_retriever=self.brief_retriever)

    @property
    def modes(self) -> list[str]:
        """Answer modes available: extractive always, llm when a chat model is configured."""
        return ["extractive", "llm"] if self.llm else ["extractive"]

    @property
    def default_mode(self) -> str:
        return self.mode if self.mode in self.modes else "extractive"

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
        k = _passages_wanted(self.k if k is None else k)
        mode = self._mode(mode)
        self._require_documents()
        t0 = time.perf_counter()
        filters = self._resolved(filters)  # a store read, part of retrieving
        query = question
        if history:
            query = self.llm.rewrite(question, history) if mode == "llm" and self.llm else standalone_question(question, history)
        passages = self.retriever.retrieve(query, k, filters)
        if passages_out is not None:
            passages_out.extend(passages)
        t1 = time.perf_counter()
        standalone = query if query != question else None
        meta = metadata_answer(query, passages, self.store)
        if meta is not None:
            yield compose.metadata_answer(question, meta, _timings(t0, t1, time.perf_counter()))
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
            yield compose.llm_answer(question, checked, passages, _timings(t0, t1, time.perf_counter()), standalone)
            return
        draft = self.answerer.draft(query, passages)
        yield compose.extractive_answer(question, draft, _timings(t0, t1, time.perf_counter()), standalone)

    def brief(self, topic: str, *, words: int = 390, k: int = 24, filters: Filters | None = None,
              mode: str | None = None) -> Briefing:
        """A short cited briefing on ``topic``: bottom line, points by actor (or dated, for a timeline),
        disagreements between reports, open questions. Offline (mode ``extractive``) the documents the
        retrieved passages come from are read whole (within the filters) and quoted; in mode ``llm`` the chat
        model writes the page from the retrieved passages and every sentence is checked
        (:mod:`assistant.llm_briefing`); a page whose bottom line fails the checks gives way to the offline one."""
        topic = topic.strip()
        if not topic:
            raise ValueError("the topic is empty")
        if words < MIN_BRIEFING_WORDS:
            # The title, the three headings and one bottom-line sentence take about this many words.
            raise ValueError(f"a briefing needs at least {MIN_BRIEFING_WORDS} words (asked for {words})")
        k = _passages_wanted(k)
        mode = self._mode(mode)
        self._require_documents()
        t0 = time.perf_counter()
        filters = self._resolved(filters)  # a store read, part of retrieving
        retrieved = self.brief_retriever.retrieve(topic, k, filters)
        flags: list[str] = []
        if mode == "llm":
            assert self.llm is not None  # _mode refuses llm without a chat model
            t1 = time.perf_counter()
            # The page's frame (title, headings, the open-questions line) is the composer's: the model is told the
            # words left, and the composer cuts what still runs past ``words``.
            budget = max(words - len(f"Briefing: {topic}".split()) - FRAME_WORDS, MIN_MODEL_WORDS)
            try:
                raw = LLMBriefer(self.llm.chat_model).write(topic, retrieved, words=budget)
            except Exception as exc:  # network, auth or server errors from the provider
                raise LLMError(f"the chat model failed ({exc.__class__.__name__}: {str(exc)[:200]})") from None
            page = check_briefing(raw, retrieved, self.verifier)
            if page.abstained or page.bottom:
                return compose.llm_briefing(topic, page, retrieved, _timings(t0, t1, time.perf_counter()), words=words,
                                            timeline=frame_topic(topic).shape == "timeline")
            flags = [*page.flags, "no sentence of the model's bottom line was supported by the passages it cites: "
                     "this is the offline briefing"]
        passages = focus_passages(retrieved, self._chunks_of, names=frame_topic(topic).names,
                                  max_docs=PlanWeights().max_docs)
        t1 = time.perf_counter()
        chosen = plan(topic, passages, self.scorer, self.answerer, words=words, retrieved=retrieved)
        t2 = time.perf_counter()
        return compose.briefing(topic, chosen, _timings(t0, t1, t2)).model_copy(update={"flags": flags})

    def _mode(self, mode: str | None) -> str:
        """``mode`` (default: the configured one), checked: a known mode, and a chat model for ``llm``."""
        mode = mode or self.mode
        if mode not in ANSWER_MODES:  # anything else was answered extractively, as if asked for
            raise ValueError(f"unknown answer mode {mode!r}: use {' or '.join(repr(m) for m in ANSWER_MODES)}")
        if mode == "llm" and self.llm is None:
            raise LLMError("answer mode 'llm' needs a chat model: set BRIEFING_LLM__PROVIDER and BRIEFING_LLM__MODEL")
        return mode

    def _chunks_of(self, doc_id: str) -> list[StoredChunk]:
        chunks = self.store.get_chunks(self.store.chunk_ids(doc_id))
        return sorted(chunks, key=lambda c: c.index)

    # the store, read only

    def documents(self) -> list[DocumentRecord]:
        return self.store.list_documents()

    def document(self, doc_id: str) -> DocumentRecord | None:
        return self.store.get_document(doc_id)

    def _resolved(self, filters: Filters | None) -> Filters | None:
        """``filters`` with each document named by its stored id: a whole id, or the start of one that no other
        id shares, as ``briefing remove`` takes them (and the README's ``--doc 4895``).

        Matched as given, a short id or a removed document's id matched no passage and the question was
        answered "The reports in the corpus do not answer this.", which blamed the reports for a typo."""
        if filters is None or not filters.doc_ids:
            return filters
        stored = self.store.document_ids()
        known = set(stored)
        ids: list[str] = []
        for ref in filters.doc_ids:
            matches = [ref] if ref in known else [d for d in stored if ref.strip() and d.startswith(ref.strip())]
            if not matches:
                raise UnknownDocumentError(f"no stored document matches {ref!r} (see `briefing sources`)")
            if len(matches) > 1:
                raise UnknownDocumentError(f"{ref!r} matches {len(matches)} documents; give more of the id")
            ids.append(matches[0])
        return replace(filters, doc_ids=tuple(dict.fromkeys(ids)))

    def _require_documents(self) -> None:
        # count() took 10-19 ms on 225,000 chunks before every question; the generation read (0.2 ms)
        # says whether anything changed since the store was last seen holding chunks.
        generation = self.store.generation()
        if generation == self._stocked_at:
            return
        if self.store.count() == 0:
            raise EmptyStoreError(
                f"the store at {self.location} holds no documents; "
                "run `briefing ingest PATH` first"
            )
        self._stocked_at = generation

    def warm_up(self) -> None:
        """Load the embedding model and the store's vector index side by side, before the first question.

        Each takes a while in a new process (the index ~0.9 s on 225,000 chunks, the model ~0.3 s), and
        the first question would otherwise load them one after the other. ONNX Runtime releases the GIL
        while loading, and Chroma does in a query (``load_index``), though not in ``count()``."""
        import threading

        store = threading.Thread(target=self.store.load_index, name="warm-store", daemon=True)
        store.start()
        self.scorer.embedder.embed(["warm up"])
        # The lexical resources a "how many" answer reads (lemminflect's tables, ~0.2-0.4 s to load) load
        # while the index does, not in the first such question.
        from assistant.lexicon import lemmas

        lemmas("warming")
        store.join()


ANSWER_MODES = ("extractive", "llm")


def _passages_wanted(k: int) -> int:
    """``k`` if it asks for at least one passage; a ValueError that says so otherwise (``-k 0`` had quietly
    meant the default, and a negative k every candidate the hybrid retriever fetched)."""
    if k < 1:
        raise ValueError(f"k must be at least 1 passage (asked for {k})")
    return k


def _timings(t0: float, t1: float, t2: float) -> dict[str, float]:
    return {"retrieve": _ms(t0, t1), "answer": _ms(t1, t2), "total": _ms(t0, t2)}


def _ms(a: float, b: float) -> float:
    return round((b - a) * 1000, 1)
