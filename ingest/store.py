"""The Chroma store schema: one collection of chunks, one of whole documents.

Chunks carry their document's metadata so that a query needs no second round trip; the documents
collection keeps each document's extracted text, blocks and footnotes so a citation can be shown
inside its paragraph. Both live in the same Chroma, embedded or server.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlparse

import numpy as np

from ingest.documents import Block, Chunk, ParsedDocument
from ingest.errors import ModelMismatchError, StoreError

CHUNKS = "briefing_chunks"
DOCUMENTS = "briefing_documents"
SCHEMA_VERSION = 1
# The chunks collection's metadata keys for the store's generation: a counter bumped by every write
# and removal, and a random tag so that two writers bumping from the same count still differ.
GENERATION = "generation"
GENERATION_TAG = "generation_tag"


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as read back from the store, with its document's metadata and a score."""

    id: str
    doc_id: str
    index: int
    text: str
    start: int
    end: int
    title: str
    source: str
    date: str | None
    section: str | None
    page: int | None
    footnotes: dict[str, list[str]]
    score: float = 0.0

    def origin_of(self, text: str) -> list[str]:
        """The report's own source URLs for the footnote markers that ``text`` carries."""
        from ingest.structure import markers_in

        return list(dict.fromkeys(u for m in markers_in(text, self.footnotes) for u in self.footnotes[m]))


@dataclass
class DocumentRecord:
    """A document's metadata, extracted text and structure, as stored."""

    doc_id: str
    title: str
    source: str
    format: str
    date: str | None
    author: str | None
    publisher: str | None
    description: str | None
    chunks: int
    chars: int
    text: str = ""
    blocks: list[Block] = field(default_factory=list)
    footnotes: dict[str, list[str]] = field(default_factory=dict)

    def block_at(self, start: int, end: int) -> Block | None:
        """The block (paragraph, list item...) that holds ``text[start:end]``."""
        for block in self.blocks:
            if block.start <= start and end <= block.end:
                return block
        return None


def date_int(date: str | None) -> int | None:
    """``2020-11-13`` → ``20201113``, for range filters."""
    if not date or len(date) < 10:
        return None
    try:
        return int(date[:10].replace("-", ""))
    except ValueError:
        return None


