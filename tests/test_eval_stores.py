"""The store a built-in set is answered over holds exactly that set's documents."""

from __future__ import annotations

from pathlib import Path

from assistant.settings import Settings
from eval.runner import workspace_for_set
from ingest.embeddings import HashingEmbedder


def test_a_document_left_in_a_sets_store_is_removed_before_it_answers(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")  # type: ignore[call-arg]
    embedder = HashingEmbedder()
    workspace, _ = workspace_for_set("isw_report", settings, embedder)
    shipped = {d.doc_id for d in workspace.corpus.documents()}
    # an earlier version of the set's report, ingested from another checkout, left in the same store
    stale = tmp_path / "old-checkout" / "report.txt"
    stale.parent.mkdir()
    stale.write_text("Putin wins. An older draft of the report said 5,000 peacekeepers would deploy.", encoding="utf-8")
    workspace.corpus.ingest([stale])
    assert len(workspace.corpus.documents()) == len(shipped) + 1

    again, report = workspace_for_set("isw_report", settings, embedder)
    assert {d.doc_id for d in again.corpus.documents()} == shipped
    assert report is not None and report.count("unchanged") == len(shipped)  # the set's own files are not redone
