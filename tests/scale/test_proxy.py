"""The fault-injection proxy (harness/ops/proxy.py) and the figures helpers, without servers."""

from __future__ import annotations

import socket
import threading
from typing import Iterator

import pytest

from harness.ops.proxy import TcpProxy
from harness.ops.traffic import percentile


@pytest.fixture
def echo_port() -> Iterator[int]:
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                while data := conn.recv(1024):
                    conn.sendall(data)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(2)
    server.close()


def _echo(port: int, payload: bytes = b"ping") -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        sock.sendall(payload)
        return sock.recv(1024)


def _echo_or_nothing(port: int) -> bytes:
    try:
        return _echo(port)
    except OSError:  # reset by the proxy
        return b""


def test_proxy_forwards_cuts_and_restores(echo_port: int) -> None:
    with TcpProxy("127.0.0.1", echo_port) as proxy:
        assert _echo(proxy.port) == b"ping"
        held = socket.create_connection(("127.0.0.1", proxy.port), timeout=2)
        held.sendall(b"a")
        assert held.recv(16) == b"a"

        proxy.cut()
        assert held.recv(16) == b""  # open connections are closed
        held.close()
        assert _echo_or_nothing(proxy.port) == b""  # new ones are closed at once
        assert proxy.refused >= 1

        proxy.restore()
        assert _echo(proxy.port, b"again") == b"again"


def test_percentile_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.95) == 95.0
    assert percentile([3.0], 0.95) == 3.0
    assert percentile([], 0.5) == 0.0