def make_client(path: str | None = None, url: str | None = None) -> Any:
    """An embedded Chroma at ``path``, or a Chroma server at ``url``; telemetry off."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if url:
        parsed = urlparse(url if "://" in url else f"http://{url}")
        try:
            client = chromadb.HttpClient(
                host=parsed.hostname or "127.0.0.1", port=parsed.port or 8000,
                ssl=parsed.scheme == "https", settings=settings,
            )
            client.heartbeat()
        except Exception as exc:  # the client raises several types for a server that is down
            raise StoreError(f"cannot reach the Chroma server at {url} ({exc.__class__.__name__}); is it running?") from None
        return client
    if path is None:
        raise StoreError("no store path or server URL configured")
    return chromadb.PersistentClient(path=path, settings=settings)


PRELOAD_THREAD = "preload-index"


def preload_index(client: Any, prefix: str = "") -> Any:
    """Start loading the chunks collection's vector index on a daemon thread; the thread, or None.

    A new process's first question waits for the index (~0.6 s on 225,000 chunks); loaded through a query
    it releases the GIL, so it runs while the rest of the program imports and builds. The client is made by
    the caller, on its own thread: Chroma caches one system per path, and two threads creating it at once
    would race. A store without a chunks collection is left alone; a failure here only loses the head start
    (the first question meets the same error and reports it)."""
    import contextlib
    import threading

    def load() -> None:
        with contextlib.suppress(Exception):  # a head start only; the real call reports any error
            collection = client.get_collection(prefix + CHUNKS, embedding_function=None)
            load_index(collection, int((collection.metadata or {}).get("embedding_dimension", 0)))

    thread = threading.Thread(target=load, name=PRELOAD_THREAD, daemon=True)
    thread.start()
    return thread


def load_index(collection: Any, dimension: int) -> None:
    """Have Chroma load ``collection``'s vector index now, by a one-result query. Not by ``count()``: on
    225,000 chunks it also loads the index but holds the GIL for its 0.55 s, so no other thread ran, where
    a query leaves it free (a busy Python loop beside it ran 6.7 M iterations, against 62 k)."""
    if dimension <= 0:
        return
    probe = [1.0] + [0.0] * (dimension - 1)
    collection.query(query_embeddings=[probe], n_results=1, include=[])


def recorded_model(client: Any, prefix: str = "") -> str | None:
    """The embedding model a store was built with; None when it has no chunks collection yet."""
    try:
        collection = client.get_collection(prefix + CHUNKS, embedding_function=None)
    except Exception:  # chromadb raises NotFoundError or ValueError, depending on version and backend
        return None
    model = (collection.metadata or {}).get("embedding_model")
    return str(model) if model else None


def _is_connection_error(exc: BaseException) -> bool:
    try:
        import httpx

        if isinstance(exc, httpx.TransportError):
            return True
    except ImportError:  # pragma: no cover - httpx comes with chromadb
        pass
    name = exc.__class__.__name__
    return isinstance(exc, ConnectionError | TimeoutError) or "Connect" in name or "Timeout" in name


F = TypeVar("F", bound=Callable[..., Any])


def _server_errors(method: F) -> F:
    """Turn a lost Chroma server into a StoreError that names it; the next call reconnects."""

    @functools.wraps(method)
    def wrapper(self: ChunkStore, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except StoreError:
            raise
        except Exception as exc:
            if self.url and _is_connection_error(exc):
                raise StoreError(
                    f"lost the Chroma server at {self.url} ({exc.__class__.__name__}); is it running?"
                ) from None
            raise

    return wrapper  # type: ignore[return-value]


class ChunkStore:
    """Reads and writes chunks and documents; refuses a store built with another embedding model."""

    def __init__(self, client: Any, *, model: str, dimension: int, prefix: str = "", url: str | None = None) -> None:
        self.url = url
        self.client = client
        self.model = model
        self._chunks_name = prefix + CHUNKS
        self.dimension = dimension
        meta = {"embedding_model": model, "embedding_dimension": dimension, "schema_version": SCHEMA_VERSION}
        try:
            self.chunks = client.get_or_create_collection(
                prefix + CHUNKS, metadata=meta, embedding_function=None,
                configuration={"hnsw": {"space": "cosine"}},
            )
            self.documents = client.get_or_create_collection(
                prefix + DOCUMENTS, metadata={"schema_version": SCHEMA_VERSION}, embedding_function=None,
            )
        except Exception as exc:
            raise StoreError(f"cannot open the Chroma collections ({exc.__class__.__name__}: {exc})") from None
        stored = self.chunks.metadata or {}
        if stored.get("embedding_model") != model or int(stored.get("embedding_dimension", -1)) != dimension:
            raise ModelMismatchError(
                f"the store was built with embedding model {stored.get('embedding_model')!r} "
                f"({stored.get('embedding_dimension')} dimensions) but {model!r} ({dimension}) is configured; "
                "use the same model, or a new BRIEFING_HOME / collection"
            )
        self._batch = max(1, min(int(client.get_max_batch_size()), 2000))

    # writing

    @_server_errors
    def write_document(self, doc_id: str, doc: ParsedDocument, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        """Write a document's chunks, then its record (see :meth:`write_documents`)."""
        self.write_documents([(doc_id, doc, chunks, vectors)])

    @_server_errors
    def write_documents(self, items: Sequence[tuple[str, ParsedDocument, Sequence[Chunk], np.ndarray]]) -> None:
        """Write the chunks of several documents, then their records, in as few calls as possible.

        Records are written after all chunks, so a record's presence means its chunks are complete."""
        ids: list[str] = []
        texts: list[str] = []
        metadatas: list[dict[str, Any]] = []
        vectors: list[np.ndarray] = []
        records: list[tuple[str, str, dict[str, Any]]] = []
        for doc_id, doc, chunks, doc_vectors in items:
            if len(chunks) != len(doc_vectors):
                raise StoreError("chunk and vector counts differ")
            common = _doc_metadata(doc_id, doc)
            ids += [c.id for c in chunks]
            texts += [c.text for c in chunks]
            metadatas += [_chunk_metadata(c, common) for c in chunks]
            vectors.append(np.asarray(doc_vectors, dtype=np.float32))
            payload = {
                "text": doc.text,
                "blocks": [[b.start, b.end, b.kind, b.section, b.page] for b in doc.blocks],
                "footnotes": {k: list(v.urls) for k, v in doc.footnotes.items()},
            }
            records.append((doc_id, json.dumps(payload), {**common, "chunks": len(chunks), "chars": len(doc.text)}))
        if not items:
            return
        matrix = np.concatenate(vectors) if vectors else np.zeros((0, self.dimension), dtype=np.float32)
        for start in range(0, len(ids), self._batch):
            stop = start + self._batch
            self.chunks.upsert(ids=ids[start:stop], embeddings=matrix[start:stop], documents=texts[start:stop],
                               metadatas=metadatas[start:stop])
        for start in range(0, len(records), self._batch):
            part = records[start:start + self._batch]
            self.documents.upsert(ids=[r[0] for r in part], embeddings=[[1.0]] * len(part),
                                  documents=[r[1] for r in part], metadatas=[r[2] for r in part])
        self.bump_generation()

    @_server_errors
    def existing_documents(self, doc_ids: Sequence[str]) -> set[str]:
        """Which of these document ids have a record in the store."""
        if not doc_ids:
            return set()
        # Chroma refuses a get with repeated ids; two files with the same bytes share one id.
        return set(self.documents.get(ids=list(dict.fromkeys(doc_ids)), include=[])["ids"])

    @_server_errors
    def delete_document(self, doc_id: str) -> int:
        """Delete a document's chunks and record; returns the number of chunks deleted."""
        ids = self.chunk_ids(doc_id)
        for batch in _batches(ids, self._batch):
            self.chunks.delete(ids=batch)
        self.documents.delete(ids=[doc_id])
        self.bump_generation()
        return len(ids)

    @_server_errors
    def bump_generation(self) -> str:
        """Mark the store as changed, for every process that keeps an index derived from it."""
        meta = dict(self.client.get_collection(self._chunks_name, embedding_function=None).metadata or {})
        meta[GENERATION] = int(meta.get(GENERATION, 0)) + 1
        meta[GENERATION_TAG] = uuid.uuid4().hex[:12]
        # modify() replaces the whole metadata, so the model and schema keys go back in with it.
        self.chunks.modify(metadata=meta)
        return _generation(meta)

    @_server_errors
    def generation(self) -> str:
        """The store's current generation; it changes with every write and removal, by any process.

        Read fresh from the collection's metadata: 0.7 ms embedded, where ``count()`` took ~16 ms on
        225,000 chunks. A store written before generations existed reads as ``"0"``."""
        meta = self.client.get_collection(self._chunks_name, embedding_function=None).metadata or {}
        return _generation(meta)

    # reading

    @_server_errors
    def is_current(self) -> bool:
        """Whether Chroma still holds the chunks collection this store was opened on: another process may
        have removed it (`briefing collections --remove`), or removed it and made a new one of that name,
        and every later call through this store would fail with Chroma's 'Collection [uuid] does not exist'."""
        try:
            return bool(self.client.get_collection(self._chunks_name, embedding_function=None).id == self.chunks.id)
        except Exception as exc:
            if _is_connection_error(exc):
                raise
            return False  # chromadb raises NotFoundError or ValueError, depending on version and backend

    @_server_errors
    def chunk_ids(self, doc_id: str) -> list[str]:
        return list(self.chunks.get(where={"doc_id": doc_id}, include=[])["ids"])

    @_server_errors
    def count(self) -> int:
        return int(self.chunks.count())

    @_server_errors
    def load_index(self) -> None:
        """Load the vector index now rather than in the first question (see :func:`load_index`)."""
        load_index(self.chunks, self.dimension)

    @_server_errors
    def document_ids(self) -> list[str]:
        return list(self.documents.get(include=[])["ids"])

    @_server_errors
    def has_document(self, doc_id: str) -> bool:
        return bool(self.documents.get(ids=[doc_id], include=[])["ids"])

    @_server_errors
    def list_documents(self) -> list[DocumentRecord]:
        got = self.documents.get(include=["metadatas"])
        records = [_record(i, m, None) for i, m in zip(got["ids"], got["metadatas"], strict=True)]
        return sorted(records, key=lambda r: (r.date or "", r.title))

    @_server_errors
    def get_document(self, doc_id: str) -> DocumentRecord | None:
        got = self.documents.get(ids=[doc_id], include=["metadatas", "documents"])
        if not got["ids"]:
            return None
        return _record(got["ids"][0], got["metadatas"][0], got["documents"][0])

    @_server_errors
    def get_chunks(self, ids: Sequence[str]) -> list[StoredChunk]:
        if not ids:  # Chroma refuses a get by an empty list of ids
            return []
        got = self.chunks.get(ids=list(ids), include=["documents", "metadatas"])
        by_id = {
            i: _stored_chunk(i, d, m, 0.0)
            for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        }
        return [by_id[i] for i in ids if i in by_id]

    @_server_errors
    def chunks_of(self, doc_ids: Sequence[str]) -> list[StoredChunk]:
        """Every chunk of these documents (text and metadata, no vectors)."""
        if not doc_ids:
            return []
        where = {"doc_id": doc_ids[0]} if len(doc_ids) == 1 else {"doc_id": {"$in": list(doc_ids)}}
        got = self.chunks.get(where=where, include=["documents", "metadatas"])
        return [_stored_chunk(i, d, m, 0.0) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)]

    def iter_chunks(self, batch: int = 5000) -> Iterator[StoredChunk]:
        """Every chunk (text and metadata, no vectors), for building the lexical index."""
        offset = 0
        while True:
            got = self.chunks.get(include=["documents", "metadatas"], limit=batch, offset=offset)
            if not got["ids"]:
                return
            for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
                yield _stored_chunk(i, d, m, 0.0)
            offset += len(got["ids"])

    @_server_errors
    def query(self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[StoredChunk]:
        """The ``k`` chunks nearest to ``vector``, best first; ``score`` is cosine similarity."""
        if k <= 0:
            return []
        got = self.chunks.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)], n_results=k, where=where or None,
            include=["documents", "metadatas", "distances"],
        )
        return [
            _stored_chunk(i, d, m, 1.0 - float(dist))
            for i, d, m, dist in zip(
                got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0], strict=True
            )
        ]


