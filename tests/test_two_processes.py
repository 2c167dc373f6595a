"""Two app processes, each with its own BRIEFING_HOME, in front of one real Chroma server: what one
ingests or removes, the other's hybrid retrieval (its own lexical index included) reflects on its
next question."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from tests.servers import chroma_server

pytestmark = [pytest.mark.server, pytest.mark.slow]

ARTICLE = """{title}

2020-11-{day}

{body}
"""


class AppProcess:
    def __init__(self, home: Path, url: str, prefix: str) -> None:
        env = {**os.environ, "BRIEFING_HOME": str(home), "BRIEFING_CHROMA_URL": url,
               "BRIEFING_COLLECTION_PREFIX": prefix, "PYTHONPATH": str(REPO)}
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.app_process"], cwd=REPO, env=env, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert self._read() == {"ready": True}

    def _read(self) -> Any:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError(f"app process ended: {self.proc.stderr.read() if self.proc.stderr else ''}")
        return json.loads(line)

    def send(self, **command: Any) -> Any:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    with chroma_server(tmp_path / "chroma") as url:
        yield url


def article(folder: Path, name: str, title: str, body: str, day: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.md"
    path.write_text(ARTICLE.format(title=title, body=body, day=day), encoding="utf-8")
    return path


def test_a_document_ingested_or_removed_through_one_process_is_seen_by_the_other(server: str, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    one = AppProcess(tmp_path / "home-one", server, "shared_")
    two = AppProcess(tmp_path / "home-two", server, "shared_")
    try:
        one.send(ingest=str(article(docs, "a", "Lachin corridor", "Engineers repaired the corridor road.", 10)))
        one.send(ingest=str(article(docs, "b", "Hadrut depot", "Drones struck an ammunition depot.", 11)))
        question = "Which monastery did the Russian peacekeepers guard at Dadivank?"
        before = two.send(retrieve=question, k=3)  # two builds its own lexical index from the server
        assert len(before["hybrid"]) == 3 and len(set(before["lexical"])) == 0

        added = one.send(ingest=str(article(
            docs, "c", "Dadivank monastery", "Russian peacekeepers guard the Dadivank monastery in Kalbajar.", 12)))
        new_doc = added["added"][0]
        after = two.send(retrieve=question, k=3)
        assert after["hybrid"][0] == new_doc
        assert after["lexical"] and set(after["lexical"]) == {new_doc}
        assert not (tmp_path / "home-two" / "chroma").exists()  # the store is the server, not a local copy

        assert one.send(remove=new_doc) == {"removed": new_doc}
        gone = two.send(retrieve=question, k=3)
        assert new_doc not in gone["hybrid"] and new_doc not in gone["lexical"]
        # And the other way round: two writes, one reads.
        added = two.send(ingest=str(article(docs, "d", "Shusha cathedral", "The cathedral in Shusha was shelled.", 13)))
        assert one.send(retrieve="Shusha cathedral shelled", k=3)["lexical"][0] == added["added"][0]
    finally:
        one.close()
        two.close()
