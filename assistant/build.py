"""Build everything from settings: the only code that reads them (the CLI and the web app read their
own server options at the edge).

    workspace = build(Settings())
    workspace.corpus.ingest([Path("reports/")])
    workspace.assistant.ask("Who brokered the agreement?")

``build`` returns a :class:`Workspace`: the :class:`~ingest.corpus.Corpus` that changes the store and
the :class:`~assistant.engine.Assistant` that only answers, sharing one embedder and one store. A
variant (another retriever, threshold or home) is built from a copy of the settings, never by
changing a live object.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from assistant.engine import Assistant
from assistant.errors import LLMError
from assistant.extractive import ExtractiveAnswerer, SentenceScorer
from assistant.lexical import LexicalIndex
from assistant.lexicon import Synonyms
from assistant.llm import LLMAnswerer, make_chat_model
from assistant.ranker import LearnedRanker
from assistant.rerank import CrossEncoderReranker, Reranker
from assistant.retrieval import DenseRetriever, HybridRetriever, Retriever
from assistant.settings import Settings
from assistant.verifier import CrossEncoderVerifier, LLMJudgeVerifier, ProxyVerifier, Verifier
from ingest.corpus import Corpus
from ingest.embeddings import Embedder
from ingest.ledger import Ledger
from ingest.sandbox import ParseLimits
from ingest.store import ChunkStore


@dataclass
class Workspace:
    """What one set of settings builds: the corpus (writes) and the assistant (reads), over one store."""

    settings: Settings
    embedder: Embedder
    corpus: Corpus
    assistant: Assistant


def build(settings: Settings | None = None, *, embedder: Embedder | None = None,
          chat_model: Any | None = None) -> Workspace:
    """The corpus and the assistant for ``settings``; ``embedder`` and ``chat_model`` replace the configured
    ones (tests pass the hashing embedder or a scripted chat model)."""
    settings = settings or Settings()  # type: ignore[call-arg]
    embedder = embedder or make_embedder(settings)
    store = make_store(settings, embedder)
    # The bm25s folder an earlier version kept for the same collection is migrated on first open.
    lexical = LexicalIndex(settings.lexical_path, legacy=settings.lexical_path.with_suffix(""))
    retriever: Retriever = (
        DenseRetriever(store, embedder) if settings.retrieval.mode == "dense"
        else HybridRetriever(store, embedder, lexical, fetch_k=settings.retrieval.fetch_k,
                             per_document=settings.retrieval.answer_per_document)
    )
    # Briefings keep a lower cap per document: they gather what several reports say.
    brief_retriever: Retriever = (
        retriever if not isinstance(retriever, HybridRetriever)
        else retriever.with_per_document(settings.retrieval.per_document)
    )
    if chat_model is None and settings.llm.provider:
        chat_model = make_chat_model_from(settings)
    scorer = SentenceScorer(embedder)
    ranker = LearnedRanker.default(settings.answer.relevance_floor) if settings.answer.ranker == "learned" else None
    answerer = ExtractiveAnswerer(scorer, ranker=ranker, min_score=settings.answer.min_score,
                                  max_sentences=settings.answer.max_sentences, max_words=settings.answer.max_words,
                                  in_corpus=lexical.has_term if isinstance(retriever, HybridRetriever) else None,
                                  synonyms=Synonyms(embedder.embed), reranker=make_reranker(settings),
                                  rerank_top=settings.answer.rerank_top)
    verifier = make_verifier(settings, embedder, chat_model)
    assistant = Assistant(
        store, retriever, answerer, verifier, scorer=scorer, brief_retriever=brief_retriever,
        llm=LLMAnswerer(chat_model, verifier) if chat_model is not None else None,
        k=settings.retrieval.k, mode=settings.answer.mode,
        location=settings.chroma_url or str(settings.store_path),
    )
    ingest = settings.ingest
    corpus = Corpus(
        store, embedder, Ledger(settings.ledger_path), home=settings.home,
        indexes=[lexical] if isinstance(retriever, HybridRetriever) else [],
        max_tokens=settings.chunking.max_tokens, batch_chunks=ingest.batch_chunks, write_depth=ingest.write_depth,
        limits=ParseLimits(memory_mb=ingest.parse_memory_mb, seconds=ingest.parse_seconds,
                           max_file_mb=ingest.max_file_mb),
    )
    return Workspace(settings, embedder, corpus, assistant)


def _offline_unless_allowed(settings: Settings) -> None:
    """Models load from disk (a path or the local cache) unless downloads are allowed."""
    if not settings.embedding.allow_download:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def make_embedder(settings: Settings) -> Embedder:
    """The configured embedding model, on the backend the store was built with (see ``resolved_backend``)."""
    from ingest.embeddings import SentenceTransformerEmbedder

    _offline_unless_allowed(settings)
    backend = resolved_backend(settings)
    if backend.startswith("onnx"):
        from ingest.embeddings import OnnxEmbedder

        return OnnxEmbedder(settings.embedding.model, cache_dir=settings.embedding.cache_dir or settings.home / "models",
                            quantized=backend == "onnx-int8", threads=settings.embedding.threads)
    return SentenceTransformerEmbedder(settings.embedding.model, device=settings.embedding.device,
                                       batch_size=settings.embedding.batch_size)


def resolved_backend(settings: Settings) -> str:
    """The embedding backend to use: ``auto`` follows the store, so a store built with fp32 keeps working."""
    backend = settings.embedding.backend
    if backend == "auto":
        from ingest.export import INT8_VARIANT

        recorded = recorded_model(settings)
        if recorded is None or recorded == f"{settings.embedding.model}+{INT8_VARIANT}":
            backend = "onnx-int8"
        else:  # fp32; for another model altogether the store's refusal names both
            backend = "onnx"
    if backend.startswith("onnx") and settings.embedding.device != "cpu":
        return "torch"
    return backend


def recorded_model(settings: Settings) -> str | None:
    """The embedding model the configured store was built with, if it has one (a store is not created)."""
    from ingest.store import make_client
    from ingest.store import recorded_model as read_recorded_model

    if not settings.chroma_url and not settings.store_path.exists():
        return None
    try:
        client = make_client(path=None if settings.chroma_url else str(settings.store_path), url=settings.chroma_url)
    except Exception:  # an unreachable server is reported by make_store, with its address
        return None
    recorded = read_recorded_model(client, settings.store_prefix)
    if recorded is None and settings.store_prefix != settings.collection_prefix:
        # a new collection follows the store's default collection, so one embedder serves them all
        recorded = read_recorded_model(client, settings.collection_prefix)
    return recorded


def make_store(settings: Settings, embedder: Embedder) -> ChunkStore:
    """The configured Chroma store (embedded under home, or a server), checked against ``embedder``."""
    from ingest.store import make_client

    settings.home.mkdir(parents=True, exist_ok=True)
    client = make_client(path=None if settings.chroma_url else str(settings.store_path), url=settings.chroma_url)
    return ChunkStore(client, model=embedder.name, dimension=embedder.dimension, prefix=settings.store_prefix,
                      url=settings.chroma_url)


def make_ledger(settings: Settings) -> Ledger:
    return Ledger(settings.ledger_path)


def make_chat_model_from(settings: Settings) -> Any:
    """The configured LangChain chat model (OpenAI-compatible server or Ollama)."""
    llm = settings.llm
    if not llm.provider:
        raise LLMError("no chat model configured (BRIEFING_LLM__PROVIDER)")
    return make_chat_model(llm.provider, llm.model, llm.base_url, os.environ.get(llm.api_key_env), llm.temperature,
                           llm.timeout_s)


def make_reranker(settings: Settings) -> Reranker | None:
    """The cross-encoder that chooses which of the ranker's best sentences leads an answer, when one is configured."""
    if not settings.answer.reranker:
        return None
    _offline_unless_allowed(settings)
    return CrossEncoderReranker(settings.answer.reranker, device=settings.embedding.device,
                                allow_download=settings.embedding.allow_download)


def make_verifier(settings: Settings, embedder: Embedder, chat_model: Any | None = None) -> Verifier:
    """The grounding verifier the settings choose, for answers, briefings and evaluation alike."""
    kind = settings.verifier.kind
    if kind == "cross-encoder":
        if not settings.verifier.model:
            raise LLMError("verifier kind 'cross-encoder' needs a model: set BRIEFING_VERIFIER__MODEL")
        _offline_unless_allowed(settings)
        return CrossEncoderVerifier(settings.verifier.model, device=settings.embedding.device,
                                    allow_download=settings.embedding.allow_download)
    if kind == "llm-judge":
        if chat_model is None:
            raise LLMError("verifier kind 'llm-judge' needs a chat model: set BRIEFING_LLM__PROVIDER and "
                           "BRIEFING_LLM__MODEL")
        return LLMJudgeVerifier(chat_model, cache_path=settings.home / "judge-cache.json")
    return ProxyVerifier(embedder)
