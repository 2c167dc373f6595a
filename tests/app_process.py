"""A long-lived app process for tests: built from the environment like `briefing serve`, driven by
JSON lines on stdin, one JSON answer per line on stdout.

    {"ingest": "/path"}  -> {"added": [doc_id, ...]}
    {"remove": "doc_id"} -> {"removed": doc_id}
    {"retrieve": "question", "k": 5} -> {"hybrid": [doc_id, ...], "lexical": [doc_id, ...]}

It uses the hashing embedder (no model load), so what it shows is the plumbing: the store, the
generation marker and the lexical index, which are the same whatever the embedding model.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from assistant.build import build
from ingest.embeddings import HashingEmbedder


def main() -> None:
    workspace = build(embedder=HashingEmbedder())
    retriever = workspace.assistant.retriever
    store = workspace.assistant.store
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        if "ingest" in command:
            report = workspace.corpus.ingest([Path(command["ingest"])])
            answer: dict[str, object] = {"added": [o.doc_id for o in report.outcomes if o.status == "added"]}
        elif "remove" in command:
            answer = {"removed": workspace.corpus.remove(command["remove"])[0]}
        else:
            k = int(command.get("k", 5))
            hybrid = [c.doc_id for c in retriever.retrieve(command["retrieve"], k)]
            # The lexical side alone, after the hybrid call caught the index up: dense retrieval reads
            # Chroma directly and would find a new document even with a stale lexical index.
            lexical = retriever.lexical.search(command["retrieve"], k)  # type: ignore[attr-defined]
            answer = {"hybrid": hybrid, "lexical": [c.doc_id for c in store.get_chunks([i for i, _ in lexical])]}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
