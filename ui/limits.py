"""Limits per client, as ASGI middleware in front of the Gradio app: login attempts with exponential
backoff (per user name and per client address) and queued events per client address.

Gradio's ``auth`` callable sees the user name and password but not the client's address, and its queue
has one global ``max_size``: one client could try passwords without pause, or fill the whole queue (70
long questions from one client filled the queue of 64, and every other client was told "Queue is full"
for 90 s). Both limits sit before Gradio's routes, where the address and the request are known.

The client address is the ASGI ``client``: uvicorn (as Gradio starts it) replaces it with the
``X-Forwarded-For`` address only when the request comes from a trusted proxy (127.0.0.1 by default,
``FORWARDED_ALLOW_IPS``), so a reverse proxy on the same machine must set that header, or every client
shares the proxy's address.
"""

from __future__ import annotations

import logging
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ui.guards import ASGIApp, Message, Receive, Scope, Send, is_post, send_json

log = logging.getLogger(__name__)

# A login form is two short fields; anything longer is not a login and is not read into memory.
MAX_LOGIN_BODY = 16_384


@dataclass
class _Record:
    failures: int
    locked_until: float
    last: float


class Backoff:
    """Failures per key, with exponential backoff after ``free`` failures: the next attempt waits
    ``base_s``, then twice as long after each further failure, up to ``max_s``. A key's failures are
    forgotten after ``forget_s`` without one, and at most ``max_keys`` keys are kept (least recently
    failed dropped first) so that made-up user names cannot grow memory without bound."""

    def __init__(self, *, free: int, base_s: float, max_s: float, forget_s: float, max_keys: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if free < 0 or base_s <= 0 or max_s < base_s or forget_s <= 0 or max_keys < 1:
            raise ValueError("backoff needs free >= 0, 0 < base_s <= max_s, forget_s > 0 and max_keys >= 1")
        self.free, self.base_s, self.max_s, self.forget_s, self.max_keys = free, base_s, max_s, forget_s, max_keys
        self.clock = clock
        self._records: OrderedDict[str, _Record] = OrderedDict()

    def __len__(self) -> int:
        return len(self._records)

    def _current(self, key: str, now: float) -> _Record | None:
        record = self._records.get(key)
        if record is not None and now >= record.locked_until and now - record.last >= self.forget_s:
            del self._records[key]
            return None
        return record

    def wait(self, key: str) -> float:
        """Seconds before ``key`` may try again (0 when it may now)."""
        now = self.clock()
        record = self._current(key, now)
        return max(0.0, record.locked_until - now) if record else 0.0

    def fail(self, key: str) -> float:
        """Count a failure for ``key``; returns the wait it now has before its next attempt."""
        now = self.clock()
        record = self._current(key, now) or _Record(0, now, now)
        record.failures += 1
        record.last = now
        delay = 0.0
        if record.failures > self.free:
            # min() before the power would overflow: 2**(failures) grows without bound under attack
            exponent = min(record.failures - self.free - 1, 62)
            delay = min(self.max_s, self.base_s * 2.0 ** exponent)
            record.locked_until = max(record.locked_until, now + delay)
        self._records[key] = record
        self._records.move_to_end(key)
        while len(self._records) > self.max_keys:
            self._records.popitem(last=False)
        return delay

    def clear(self, key: str) -> None:
        self._records.pop(key, None)


class LoginLimiter:
    """Backoff for logins, kept twice: per user name (a password guessed from many addresses) and per
    client address (many user names tried from one address). An attempt waits for the longer of both."""

    def __init__(self, *, free: int = 5, base_s: float = 1.0, max_s: float = 300.0, forget_s: float = 900.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.users = Backoff(free=free, base_s=base_s, max_s=max_s, forget_s=forget_s, clock=clock)
        self.addresses = Backoff(free=free, base_s=base_s, max_s=max_s, forget_s=forget_s, clock=clock)

    def wait(self, user: str, address: str) -> float:
        return max(self.users.wait(user), self.addresses.wait(address))

    def attempt(self, user: str, address: str) -> None:
        """Count the attempt as a failure before the password is checked, so that parallel attempts
        cannot all slip in before the first failure is recorded; a success clears it again."""
        delay = max(self.users.fail(user), self.addresses.fail(address))
        if delay:
            log.warning("login: %r from %s failed too often; next attempt in %.0f s", user, address, delay)

    def succeeded(self, user: str, address: str) -> None:
        self.users.clear(user)
        self.addresses.clear(address)


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The request body, or None once it exceeds ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _form_username(scope: Scope, body: bytes) -> str:
    """The ``username`` field as Gradio's login route reads it (form-encoded or multipart, stripped)."""
    from starlette.requests import Request

    try:
        form = await Request(scope, _replay(body)).form(max_files=0, max_fields=10)
    except Exception:  # malformed forms are Gradio's to refuse (422); the attempt still counts per address
        return ""
    value = form.get("username")
    return value.strip() if isinstance(value, str) else ""


class LimitLogins:
    """``POST /login`` through a :class:`LoginLimiter`: during a lockout the answer is 429 with
    ``Retry-After``, whatever the password (a correct one too, or the lockout would confirm it)."""

    def __init__(self, app: ASGIApp, limiter: LoginLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not is_post(scope, "/login"):
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive, MAX_LOGIN_BODY)
        if body is None:
            await send_json(send, 413, {"detail": "A login form is two short fields; this request is too large."})
            return
        user, address = await _form_username(scope, body), client_address(scope)
        wait = self.limiter.wait(user, address)
        if wait > 0:
            seconds = math.ceil(wait)
            await send_json(send, 429, {"detail": f"Too many failed logins; try again in {seconds} s."},
                            headers=[(b"retry-after", str(seconds).encode())])
            return
        self.limiter.attempt(user, address)

        async def observed(message: Message) -> None:
            if message["type"] == "http.response.start" and message.get("status") == 200:
                self.limiter.succeeded(user, address)
            await send(message)

        await self.app(scope, _replay(body), observed)


def _queued_addresses(scope: Scope) -> Iterable[str]:
    """The client address of every event Gradio holds as waiting or running. Gradio keeps them in its
    queue's ``event_ids_to_events`` from the join until the event finishes or its client goes away
    (gradio 6.31, queueing.py); tests/test_limits.py fails if that stops being true."""
    app = scope.get("app")
    blocks = app.get_blocks() if app is not None and hasattr(app, "get_blocks") else None
    queue = getattr(blocks, "_queue", None)
    events: dict[str, Any] = getattr(queue, "event_ids_to_events", None) or {}
    for event in list(events.values()):
        client = getattr(getattr(event, "request", None), "client", None)
        yield str(client.host) if client else "unknown"


def _joins_queue(path: str) -> bool:
    # Every route that puts an event on the queue: /queue/join (the browser and gradio_client) and the
    # simple HTTP API's /call/<name> and /call/v2/<name>.
    return path.rstrip("/").endswith("/queue/join") or "/call/" in path


class LimitQueuePerClient:
    """Refuse, with 429, an event from a client address that already has ``per_client`` events waiting
    or running, so one client cannot fill the shared queue."""

    def __init__(self, app: ASGIApp, per_client: int,
                 queued_addresses: Callable[[Scope], Iterable[str]] = _queued_addresses) -> None:
        if per_client < 1:
            raise ValueError("per_client must be at least 1")
        self.app = app
        self.per_client = per_client
        self.queued_addresses = queued_addresses
        self._joining: dict[str, int] = {}  # joins still being handled: not yet in Gradio's queue

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not is_post(scope) or not _joins_queue(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        address = client_address(scope)
        held = sum(1 for a in self.queued_addresses(scope) if a == address) + self._joining.get(address, 0)
        if held >= self.per_client:
            await send_json(send, 429, {"detail": f"You already have {held} requests waiting or running (at most "
                                                  f"{self.per_client} per client); wait for an answer, then ask again."},
                            headers=[(b"retry-after", b"5")])
            return
        self._joining[address] = self._joining.get(address, 0) + 1
        try:
            await self.app(scope, receive, send)
        finally:
            left = self._joining[address] - 1
            if left:
                self._joining[address] = left
            else:
                del self._joining[address]
