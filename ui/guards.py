"""ASGI middleware in front of the Gradio app: what Gradio itself lets through and the app must not.

Each guard is a plain ASGI wrapper (``Guard(app)``), handed to Gradio through ``launch(app_kwargs=
{"middleware": [...]})`` so it runs before any route.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import unquote

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Gradio's file route fetches any http(s) URL it is given (through safehttpx, which falls back to
# DNS-over-HTTPS at dns.google): an unauthenticated way to make the server reach the internet.
_REMOTE_FILE = re.compile(r"/file=\s*(?:[a-z][a-z0-9+.\-]*:|//|\\\\)", re.I)


def is_post(scope: Scope, path_ends: str | None = None) -> bool:
    """An HTTP POST, optionally to a path ending in ``path_ends`` (trailing slash ignored)."""
    if scope["type"] != "http" or scope.get("method") != "POST":
        return False
    return path_ends is None or scope.get("path", "").rstrip("/").endswith(path_ends)


async def send_json(send: Send, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]] | None = None) -> None:
    payload = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
                            *(headers or [])]})
    await send({"type": "http.response.body", "body": payload})


def is_remote_file_request(path: str) -> bool:
    """Does this request path ask the file route for a URL (any scheme) rather than a local file?"""
    decoded = path
    for _ in range(3):  # percent-encoded once or twice over
        decoded = unquote(decoded)
    return bool(_REMOTE_FILE.search(decoded))


class RefuseRemoteFiles:
    """Answer 403 to ``/file=<URL>`` (and ``/gradio_api/file=<URL>``): the server fetches no URL for a client."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw = scope.get("raw_path") or b""
            if is_remote_file_request(scope.get("path", "")) or is_remote_file_request(raw.decode("latin-1")):
                await send_json(send, 403, {"detail": "This server does not fetch URLs; only its own files are served."})
                return
        await self.app(scope, receive, send)


class CapUploadRequests:
    """Refuse an upload request whose body (all its files together) exceeds ``max_bytes`` with 413.

    Gradio's max_file_size is per file: three 40 MB files in one request passed a 50 MB limit."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not is_post(scope, "/upload"):
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await send_json(send, 413, {"detail": self._message()})
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:  # no or a false Content-Length: stop reading
                raise _TooLarge
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except _TooLarge:
            if not started:
                await send_json(send, 413, {"detail": self._message()})

    def _message(self) -> str:
        return f"This upload is larger than {self.max_bytes // 1_000_000} MB in total; send fewer or smaller files."


class _TooLarge(Exception):
    pass
