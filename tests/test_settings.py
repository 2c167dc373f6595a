"""Settings choose the embedding backend a store needs."""

from pathlib import Path

import pytest

from assistant.build import make_embedder, make_store, resolved_backend
from assistant.settings import EmbeddingSettings, Settings
from ingest.embeddings import DEFAULT_MODEL
from ingest.export import INT8_VARIANT
from ingest.store import ChunkStore, make_client


def build_store(home: Path, model: str) -> None:
    ChunkStore(make_client(path=str(home / "chroma")), model=model, dimension=384)


def test_auto_picks_int8_for_a_new_store_without_creating_one(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "h")
    assert resolved_backend(settings) == "onnx-int8"
    assert not (tmp_path / "h").exists()


@pytest.mark.parametrize(("recorded", "expected"), [(DEFAULT_MODEL, "onnx"), (f"{DEFAULT_MODEL}+{INT8_VARIANT}", "onnx-int8")])
def test_auto_follows_the_store(tmp_path: Path, recorded: str, expected: str) -> None:
    build_store(tmp_path / "h", recorded)
    settings = Settings(home=tmp_path / "h")
    assert resolved_backend(settings) == expected
    assert make_embedder(settings).name == recorded


def test_explicit_backend_is_kept_and_a_mismatch_is_refused(tmp_path: Path) -> None:
    from ingest.errors import ModelMismatchError

    build_store(tmp_path / "h", DEFAULT_MODEL)
    settings = Settings(home=tmp_path / "h", embedding=EmbeddingSettings(backend="onnx-int8"))
    assert resolved_backend(settings) == "onnx-int8"
    with pytest.raises(ModelMismatchError, match=INT8_VARIANT):
        make_store(settings, make_embedder(settings))


def test_unreachable_server_falls_through_to_the_store_error(tmp_path: Path) -> None:
    from ingest.errors import StoreError
    from tests.servers import free_port

    settings = Settings(home=tmp_path / "h", chroma_url=f"http://127.0.0.1:{free_port()}")
    assert resolved_backend(settings) == "onnx-int8"
    with pytest.raises(StoreError, match="cannot reach the Chroma server"):
        make_store(settings, make_embedder(settings))
