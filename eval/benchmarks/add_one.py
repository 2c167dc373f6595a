"""Add one file to an existing store, then remove it again: end-to-end time and where it goes.

    BRIEFING_HOME=… python -m eval.benchmarks.add_one --file /tmp/news/_posts/2020-12-31-x.md

The store must exist (ingest a slice first). Opening the workspace first catches its lexical index
up with the store (on a store from an earlier version that is the one-off move to the incremental
index, timed and printed apart), so the add measures the increment alone: parse and chunk
(tokenise) in the sandboxed parser, embed, write to Chroma and the ledger, and the lexical index's
update. The file is removed again afterwards, so the store ends as it began; pass --keep to leave it.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, required=True, help="a file that is not in the store yet")
    parser.add_argument("--keep", action="store_true", help="leave the file in the store")
    args = parser.parse_args()
    if not args.file.is_file():  # a folder gave no outcome to read (IndexError), a missing path a traceback
        raise SystemExit(f"add_one: {args.file}: not a file; --file takes one file the store does not hold")

    from assistant.build import build

    started = time.perf_counter()
    workspace = build()
    store = workspace.assistant.store
    workspace.embedder.embed(["warm up"])  # the model load is the process's, not the file's
    opened = time.perf_counter() - started
    started = time.perf_counter()
    for index in workspace.corpus.indexes:
        index.sync(store)
    caught_up = time.perf_counter() - started
    docs, chunks = len(store.document_ids()), store.count()
    print(f"store: {docs:,} documents, {chunks:,} chunks; opened in {opened:.2f} s, lexical index caught up in "
          f"{caught_up:.2f} s")

    started = time.perf_counter()
    report = workspace.corpus.ingest([args.file])
    total = time.perf_counter() - started
    outcome = report.outcomes[0]
    if outcome.status != "added":
        raise SystemExit(f"{args.file}: {outcome.status} ({outcome.reason or 'already in the store'}); "
                         "pick a file the store does not hold")
    stages = ", ".join(f"{name} {report.timings.get(name, 0.0) * 1000:.0f} ms"
                       for name in ("parse", "chunk", "embed", "write", "index"))
    other = total - sum(report.timings.get(n, 0.0) for n in ("parse", "chunk", "embed", "write", "index"))
    stages += f", other {other * 1000:.0f} ms (hashing, ledger, starting the parser sandbox)"
    print(f"add one file ({outcome.chunks} chunks, {outcome.chars:,} characters): {total:.2f} s end to end; {stages}")
    if not args.keep:
        started = time.perf_counter()
        workspace.corpus.remove(outcome.doc_id or "")
        print(f"remove it again: {time.perf_counter() - started:.2f} s (store write and lexical update)")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
