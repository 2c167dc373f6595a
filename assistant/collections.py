"""Named collections: separate corpora in one store, each a :class:`~assistant.build.Workspace` of its own.

A collection is a pair of Chroma collections (``<name>--briefing_chunks``, ``<name>--briefing_documents``;
the default collection keeps the unprefixed names a store had before collections), a lexical index
under ``home/lexical/`` and a ledger under ``home/collections/<name>/``. Nothing is shared between two
collections but the embedding model, so the same file ingested into two of them is two documents, kept
apart. Chroma's own list of collections is the registry: there is no second list to fall out of step.
"""

from __future__ import annotations

import re
import shutil
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.settings import COLLECTION_NAME, COLLECTION_SEPARATOR, DEFAULT_COLLECTION, Settings
from ingest.errors import BriefingError

if TYPE_CHECKING:
    from assistant.build import Workspace
    from ingest.embeddings import Embedder

_NAME = re.compile(COLLECTION_NAME)


@dataclass(frozen=True)
class CollectionSummary:
    name: str
    documents: int
    chunks: int
    first_date: str | None
    last_date: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "documents": self.documents, "chunks": self.chunks,
                "first_date": self.first_date, "last_date": self.last_date}


def check_name(name: str) -> str:
    """``name`` if it can name a collection, else a BriefingError saying what a name may hold."""
    if not _NAME.match(name or "") or len(name) > 32:
        raise BriefingError(f"{name!r} is not a collection name: use up to 32 lower-case letters and digits, "
                            "words joined by single - or _ (like news-2020)")
    return name


def settings_for(settings: Settings, name: str) -> Settings:
    """A copy of ``settings`` that reads and writes collection ``name``."""
    return settings.model_copy(update={"collection": check_name(name)})


def collection_names(settings: Settings) -> list[str]:
    """The collections the store holds, the default one first (it exists even while empty)."""
    from ingest.store import CHUNKS, make_client

    names = {DEFAULT_COLLECTION}
    if settings.chroma_url or settings.store_path.exists():
        client = make_client(path=None if settings.chroma_url else str(settings.store_path), url=settings.chroma_url)
        pattern = re.compile(re.escape(settings.collection_prefix) + r"(.+)" + re.escape(COLLECTION_SEPARATOR + CHUNKS) + "$")
        for collection in client.list_collections():
            match = pattern.match(getattr(collection, "name", collection))
            if match and _NAME.match(match.group(1)):
                names.add(match.group(1))
    return sorted(names, key=lambda n: (n != DEFAULT_COLLECTION, n))


def require(settings: Settings, name: str) -> str:
    """``name`` if the store holds that collection; otherwise an error that lists the ones it does."""
    check_name(name)
    names = collection_names(settings)
    if name not in names:
        raise BriefingError(f"no collection named {name!r}; the store holds: {', '.join(names)} "
                            f"(`briefing ingest --collection {name} PATH` creates it)")
    return name


def summarize(workspace: Workspace) -> CollectionSummary:
    docs = workspace.corpus.documents()
    dates = sorted(d.date for d in docs if d.date)
    return CollectionSummary(workspace.settings.collection, len(docs), sum(d.chunks for d in docs),
                             dates[0] if dates else None, dates[-1] if dates else None)


def remove_collection(settings: Settings, name: str) -> None:
    """Delete a collection: its Chroma collections, lexical index and ledger. The default one stays."""
    from ingest.pipeline import write_lock
    from ingest.store import CHUNKS, DOCUMENTS, make_client

    require(settings, name)
    if name == DEFAULT_COLLECTION:
        raise BriefingError("the default collection cannot be removed; remove its documents with `briefing remove`")
    target = settings_for(settings, name)
    with write_lock(settings.home):
        client = make_client(path=None if settings.chroma_url else str(settings.store_path), url=settings.chroma_url)
        for suffix in (CHUNKS, DOCUMENTS):
            try:
                client.delete_collection(target.store_prefix + suffix)
            except Exception as exc:  # already gone (an interrupted earlier removal) is fine
                if "does not exist" not in str(exc).lower() and "not found" not in str(exc).lower():
                    raise
        for leftover in target.lexical_path.parent.glob(target.lexical_path.name + "*"):  # the index and its WAL
            leftover.unlink(missing_ok=True)
        shutil.rmtree(target.lexical_path.with_suffix(""), ignore_errors=True)  # an earlier version's folder
        shutil.rmtree(target.ledger_path.parent, ignore_errors=True)


class Collections:
    """One workspace per collection over one embedder, built when first asked for (the web app's selector).

    Workspaces are cached: a collection's assistant and corpus are built once per process."""

    def __init__(self, workspace: Workspace) -> None:
        self.settings = workspace.settings
        self.embedder: Embedder = workspace.embedder
        self.default = workspace.settings.collection
        self._workspaces: dict[str, Workspace] = {self.default: workspace}
        self._lock = threading.Lock()

    def names(self) -> list[str]:
        names = collection_names(self.settings)
        return names if self.default in names else [self.default, *names]

    def get(self, name: str | None) -> Workspace:
        """The workspace of an existing collection (``None``: the one the app started with)."""
        name = name or self.default
        cached = self._cached(name)
        if cached is not None:
            return cached
        require(self.settings, name)
        return self._build(name)

    def create(self, name: str) -> Workspace:
        """A new, empty collection (or the existing one of that name)."""
        return self._cached(name) or self._build(check_name(name))

    def forget(self, name: str) -> None:
        with self._lock:
            self._workspaces.pop(name, None)

    def _cached(self, name: str) -> Workspace | None:
        """The workspace built for ``name``, unless its collection was removed since by another process
        (the CLI beside the app): a stale one answered every later call, and every attempt to make the
        collection again, with Chroma's 'Collection [uuid] does not exist'."""
        with self._lock:
            cached = self._workspaces.get(name)
        if cached is None or cached.corpus.store.is_current():
            return cached
        self.forget(name)
        return None

    def _build(self, name: str) -> Workspace:
        from assistant.build import build

        with self._lock:
            if name not in self._workspaces:
                self._workspaces[name] = build(settings_for(self.settings, name), embedder=self.embedder)
            return self._workspaces[name]
