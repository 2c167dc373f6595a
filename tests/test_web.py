"""The Gradio app built by create_app, served on 127.0.0.1 and called through gradio_client."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.server]


@pytest.fixture(scope="module")
def served(sample_workspace) -> Iterator[str]:  # type: ignore[no-untyped-def]
    from ui.web import create_app, launch_options

    app = create_app(sample_workspace)
    app.queue(max_size=8, default_concurrency_limit=2)
    _, url, _ = app.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True,
                           max_file_size="5mb", **launch_options(sample_workspace))
    yield url
    app.close()


def _reply_text(history: list) -> str:  # type: ignore[type-arg]
    reply = history[-1]["content"]
    return reply[0]["text"] if isinstance(reply, list) else reply


def test_ask_api(served: str) -> None:
    from gradio_client import Client

    client = Client(served, verbose=False)
    history, cleared, panel = client.predict(
        "How many Russian peacekeepers will deploy, and for how long?", [], api_name="/ask"
    )
    text = _reply_text(history)
    assert "1,960" in text and 'href="#cite-1"' in text
    assert cleared == ""
    assert "<mark>" in panel and "1,960 troops" in panel and "function.mil.ru" in panel


def test_ask_api_follow_up_uses_history(served: str) -> None:
    from gradio_client import Client

    client = Client(served, verbose=False)
    history, _, _ = client.predict("How many Russian peacekeepers will deploy, and for how long?", [],
                                   api_name="/ask")
    history, _, panel = client.predict("And who was left out of the peacekeeping?", history, api_name="/ask")
    assert len(history) == 4
    assert [m["role"] for m in history] == ["user", "assistant", "user", "assistant"]
    reply = _reply_text(history)
    # the second turn's footnotes point at the second turn's passages
    assert "cite-scope-t2" in reply and 'id="cite-t2-1"' in panel
    # the follow-up's own words lead: answered from the passage on who is excluded, not a repeat of the troops
    assert "Turkish" in reply and "1,960" not in reply


def test_ask_api_escapes_question(served: str) -> None:
    from gradio_client import Client

    client = Client(served, verbose=False)
    history, _, _ = client.predict("<img src=x onerror=alert(1)> peacekeepers?", [], api_name="/ask")
    question = history[0]["content"]
    question = question[0]["text"] if isinstance(question, list) else question
    assert "<img" not in question and "&lt;img" in question


def test_brief_api(served: str) -> None:
    from gradio_client import Client

    client = Client(served, verbose=False)
    markdown, download = client.predict("Turkey's gains", api_name="/brief")
    assert "Bottom line" in markdown and "#cite-1" in markdown
    assert download
    text = Path(download).read_text(encoding="utf-8")
    assert "[^1]:" in text and "Bottom line" in text


def test_only_ask_brief_and_saved_conversations_are_public(served: str) -> None:
    from gradio_client import Client

    client = Client(served, verbose=False)
    info = client.view_api(return_format="dict", print_info=False)
    assert set(info["named_endpoints"]) == {"/ask", "/brief", "/conversations", "/conversation"}
    assert [p["parameter_name"] for p in info["named_endpoints"]["/conversations"]["parameters"]] == []
    assert [p["parameter_name"] for p in info["named_endpoints"]["/conversation"]["parameters"]] == ["conversation_id"]
    assert [p["parameter_name"] for p in info["named_endpoints"]["/ask"]["parameters"]] == ["question", "history"]
    assert [p["parameter_name"] for p in info["named_endpoints"]["/brief"]["parameters"]] == ["topic"]
    assert not info["unnamed_endpoints"]


def _get(url: str, path: str) -> tuple[int, bytes]:
    host, port = url.split("//", 1)[1].rstrip("/").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request("GET", path)  # sent as written: no client-side normalisation of ../ or %2e
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


TRAVERSALS = [
    "/gradio_api/file=../../../../etc/passwd",
    "/gradio_api/file=%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/gradio_api/file=%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/gradio_api/file=..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/gradio_api/file=/etc/passwd",
    "/gradio_api/file=%2fetc%2fpasswd",
    "/file=../../../../etc/passwd",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_file_route_refuses_traversal(served: str, path: str) -> None:
    status, body = _get(served, path)
    assert status in (403, 404) or b"root:" not in body, (status, body[:200])
    assert b"root:x:" not in body and b"root:*:" not in body


def test_file_route_refuses_the_data_directory(served: str, sample_workspace) -> None:  # type: ignore[no-untyped-def]
    target = Path(sample_workspace.settings.home) / "chroma" / "chroma.sqlite3"
    assert target.is_file()
    head = target.read_bytes()[:16]  # "SQLite format 3\0"
    ups = "../" * 12
    probes = [
        f"/gradio_api/file={target}",
        f"/gradio_api/file={ups}{str(target).lstrip('/')}",
        f"/gradio_api/file={ups.replace('..', '%2e%2e')}{str(target).lstrip('/')}",
        f"/gradio_api/file={sample_workspace.settings.home}/ledger.sqlite",
    ]
    for path in probes:
        status, body = _get(served, path)
        assert status in (403, 404), (path, status)
        assert head not in body


REMOTE_FILES = [
    "/gradio_api/file=http://dns.google/",
    "/gradio_api/file=https://example.com/x.png",
    "/gradio_api/file=http%3A%2F%2Fexample.com%2Fx.png",
    "/gradio_api/file=%2568ttp%253A%252F%252Fexample.com%252F",
    "/file=http://127.0.0.2:9/",
    "/gradio_api/file=HTTP://EXAMPLE.COM/",
]


@pytest.mark.parametrize("path", REMOTE_FILES)
def test_file_route_fetches_no_url(served: str, path: str) -> None:
    """Gradio's file route would fetch a URL for any client (and look up dns.google on the way)."""
    status, body = _get(served, path)
    assert status == 403, (path, status, body[:200])
    assert b"does not fetch URLs" in body
