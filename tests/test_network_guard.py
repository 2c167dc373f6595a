import socket

import pytest

from tests.conftest import OutboundConnectionBlocked


def test_guard_refuses_non_loopback_address() -> None:
    # 192.0.2.1 is TEST-NET-1 (documentation only); the guard refuses before any packet is sent.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s, pytest.raises(OutboundConnectionBlocked):
        s.connect(("192.0.2.1", 80))


def test_guard_refuses_resolving_remote_names() -> None:
    with pytest.raises(OutboundConnectionBlocked):
        socket.getaddrinfo("huggingface.co", 443)


def test_guard_allows_loopback() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=5):
            conn, _ = server.accept()
            conn.close()
