"""The ``briefing`` command line. User errors end as one line on stderr and a non-zero exit."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import LLMError
from ingest.errors import BriefingError

if TYPE_CHECKING:
    from assistant.build import Workspace
    from assistant.retrieval import Filters
    from assistant.settings import Settings

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "ingest" / "samples"
EXIT_USER_ERROR = 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefing", description="Cited answers and briefings over your reports.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="add files or folders (recursively) to the store")
    p.add_argument("paths", nargs="*", type=Path, help="files or folders")
    p.add_argument("--sample", action="store_true", help="ingest the bundled sample report")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    _add_collection(p, creates=True)

    p = sub.add_parser("ask", help="answer a question with cited passages")
    p.add_argument("question", help="the question, or - to read one question per line from stdin")
    p.add_argument("-k", type=int, default=None, help="number of passages to retrieve")
    p.add_argument("--json", action="store_true", help="print the answer object as JSON")
    _add_filters(p)
    _add_collection(p)

    p = sub.add_parser("brief", help="write a short cited briefing on a topic")
    p.add_argument("topic")
    p.add_argument("--words", type=int, default=390, help="about how many words the whole briefing has")
    p.add_argument("--json", action="store_true")
    p.add_argument("--out", type=Path, default=None, help="also write the briefing to FILE.md or FILE.docx")
    # assistant.engine.ANSWER_MODES, written out: the engine is not imported before a command needs it
    p.add_argument("--mode", choices=("extractive", "llm"), default=None,
                   help="who writes the page: extractive quotes offline; llm has the configured chat model write it, "
                   "every sentence checked (default: BRIEFING_ANSWER__MODE)")
    _add_filters(p)
    _add_collection(p)

    p = sub.add_parser("serve", help="serve the Gradio chat")
    p.add_argument("--host", default=None, help="bind address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="port (default 7860)")
    p.add_argument("--auth", default=None, help="user:password to require a login; visible in the process list, "
                   "so for local use only (prefer --auth-file or BRIEFING_SERVER__AUTH)")
    p.add_argument("--auth-file", type=Path, default=None, help="a file whose first line is user:password "
                   "(or BRIEFING_SERVER__AUTH_FILE)")
    p.add_argument("--with-sample", action="store_true", help="ingest the bundled sample first if it is missing")

    p = sub.add_parser("sources", help="list the ingested documents")
    p.add_argument("--json", action="store_true")
    _add_collection(p)

    p = sub.add_parser("remove", help="remove a document by id (or id prefix) or file path")
    p.add_argument("document")
    _add_collection(p)

    p = sub.add_parser("collections", help="list the collections (name, documents, chunks, date range), or remove one")
    p.add_argument("--remove", metavar="NAME", default=None, help="delete collection NAME and all its documents")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("eval", help="measure answer grounding: our assistant on a question set, or any answers file")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--set", dest="dataset", default=None,
                     help="a built-in set (isw_report, news_conflict, unseen_qa) or a JSONL path, answered by the assistant")
    src.add_argument("--answers", type=Path, default=None,
                     help="JSONL of another system's answers: question, answer with [n] markers, passages")
    src.add_argument("--briefings", type=Path, default=None,
                     help="JSONL of briefings to score: topic, briefing with [n] markers, passages or citations")
    src.add_argument("--briefing-set", default=None,
                     help="write our own briefings on a built-in topic set (briefing_topics; needs --corpus) and score them")
    src.add_argument("--calibration", action="store_true", help="only report the verifier's agreement with the labels")
    # Not in the group: it is fitted on --set's tune half (eval.cli.check_options refuses the other sources).
    p.add_argument("--fit-ranker", action="store_true",
                   help="re-fit the answer ranker and its abstention threshold on the tune half of --set "
                        "(default unseen_qa and unseen_qa2) and write assistant/data/answer_ranker.json")
    p.add_argument("--confidence-only", action="store_true",
                   help="with --fit-ranker: keep the shipped ranker and threshold, re-fit only the answers' confidence")
    src.add_argument("--calibrate-abstention", action="store_true",
                     help="sweep the extractive answerer's abstention threshold over the built-in sets")
    p.add_argument("--fit", action="store_true", help="with --calibration: re-fit the proxy's combination on the tune half of claims.jsonl and write its weights file")
    p.add_argument("--extra", type=Path, action="append", default=[], help="also ingest these files or folders (distractors)")
    p.add_argument("--extra-limit", type=int, default=None, help="ingest at most this many extra files")
    p.add_argument("--corpus", type=Path, default=None,
                   help="the unpacked news-2020 _posts folder, for sets asked over its articles (unseen_qa)")
    p.add_argument("--split", choices=["tune", "test"], default=None,
                   help="only this half of a set (thresholds and weights are chosen on tune; report test)")
    p.add_argument("--dump", type=Path, default=None, help="write each question's answer and verdict here (JSONL)")
    p.add_argument("--retriever", choices=["default", "dense"], default="default", help="dense = Chroma only (baseline)")
    p.add_argument("-k", type=int, default=None, help="passages retrieved per question")
    p.add_argument("--report", type=Path, default=None, help="write a Markdown report with plots here")
    p.add_argument("--words", type=int, default=390, help="with --briefing-set: the briefing length asked for")
    p.add_argument("--json", action="store_true", help="print one metrics object as the last line")
    return parser


def _add_collection(p: argparse.ArgumentParser, *, creates: bool = False) -> None:
    p.add_argument("--collection", default=None, metavar="NAME",
                   help="the collection to use (default: BRIEFING_COLLECTION, else 'default')"
                   + ("; created if it does not exist" if creates else ""))


def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--doc", action="append", default=[], help="only this document id (repeatable)")
    p.add_argument("--since", default=None, help="only documents dated on or after YYYY-MM-DD")
    p.add_argument("--until", default=None, help="only documents dated on or before YYYY-MM-DD")


# Commands that change nothing on disk once they have printed, so the program may end without the
# interpreter's teardown: freeing a loaded vector index, the model and ~700 MB of objects one by one
# took 0.23-0.25 s of a 1.66 s cold `briefing ask` on the full news corpus (225,000 chunks).
READ_ONLY_COMMANDS = frozenset({"ask", "brief", "sources"})


def run() -> None:
    """The ``briefing`` program: :func:`main` on the command line, then the exit.

    Read-only commands exit at once with ``os._exit`` after flushing their output; every file they
    write (``brief --out``, the lexical index's catch-up) is closed or committed before it returns."""
    args = build_parser().parse_args()
    code = execute(args)
    if args.command not in READ_ONLY_COMMANDS:
        sys.exit(code)
    sys.stdout.flush()
    sys.stderr.flush()
    # A command that failed early may leave the index preload mid-query: let Chroma finish it first.
    import threading

    from ingest.store import PRELOAD_THREAD

    for thread in threading.enumerate():
        if thread.name == PRELOAD_THREAD:
            thread.join(timeout=30)
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command in this process and return its exit code (the in-process entry tests use)."""
    return execute(build_parser().parse_args(argv))


def execute(args: argparse.Namespace) -> int:
    _quiet_libraries()
    try:
        return int(COMMANDS[args.command](args) or 0)
    except BriefingError as exc:
        print(f"briefing: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except (ValueError, OSError) as exc:
        print(f"briefing: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("briefing: interrupted", file=sys.stderr)
        return 130


def _quiet_libraries() -> None:
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _settings() -> Settings:
    from assistant.settings import Settings

    return Settings()  # type: ignore[call-arg]  # fields come from the environment


def _collection_settings(args: argparse.Namespace | None, settings: Settings | None = None) -> Settings:
    """The settings of the collection ``--collection`` (or BRIEFING_COLLECTION) names."""
    from assistant.collections import settings_for

    settings = settings or _settings()
    return settings_for(settings, getattr(args, "collection", None) or settings.collection)


def _preload_index(settings: Settings) -> None:
    """Start loading an embedded store's vector index now, while the assistant's modules import and build.

    On the full news corpus the index load (~0.6 s alone) then runs beside the ~0.4 s of imports, model
    and lexical tables that came before it. A server holds its own index; a missing store is not
    created here."""
    if settings.chroma_url or not settings.store_path.exists():
        return
    from ingest.store import make_client, preload_index

    preload_index(make_client(path=str(settings.store_path)), settings.store_prefix)


def _workspace(settings: Settings | None = None, args: argparse.Namespace | None = None, *,
               create: bool = False) -> Workspace:
    """The workspace of the collection ``--collection`` (or BRIEFING_COLLECTION) names; one that does not
    exist is an error unless ``create``."""
    from assistant.build import build
    from assistant.collections import require

    settings = _collection_settings(args, settings)
    if not create:
        require(settings, settings.collection)
    return build(settings)


def _filters(args: argparse.Namespace) -> Filters | None:
    from assistant.retrieval import Filters, iso_day

    # Only YYYY-MM-DD, as the web UI takes (``iso_day``).
    dates: dict[str, str | None] = {}
    for name in ("since", "until"):
        value = (getattr(args, name) or "").strip()
        try:
            dates[name] = iso_day(value)
        except ValueError:
            raise BriefingError(f"--{name} {value!r} is not a date as YYYY-MM-DD (e.g. 2021-03-05)") from None
    if not (args.doc or dates["since"] or dates["until"]):
        return None
    return Filters(doc_ids=tuple(args.doc), since=dates["since"], until=dates["until"])


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def cmd_ingest(args: argparse.Namespace) -> int:
    paths = list(args.paths) + ([SAMPLE_DIR] if args.sample else [])
    if not paths:
        raise BriefingError("give one or more files or folders to ingest (or --sample)")
    for path in paths:
        if not path.exists():
            raise BriefingError(f"{path}: no such file or directory")
    report = _workspace(args=args, create=True).corpus.ingest(paths, progress=_progress_bar() if not args.json else None)
    if args.json:
        _print_json({
            "added": report.count("added"), "updated": report.count("updated"),
            "unchanged": report.count("unchanged"), "failed": report.count("failed"),
            "skipped": report.count("skipped"), "chunks": report.chunks, "seconds": round(report.seconds, 2),
            "failures": [{"path": f.path, "reason": f.reason} for f in report.failures],
        })
    else:
        for outcome in report.outcomes:
            if outcome.status in ("failed", "skipped"):
                print(f"{outcome.status}: {outcome.reason}", file=sys.stderr)
        print(report.summary())
    return 1 if report.failures and not (report.count("added") or report.count("updated") or report.count("unchanged")) else 0


def _progress_bar() -> Any:
    """A tqdm bar on a terminal; in a log (not a terminal), one plain line a minute."""
    from tqdm import tqdm

    bar: dict[str, Any] = {}
    interactive = sys.stderr.isatty()

    def update(done: int, total: int, current: str, chunks: int) -> None:
        if not interactive:
            now = time.monotonic()
            if done >= total or "last" not in bar or now - bar["last"] >= 60:
                bar["last"] = now
                print(f"ingest: {done:,}/{total:,} files, {chunks:,} chunks", file=sys.stderr, flush=True)
            return
        if "bar" not in bar:
            bar["bar"] = tqdm(total=total, unit="file", desc="ingest", file=sys.stderr)
        b = bar["bar"]
        b.n = done
        b.set_postfix_str(f"{chunks} chunks" + (f", {Path(current).name[:40]}" if current else ""), refresh=True)
        if done >= total:
            b.close()

    return update


def cmd_ask(args: argparse.Namespace) -> int:
    filters = _filters(args)
    settings = _collection_settings(args)
    _preload_index(settings)
    assistant = _workspace(settings, args).assistant
    assistant.warm_up()  # the model and the vector index load side by side, not one after the other
    if args.question == "-":
        return _ask_lines(assistant, _stdin_lines(), args, filters)
    answer = assistant.ask(args.question, k=args.k, filters=filters)
    if args.json:
        _print_json(answer.model_dump())
    else:
        _print_answer(answer)
    return 0


# What can go wrong with one question and not the next (a chat model's timeout, a line that is not UTF-8): in
# stdin mode such a line is reported and the rest are still answered. A store that is empty, locked or built
# with another model fails every line alike, and still ends the command.
PER_QUESTION_ERRORS = (LLMError, ValueError)


def _stdin_lines() -> Iterator[bytes | str]:
    """Standard input line by line, as bytes where it has them: each line is decoded on its own, so one line
    that is not UTF-8 fails alone (the text stream had failed the whole read, lines before it included)."""
    buffer = getattr(sys.stdin, "buffer", None)
    return iter(buffer if buffer is not None else sys.stdin)


def _question(line: bytes | str) -> str:
    """The question a line of stdin holds ("" for a blank line)."""
    try:
        text = line.decode("utf-8") if isinstance(line, bytes) else line
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text (byte {exc.start + 1})") from None
    # A BOM (Windows editors, PowerShell pipes) is no part of the question; CRLF and blank lines are not either.
    return text.replace("\ufeff", "").strip()


def _ask_lines(assistant: Any, lines: Iterable[bytes | str], args: argparse.Namespace, filters: Filters | None) -> int:
    """Answer one question per line; a line that fails is reported (in JSON, as an object with ``line`` and
    ``error`` in the answer's place) and the exit code says some failed."""
    failed = 0
    for number, line in enumerate(lines, start=1):
        question: str | None = None
        try:
            question = _question(line)
            if not question:
                continue
            answer = assistant.ask(question, k=args.k, filters=filters)
        except PER_QUESTION_ERRORS as exc:
            failed += 1
            if args.json:
                _print_json({"question": question, "line": number, "error": str(exc)})
            else:
                print(f"briefing: error: line {number}: {exc}", file=sys.stderr, flush=True)
            continue
        if args.json:
            _print_json(answer.model_dump())
        else:
            _print_answer(answer)
    return EXIT_USER_ERROR if failed else 0


def _print_answer(answer: Any) -> None:
    if answer.weak_match:
        print(f"Weak match (confidence {answer.confidence:.2f}): the quoted passage may not answer the question.\n")
    print(answer.answer)
    if answer.missing_parts:
        print("\nNot found in the reports: " + "; ".join(answer.missing_parts) + ".")
    if answer.unquoted_parts:
        print("\nNot quoted within the word limit (ask on its own): " + "; ".join(answer.unquoted_parts) + ".")
    if (note := answer.confidence_note()) is not None:
        print("\n" + note)
    for c in answer.citations:
        where = c.where()
        print(f"\n[{c.marker}] {c.title}" + (f" ({where})" if where else ""))
        print(f"    \u201c{c.text}\u201d")
        for url in c.origin:
            print(f"    source: {url}")
    print()


def cmd_brief(args: argparse.Namespace) -> int:
    result = _workspace(args=args).assistant.brief(args.topic, words=args.words, filters=_filters(args),
                                                   mode=args.mode)
    if args.out:
        from assistant.export import briefing_docx, briefing_markdown

        if args.out.suffix.lower() == ".docx":
            args.out.write_bytes(briefing_docx(result))
        elif args.out.suffix.lower() in (".md", ".markdown"):
            args.out.write_text(briefing_markdown(result), encoding="utf-8")
        else:
            raise BriefingError(f"{args.out}: --out takes a .md or .docx file")
        print(f"briefing written to {args.out}", file=sys.stderr)
    if args.json:
        _print_json(result.model_dump())
        return 0
    print(result.briefing)
    if result.flags:
        from assistant.export import checks_line

        print("\n" + checks_line(result.flags))
    print()
    for c in result.citations:
        print(f"[{c.marker}] {c.title} ({c.where() or 'undated'}): \u201c{c.text}\u201d")
    return 0


def cmd_sources(args: argparse.Namespace) -> int:
    docs = _workspace(args=args).corpus.documents()
    if args.json:
        _print_json([{"id": d.doc_id, "title": d.title, "date": d.date, "chunks": d.chunks, "source": d.source} for d in docs])
        return 0
    if not docs:
        print("no documents; run `briefing ingest PATH`")
        return 0
    for d in docs:
        print(f"{d.doc_id}  {d.date or 'undated':10}  {d.chunks:5} chunks  {d.title}")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    doc_id, chunks = _workspace(args=args).corpus.remove(args.document)
    print(f"removed {doc_id} ({chunks} chunks)")
    return 0


def cmd_collections(args: argparse.Namespace) -> int:
    from assistant.build import build, make_embedder
    from assistant.collections import collection_names, remove_collection, settings_for, summarize

    settings = _settings()
    if args.remove:
        remove_collection(settings, args.remove)
        print(f"removed collection {args.remove}")
        return 0
    embedder = make_embedder(settings)
    summaries = [summarize(build(settings_for(settings, name), embedder=embedder))
                 for name in collection_names(settings)]
    if args.json:
        _print_json([s.as_dict() for s in summaries])
        return 0
    for s in summaries:
        span = f"{s.first_date} to {s.last_date}" if s.first_date else "undated"
        print(f"{s.name:24} {s.documents:6} documents {s.chunks:7} chunks  {span}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    settings = _settings()
    server = settings.server
    if args.host:
        server.host = args.host
    if args.port:
        server.port = args.port
    if args.auth:
        print("briefing: warning: --auth puts the password in the process list, where every local user can read "
              "it; use --auth-file or BRIEFING_SERVER__AUTH", file=sys.stderr)
        server.auth = args.auth
    if args.auth_file:
        server.auth_file = args.auth_file
    if server.auth_file and not server.auth:
        try:
            lines = server.auth_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise BriefingError(f"{server.auth_file}: cannot read the auth file ({exc.strerror})") from None
        users = [line.strip() for line in lines if line.strip()]
        if not users or any(":" not in u for u in users):
            raise BriefingError(f"{server.auth_file}: each line must be user:password")
        server.auth = "\n".join(users)  # one login per line; each user sees only their own conversations
    if server.auth and ":" not in server.auth:
        raise BriefingError("--auth takes user:password")
    workspace = _workspace(settings)
    if args.with_sample:
        report = workspace.corpus.ingest([SAMPLE_DIR])
        print(report.summary(), file=sys.stderr)
    workspace.assistant.warm_up()  # so the first visitor does not wait for the model and the index
    from ui.web import launch

    launch(workspace)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from eval.cli import run_eval

    return run_eval(args, _settings())


COMMANDS = {
    "eval": cmd_eval,
    "ingest": cmd_ingest,
    "ask": cmd_ask,
    "brief": cmd_brief,
    "serve": cmd_serve,
    "sources": cmd_sources,
    "collections": cmd_collections,
    "remove": cmd_remove,
}


if __name__ == "__main__":
    run()