def _generation(meta: dict[str, Any]) -> str:
    return f"{int(meta.get(GENERATION, 0))}" + (f"-{meta[GENERATION_TAG]}" if meta.get(GENERATION_TAG) else "")


def _batches(items: Sequence[Any] | range, size: int) -> Iterator[list[Any]]:
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _doc_metadata(doc_id: str, doc: ParsedDocument) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "doc_id": doc_id,
        "title": doc.title or _fallback_title(doc.source),
        "source": doc.source,
        "format": doc.format,
    }
    for key in ("date", "author", "publisher", "description"):
        value = getattr(doc, key)
        if value:
            meta[key] = value
    if (d := date_int(doc.date)) is not None:
        meta["date_int"] = d
    return meta


def _fallback_title(source: str) -> str:
    return source.rsplit("/", 1)[-1]


def _chunk_metadata(chunk: Chunk, common: dict[str, Any]) -> dict[str, Any]:
    meta = {k: v for k, v in common.items() if k in ("doc_id", "title", "source", "date", "date_int")}
    meta.update({"index": chunk.index, "start": chunk.start, "end": chunk.end})
    if chunk.section:
        meta["section"] = chunk.section
    if chunk.page is not None:
        meta["page"] = chunk.page
    if chunk.footnotes:
        meta["footnotes"] = json.dumps({k: list(v) for k, v in chunk.footnotes.items()})
    return meta


