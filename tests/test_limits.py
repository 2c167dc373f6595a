"""Per-client limits (ui/limits.py): the backoff's clock logic with an injected clock, and both limits
against a real server on 127.0.0.1 (client addresses told apart by X-Forwarded-For, which uvicorn
trusts from 127.0.0.1, as it would from a reverse proxy on the same machine)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SAMPLE
from ui.limits import Backoff, LimitQueuePerClient, LoginLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_backoff_is_free_then_doubles_up_to_the_cap() -> None:
    clock = Clock()
    backoff = Backoff(free=3, base_s=1.0, max_s=8.0, forget_s=600.0, clock=clock)
    delays = [backoff.fail("alice") for _ in range(8)]
    assert delays == [0.0, 0.0, 0.0, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert backoff.wait("alice") == 8.0
    clock.now += 5.0
    assert backoff.wait("alice") == 3.0
    clock.now += 3.0
    assert backoff.wait("alice") == 0.0
    # the failures are remembered after the lockout: one more failure waits the cap again
    assert backoff.fail("alice") == 8.0


def test_backoff_forgets_after_quiet_time_and_clears_on_success() -> None:
    clock = Clock()
    backoff = Backoff(free=1, base_s=1.0, max_s=60.0, forget_s=100.0, clock=clock)
    for _ in range(4):
        backoff.fail("bob")
    assert backoff.wait("bob") == 4.0
    clock.now += 99.0
    assert backoff.fail("bob") == 8.0  # still within forget_s of the last failure
    clock.now += 100.0
    assert backoff.wait("bob") == 0.0 and len(backoff) == 0
    assert backoff.fail("bob") == 0.0  # counted from scratch
    backoff.fail("bob")
    assert backoff.wait("bob") == 1.0
    backoff.clear("bob")
    assert backoff.wait("bob") == 0.0 and backoff.fail("bob") == 0.0


def test_backoff_keeps_a_bounded_number_of_keys() -> None:
    backoff = Backoff(free=5, base_s=1.0, max_s=60.0, forget_s=100.0, max_keys=100, clock=Clock())
    for i in range(1000):
        backoff.fail(f"user{i}")
    assert len(backoff) == 100


def test_backoff_survives_a_long_attack() -> None:
    backoff = Backoff(free=0, base_s=1.0, max_s=300.0, forget_s=900.0, clock=Clock())
    assert [backoff.fail("x") for _ in range(2000)][-1] == 300.0


def test_login_limiter_locks_per_user_and_per_address() -> None:
    clock = Clock()
    limiter = LoginLimiter(free=2, base_s=1.0, max_s=60.0, forget_s=600.0, clock=clock)
    for address in ("127.0.9.1", "127.0.9.2", "127.0.9.3"):  # one user from three addresses
        limiter.attempt("alice", address)
    assert limiter.wait("alice", "127.0.9.9") == 1.0
    assert limiter.wait("bob", "127.0.9.1") == 0.0
    for user in ("u1", "u2", "u3"):  # three users from one address
        limiter.attempt(user, "127.0.9.5")
    assert limiter.wait("carol", "127.0.9.5") == 1.0
    limiter.succeeded("alice", "127.0.9.9")
    assert limiter.wait("alice", "127.0.9.9") == 0.0


def test_parallel_joins_cannot_all_pass_the_check() -> None:
    """Joins still being handled count, so a burst sent at once is bounded before Gradio queues any."""
    passed = 0

    async def slow_app(scope: Any, receive: Any, send: Any) -> None:
        nonlocal passed
        passed += 1
        await asyncio.sleep(0.05)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    limit = LimitQueuePerClient(slow_app, per_client=3, queued_addresses=lambda scope: [])
    statuses: list[int] = []

    async def one() -> None:
        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"{}", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                statuses.append(message["status"])

        scope = {"type": "http", "method": "POST", "path": "/gradio_api/queue/join", "client": ("127.0.9.1", 5)}
        await limit(scope, receive, send)

    async def burst() -> None:
        await asyncio.gather(*(one() for _ in range(10)))

    asyncio.run(burst())
    assert passed == 3 and sorted(statuses) == [200] * 3 + [429] * 7


# --- against a real server --------------------------------------------------------------------------

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _post(url: str, data: bytes, content_type: str, address: str) -> tuple[int, dict[str, str], Any]:
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": content_type, "X-Forwarded-For": address})
    try:
        with OPENER.open(request, timeout=30) as response:
            return response.status, dict(response.headers), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.loads(exc.read() or b"null")


def _login(url: str, user: str, password: str, address: str) -> tuple[int, dict[str, str], Any]:
    form = urllib.parse.urlencode({"username": user, "password": password}).encode()
    return _post(f"{url}login", form, "application/x-www-form-urlencoded", address)


def _serve(workspace: Any, *, auth: tuple[str, str] | None = None, concurrency: int = 2) -> tuple[Any, str]:
    from ui.web import create_app, launch_options

    app = create_app(workspace)
    app.queue(max_size=16, default_concurrency_limit=concurrency)
    _, url, _ = app.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True,
                           auth=auth, **launch_options(workspace))
    return app, url


def _workspace(home: Path, **server: Any) -> Any:
    from assistant.build import build
    from assistant.settings import ServerSettings, Settings
    from ingest.embeddings import HashingEmbedder

    return build(Settings(home=home, server=ServerSettings(**server)), embedder=HashingEmbedder())


@pytest.fixture
def login_server(tmp_path: Path) -> Iterator[str]:
    workspace = _workspace(tmp_path / "home", auth="alice:right-password")
    app, url = _serve(workspace, auth=("alice", "right-password"))
    yield url
    app.close()


@pytest.mark.slow
@pytest.mark.server
def test_login_backoff_on_a_real_server(login_server: str) -> None:
    url = login_server
    me, other = "127.1.1.1", "127.2.2.2"
    statuses = [_login(url, "alice", f"wrong{i}", me)[0] for i in range(6)]
    assert statuses == [400] * 6  # five free tries, the sixth failure starts a 1 s lockout
    status, headers, body = _login(url, "alice", "right-password", me)
    assert status == 429 and "Too many failed logins" in body["detail"]
    assert int(headers["retry-after"]) == 1
    # the user is locked from every address, not only the one that failed
    assert _login(url, "alice", "right-password", other)[0] == 429
    time.sleep(1.2)
    status, headers, _ = _login(url, "alice", "right-password", me)
    assert status == 200 and "access-token" in headers.get("set-cookie", "")
    # a success cleared the count: one wrong password is a free try again, not a 2 s lockout
    assert _login(url, "alice", "wrong", me)[0] == 400
    assert _login(url, "alice", "right-password", me)[0] == 200


@pytest.mark.server
def test_login_backoff_per_address_on_a_real_server(login_server: str) -> None:
    url = login_server
    sprayer, someone_else = "127.3.3.3", "127.4.4.4"
    assert [_login(url, f"user{i}", "guess", sprayer)[0] for i in range(6)] == [400] * 6
    assert _login(url, "alice", "right-password", sprayer)[0] == 429  # this address is locked out
    assert _login(url, "alice", "right-password", someone_else)[0] == 200  # alice from elsewhere is not


@pytest.mark.slow
@pytest.mark.server
def test_one_client_cannot_fill_the_queue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = _workspace(tmp_path / "home", per_client_queue=2)
    assert workspace.corpus.ingest([SAMPLE]).count("added") == 1
    gate = threading.Event()
    answer_stream = workspace.assistant.ask_stream

    def held(question: str, **kwargs: Any) -> Any:
        if question.startswith("SLOW"):  # the burst's questions wait until the test lets them go
            gate.wait(60)
        return answer_stream(question, **kwargs)

    monkeypatch.setattr(workspace.assistant, "ask_stream", held)
    app, url = _serve(workspace, concurrency=3)
    try:
        burst, other = "127.5.5.5", "127.6.6.6"
        ask = f"{url}gradio_api/call/ask"

        def join(question: str, address: str) -> tuple[int, Any]:
            status, _, body = _post(ask, json.dumps({"data": [question, []]}).encode(), "application/json", address)
            return status, body

        results = [join("SLOW " + "x" * 3000, burst) for _ in range(5)]
        assert [status for status, _ in results] == [200, 200, 429, 429, 429]
        assert "at most 2 per client" in results[2][1]["detail"]
        # another client is still answered while the burst's two events hold their places
        status, body = join("How many Russian peacekeepers will deploy?", other)
        assert status == 200
        with OPENER.open(f"{ask}/{body['event_id']}", timeout=60) as response:
            stream = response.read().decode()
        assert "event: complete" in stream and "1,960" in stream
        assert not gate.is_set()
        gate.set()
        for _, held_body in results[:2]:
            with OPENER.open(f"{ask}/{held_body['event_id']}", timeout=60) as response:
                assert "event: complete" in response.read().decode()
        # the finished events no longer count against the client
        deadline = time.monotonic() + 10
        while (status := join("SLOW again", burst)[0]) != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert status == 200
    finally:
        gate.set()
        app.close()


@pytest.mark.slow
@pytest.mark.server
def test_session_state_is_bounded(tmp_path: Path) -> None:
    """API calls open a session each and never close it: the server keeps at most `sessions` of them."""
    workspace = _workspace(tmp_path / "home", sessions=10)
    assert workspace.corpus.ingest([SAMPLE]).count("added") == 1
    app, url = _serve(workspace)
    try:
        ask = f"{url}gradio_api/call/ask"
        for i in range(15):
            status, _, body = _post(ask, json.dumps({"data": [f"Who controls the agreement? ({i})", []]}).encode(),
                                    "application/json", "127.7.7.7")
            assert status == 200
            with OPENER.open(f"{ask}/{body['event_id']}", timeout=60) as response:
                assert "event: complete" in response.read().decode()
        assert 10 <= len(app.state_holder.session_data) <= 11  # the LRU evicts after storing the 11th
    finally:
        app.close()
