"""One Settings object, from environment variables (``BRIEFING_…``) and defaults.

Nested sections read ``BRIEFING_<SECTION>__<FIELD>``, e.g. ``BRIEFING_EMBEDDING__MODEL``. Plain data:
:func:`assistant.build.build` is what turns settings into objects.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from ingest.embeddings import DEFAULT_MODEL

DEFAULT_COLLECTION = "default"
# Words of lower-case letters and digits joined by single - or _ (at most 32 characters): valid in a Chroma
# collection name and a folder name alike, and never holding the separator below.
COLLECTION_NAME = r"^[a-z0-9]+(?:[_-][a-z0-9]+)*$"
COLLECTION_SEPARATOR = "--"  # between a collection's name and the Chroma collection names; names cannot hold it


def default_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "briefing"


class EmbeddingSettings(BaseModel):
    model: str = Field(DEFAULT_MODEL, description="sentence-transformers model name or path; the default ships offline.")
    backend: Literal["auto", "onnx", "onnx-int8", "torch"] = Field(
        "auto", description="auto: whatever an existing store was built with, and onnx-int8 for a new one; "
        "onnx: the same weights exported once to ONNX Runtime (vectors equal torch's, no torch at query time); "
        "onnx-int8: quantised per channel, about 1.8x faster to ingest, vectors at cosine 0.99 to fp32; "
        "torch: sentence-transformers itself. A store is built with fp32 (onnx, torch) or int8 vectors, not both."
    )
    device: str = Field("cpu", description="torch device for the embedding model.")
    cache_dir: Path | None = Field(None, description="Where exported ONNX models are kept; default HOME/models.")
    batch_size: int = Field(64, ge=1, description="Texts embedded per forward pass by the torch backend.")
    threads: int = Field(0, ge=0, description="ONNX Runtime intra-op threads per run; 0: the int8 model embeds one "
                         "text per run, one single-threaded run per core side by side (fp32: ONNX Runtime's default).")
    allow_download: bool = Field(False, description="Let the Hugging Face hub download a model not on disk.")


class ChunkingSettings(BaseModel):
    max_tokens: int = Field(200, ge=16, description="Chunk size limit in the embedding model's tokens.")


class IngestSettings(BaseModel):
    parse_memory_mb: int = Field(1024, ge=128, description="Address-space limit of the sandboxed parser process.")
    parse_seconds: float = Field(60.0, gt=0, description="Time limit for parsing one file.")
    max_file_mb: float = Field(100.0, gt=0, description="Larger files are refused.")
    batch_chunks: int = Field(256, ge=1, description="Chunks embedded together (across files).")
    write_depth: int = Field(2, ge=0, description="Embedded batches that may wait for the writer thread (memory "
                             "bound); 0 writes in the embedding thread, without overlap.")


class RetrievalSettings(BaseModel):
    mode: Literal["hybrid", "dense"] = Field("hybrid", description="hybrid = Chroma + BM25 fused; dense = Chroma only.")
    k: int = Field(6, ge=1, le=50, description="Passages handed to the answerer.")
    fetch_k: int = Field(30, ge=1, description="Candidates fetched from each retriever before fusion.")
    per_document: int = Field(3, ge=1, description="Most passages from one document in a briefing's retrieval while "
                              "others compete.")
    # A question is mostly answered by one document: with at most 3 of a question's 6 passages from one
    # document, the blind tune questions' evidence was among the passages for 0.844 of them; with the cap
    # at 6, 0.900 (document folds of the tune half: 0.88 -> 0.93 and 0.82 -> 0.88).
    answer_per_document: int = Field(6, ge=1, description="Most passages from one document in a question's "
                                     "retrieval while others compete.")


class AnswerSettings(BaseModel):
    mode: Literal["extractive", "llm"] = Field("extractive", description="extractive needs no generative model.")
    ranker: Literal["learned", "heuristic"] = Field(
        "learned", description="learned: the fitted sentence ranker (assistant/data/answer_ranker.json, re-fit with "
        "`briefing eval --fit-ranker`); heuristic: the hand-weighted score it replaced, for comparison."
    )
    min_score: float | None = Field(
        None, description="Abstain when the best sentence scores below this; default: the threshold fitted with "
        "the learned ranker (0.5 for the heuristic)."
    )
    relevance_floor: float | None = Field(
        None, ge=0.0, le=1.0, description="Abstain when no retrieved sentence is at least this close in meaning "
        "(cosine) to the question, or to one part of a multi-part question; default: the floor fitted with the "
        "learned ranker; 0 turns it off."
    )
    max_sentences: int = Field(3, ge=1, le=8, description="Most sentences in an extractive answer.")
    max_words: int | None = Field(60, ge=10, description="Most words in an extractive answer (the first sentence is "
                                  "always kept whole).")
    reranker: str | None = Field(
        None, description="A sentence-transformers CrossEncoder with one output (name or path; a passage-ranking "
        "model) that chooses which of the ranker's best sentences leads the answer; the ranker's own best follows "
        "when it fits. Abstention stays the ranker's; the confidence reads the answer so composed (whether its lead "
        "holds the name, number or date asked). None (the default) needs no model."
    )
    rerank_top: int = Field(8, ge=2, le=50, description="How many of the ranker's best sentences the reranker "
                            "chooses the lead from.")


class LLMSettings(BaseModel):
    provider: Literal["openai", "ollama"] | None = Field(None, description="Chat model provider; None disables the LLM.")
    model: str | None = Field(None, description="Model name on the provider.")
    base_url: str | None = Field(None, description="Server URL, e.g. http://127.0.0.1:8080/v1 for llama.cpp or vLLM.")
    api_key_env: str = Field("OPENAI_API_KEY", description="Environment variable holding the API key.")
    temperature: float = Field(0.0, description="Sampling temperature.")
    timeout_s: float = Field(60.0, description="Request timeout in seconds.")


class VerifierSettings(BaseModel):
    kind: Literal["proxy", "cross-encoder", "llm-judge"] = Field(
        "proxy", description="proxy: the offline entailment proxy (no model beyond the embedder); cross-encoder: a "
        "sentence-transformers CrossEncoder NLI model (`model`, a name or path); llm-judge: the configured chat model "
        "(the llm section) as judge, at temperature 0, answers cached under home."
    )
    model: str | None = Field(None, description="The CrossEncoder NLI model's name or path, for kind cross-encoder.")


class ServerSettings(BaseModel):
    host: str = Field("127.0.0.1", description="Bind address; loopback unless told otherwise.")
    port: int = Field(7860, description="HTTP port of the Gradio app.")
    auth: str | None = Field(None, description="user:password to require a login.")
    auth_file: Path | None = Field(None, description="A file whose first line is user:password (kept out of the process list).")
    max_upload_mb: int = Field(50, description="Largest accepted upload request (all its files together), in MB.")
    max_question_chars: int = Field(4000, ge=100, description="Longest question or briefing topic accepted, in characters.")
    temp_max_age_s: int = Field(86400, ge=60, description="Uploads and exported briefings older than this are deleted (checked hourly).")
    queue_size: int = Field(64, description="Most requests waiting in the queue before new ones are refused.")
    concurrency: int = Field(4, description="Requests served at once per event.")
    sessions: int = Field(500, ge=10, description="Most sessions whose state the server keeps (about 0.13 MB each); the least recently used go first.")
    per_client_queue: int = Field(4, ge=1, description="Most requests one client address may have waiting or running.")
    login_free_attempts: int = Field(5, ge=0, description="Failed logins (per user and per address) before backoff starts.")
    login_backoff_max_s: float = Field(300.0, ge=1, description="Longest wait between login attempts under backoff (1 s, 2 s, 4 s... up to this).")
    login_forget_s: float = Field(900.0, gt=0, description="Failed logins are forgotten after this long without one.")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BRIEFING_", env_nested_delimiter="__", extra="ignore")

    home: Path = Field(default_factory=default_home, description="Where the store, ledger and logs live.")
    chroma_url: str | None = Field(None, description="A Chroma server URL; unset means an embedded store under home.")
    collection_prefix: str = Field("", description="Prefix of the Chroma collection names.")
    collection: str = Field(DEFAULT_COLLECTION, pattern=COLLECTION_NAME, max_length=32, description=(
        "The named corpus to read and write (BRIEFING_COLLECTION): lower-case letters, digits, - and _. "
        "Each has its own Chroma collections, lexical index and ledger; see assistant/collections.py."))
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)  # type: ignore[arg-type]
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)  # type: ignore[arg-type]
    ingest: IngestSettings = Field(default_factory=IngestSettings)  # type: ignore[arg-type]
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)  # type: ignore[arg-type]
    answer: AnswerSettings = Field(default_factory=AnswerSettings)  # type: ignore[arg-type]
    llm: LLMSettings = Field(default_factory=LLMSettings)  # type: ignore[arg-type]
    verifier: VerifierSettings = Field(default_factory=VerifierSettings)  # type: ignore[arg-type]
    server: ServerSettings = Field(default_factory=ServerSettings)  # type: ignore[arg-type]

    @property
    def store_path(self) -> Path:
        return self.home / "chroma"

    @property
    def store_prefix(self) -> str:
        """The prefix of this collection's Chroma collection names: the default collection keeps the names it
        always had (a store from before collections is its default collection)."""
        if self.collection == DEFAULT_COLLECTION:
            return self.collection_prefix
        return f"{self.collection_prefix}{self.collection}{COLLECTION_SEPARATOR}"

    @property
    def lexical_path(self) -> Path:
        return self.home / "lexical" / f"{self.store_prefix or 'default'}.sqlite"

    @property
    def ledger_path(self) -> Path:
        if self.collection == DEFAULT_COLLECTION:
            return self.home / "ledger.sqlite"
        return self.home / "collections" / self.collection / "ledger.sqlite"