def _stored_chunk(chunk_id: str, text: str, meta: dict[str, Any], score: float) -> StoredChunk:
    return StoredChunk(
        id=chunk_id, doc_id=str(meta["doc_id"]), index=int(meta["index"]), text=text,
        start=int(meta["start"]), end=int(meta["end"]), title=str(meta.get("title", "")),
        source=str(meta.get("source", "")), date=meta.get("date"), section=meta.get("section"),
        page=meta.get("page"), footnotes=json.loads(meta["footnotes"]) if meta.get("footnotes") else {},
        score=score,
    )


def _record(doc_id: str, meta: dict[str, Any], payload: str | None) -> DocumentRecord:
    record = DocumentRecord(
        doc_id=doc_id, title=str(meta.get("title", "")), source=str(meta.get("source", "")),
        format=str(meta.get("format", "")), date=meta.get("date"), author=meta.get("author"),
        publisher=meta.get("publisher"), description=meta.get("description"),
        chunks=int(meta.get("chunks", 0)), chars=int(meta.get("chars", 0)),
    )
    if payload:
        data = json.loads(payload)
        record.text = data["text"]
        record.blocks = [Block(kind=k, start=s, end=e, section=sec, page=p) for s, e, k, sec, p in data["blocks"]]
        record.footnotes = data.get("footnotes", {})
    return record
