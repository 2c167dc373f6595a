"""One Settings object, from environment variables (``BRIEFING_…``) and defaults, with factories.

Nested sections read ``BRIEFING_<SECTION>__<FIELD>``, e.g. ``BRIEFING_EMBEDDING__MODEL``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from ingest.embeddings import DEFAULT_MODEL

if TYPE_CHECKING:
    from assistant.engine import Assistant
    from ingest.embeddings import Embedder
    from ingest.ledger import Ledger
    from ingest.store import ChunkStore


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
    allow_download: bool = Field(False, description="Let the Hugging Face hub download a model not on disk.")


class ChunkingSettings(BaseModel):
    max_tokens: int = Field(200, ge=16, description="Chunk size limit in the embedding model's tokens.")


class IngestSettings(BaseModel):
    parse_memory_mb: int = Field(1024, ge=128, description="Address-space limit of the sandboxed parser process.")
    parse_seconds: float = Field(60.0, gt=0, description="Time limit for parsing one file.")
    max_file_mb: float = Field(100.0, gt=0, description="Larger files are refused.")
    batch_chunks: int = Field(256, ge=1, description="Chunks embedded together (across files).")


class RetrievalSettings(BaseModel):
    mode: Literal["hybrid", "dense"] = Field("hybrid", description="hybrid = Chroma + BM25 fused; dense = Chroma only.")
    k: int = Field(6, ge=1, le=50, description="Passages handed to the answerer.")
    fetch_k: int = Field(30, ge=1, description="Candidates fetched from each retriever before fusion.")
    per_document: int = Field(3, ge=1, description="Most passages from one document while others compete.")


class AnswerSettings(BaseModel):
    mode: Literal["extractive", "llm"] = Field("extractive", description="extractive needs no generative model.")
    min_score: float = Field(
        0.5, description="Abstain when the best sentence scores below this; calibrated with `briefing eval --calibrate-abstention`."
    )
    max_sentences: int = Field(3, ge=1, le=8, description="Most sentences in an extractive answer.")


class LLMSettings(BaseModel):
    provider: Literal["openai", "ollama"] | None = Field(None, description="Chat model provider; None disables the LLM.")
    model: str | None = Field(None, description="Model name on the provider.")
    base_url: str | None = Field(None, description="Server URL, e.g. http://127.0.0.1:8080/v1 for llama.cpp or vLLM.")
    api_key_env: str = Field("OPENAI_API_KEY", description="Environment variable holding the API key.")
    temperature: float = Field(0.0, description="Sampling temperature.")
    timeout_s: float = Field(60.0, description="Request timeout in seconds.")


class ServerSettings(BaseModel):
    host: str = Field("127.0.0.1", description="Bind address; loopback unless told otherwise.")
    port: int = Field(7860, description="HTTP port of the Gradio app.")
    auth: str | None = Field(None, description="user:password to require a login.")
    max_upload_mb: int = Field(50, description="Largest accepted upload, in MB.")
    queue_size: int = Field(64, description="Most requests waiting in the queue before new ones are refused.")
    concurrency: int = Field(4, description="Requests served at once per event.")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BRIEFING_", env_nested_delimiter="__", extra="ignore")

    home: Path = Field(default_factory=default_home, description="Where the store, ledger and logs live.")
    chroma_url: str | None = Field(None, description="A Chroma server URL; unset means an embedded store under home.")
    collection_prefix: str = Field("", description="Prefix of the Chroma collection names.")
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)  # type: ignore[arg-type]
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)  # type: ignore[arg-type]
    ingest: IngestSettings = Field(default_factory=IngestSettings)  # type: ignore[arg-type]
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)  # type: ignore[arg-type]
    answer: AnswerSettings = Field(default_factory=AnswerSettings)  # type: ignore[arg-type]
    llm: LLMSettings = Field(default_factory=LLMSettings)  # type: ignore[arg-type]
    server: ServerSettings = Field(default_factory=ServerSettings)  # type: ignore[arg-type]

    @property
    def store_path(self) -> Path:
        return self.home / "chroma"

    def get_embedder(self) -> Embedder:
        from ingest.embeddings import SentenceTransformerEmbedder

        if not self.embedding.allow_download:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        backend = self.resolved_backend()
        if backend.startswith("onnx"):
            from ingest.embeddings import OnnxEmbedder

            return OnnxEmbedder(self.embedding.model, cache_dir=self.embedding.cache_dir or self.home / "models",
                                quantized=backend == "onnx-int8")
        return SentenceTransformerEmbedder(self.embedding.model, device=self.embedding.device,
                                           batch_size=self.embedding.batch_size)

    def resolved_backend(self) -> str:
        """The embedding backend to use: ``auto`` follows the store, so a store built with fp32 keeps working."""
        backend = self.embedding.backend
        if backend == "auto":
            from ingest.export import INT8_VARIANT

            recorded = self.recorded_model()
            if recorded is None or recorded == f"{self.embedding.model}+{INT8_VARIANT}":
                backend = "onnx-int8"
            else:  # fp32; for another model altogether the store's refusal names both
                backend = "onnx"
        if backend.startswith("onnx") and self.embedding.device != "cpu":
            return "torch"
        return backend

    def recorded_model(self) -> str | None:
        """The embedding model the configured store was built with, if it has one (a store is not created)."""
        from ingest.store import make_client, recorded_model

        if not self.chroma_url and not self.store_path.exists():
            return None
        try:
            client = make_client(path=None if self.chroma_url else str(self.store_path), url=self.chroma_url)
        except Exception:  # an unreachable server is reported by get_store, with its address
            return None
        return recorded_model(client, self.collection_prefix)

    def get_store(self, embedder: Embedder) -> ChunkStore:
        from ingest.store import ChunkStore, make_client

        self.home.mkdir(parents=True, exist_ok=True)
        client = make_client(path=None if self.chroma_url else str(self.store_path), url=self.chroma_url)
        return ChunkStore(client, model=embedder.name, dimension=embedder.dimension, prefix=self.collection_prefix,
                          url=self.chroma_url)

    def get_ledger(self) -> Ledger:
        from ingest.ledger import Ledger

        return Ledger(self.home / "ledger.sqlite")

    def get_chat_model(self) -> Any:
        """The configured LangChain chat model (OpenAI-compatible server or Ollama)."""
        from assistant.errors import LLMError
        from assistant.llm import make_chat_model

        if not self.llm.provider:
            raise LLMError("no chat model configured (BRIEFING_LLM__PROVIDER)")
        return make_chat_model(self.llm.provider, self.llm.model, self.llm.base_url,
                               os.environ.get(self.llm.api_key_env), self.llm.temperature, self.llm.timeout_s)

    def get_assistant(self, embedder: Embedder | None = None) -> Assistant:
        from assistant.engine import Assistant

        return Assistant.from_settings(self, embedder=embedder)
