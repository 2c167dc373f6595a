"""The ASGI guards in front of the web app, called directly (no server)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from ui.guards import RefuseRemoteFiles, is_remote_file_request


@pytest.mark.parametrize("path", [
    "/gradio_api/file=http://dns.google/", "/file=https://x.y/", "/gradio_api/file=HTTPS://X.Y/",
    "/gradio_api/file=http%3A%2F%2Fx.y%2F", "/gradio_api/file=%2568ttp%253A%252F%252Fx.y",
    "/gradio_api/file=//x.y/a", "/gradio_api/file=ftp://x.y/a", "/gradio_api/file= http://x.y/",
])
def test_urls_on_the_file_route_are_remote(path: str) -> None:
    assert is_remote_file_request(path)


@pytest.mark.parametrize("path", [
    "/gradio_api/file=/tmp/gradio/abc/report.md", "/gradio_api/file=tmp/x.png", "/gradio_api/upload",
    "/gradio_api/info", "/", "/gradio_api/file=/tmp/http/x.md",
])
def test_local_files_and_other_routes_pass(path: str) -> None:
    assert not is_remote_file_request(path)


def _call(guard_cls: type, path: str) -> tuple[int | None, bool]:
    reached: list[bool] = []
    sent: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        reached.append(True)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(), "headers": []}
    asyncio.run(guard_cls(app)(scope, receive, send))
    status = next((m["status"] for m in sent if m["type"] == "http.response.start"), None)
    return status, bool(reached)


def test_guard_answers_403_and_never_reaches_gradio() -> None:
    assert _call(RefuseRemoteFiles, "/gradio_api/file=http://dns.google/") == (403, False)
    assert _call(RefuseRemoteFiles, "/gradio_api/file=/tmp/x.md") == (None, True)


def _upload(body_chunks: list[bytes], length: int | None, max_bytes: int = 100) -> tuple[int | None, int]:
    from ui.guards import CapUploadRequests

    read: list[int] = []
    sent: list[dict[str, Any]] = []
    chunks = list(body_chunks)

    async def app(scope: Any, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            read.append(len(message.get("body", b"")))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def receive() -> dict[str, Any]:
        body = chunks.pop(0) if chunks else b""
        return {"type": "http.request", "body": body, "more_body": bool(chunks)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    headers = [] if length is None else [(b"content-length", str(length).encode())]
    scope = {"type": "http", "method": "POST", "path": "/gradio_api/upload", "headers": headers}
    asyncio.run(CapUploadRequests(app, max_bytes)(scope, receive, send))
    return next((m["status"] for m in sent if m["type"] == "http.response.start"), None), sum(read)


def test_upload_request_over_the_total_is_refused() -> None:
    assert _upload([b"x" * 60, b"x" * 60], 120) == (413, 0)  # declared: refused before reading
    assert _upload([b"x" * 60, b"x" * 60], None)[0] == 413  # undeclared: refused while reading
    assert _upload([b"x" * 60, b"x" * 60], 50)[0] == 413  # understated
    assert _upload([b"x" * 40, b"x" * 40], 80) == (200, 80)
