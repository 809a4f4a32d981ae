"""A tiny TCP proxy that can be cut and restored: a dependency outage on demand.

Put it between a service and PostgreSQL or Redis (point the service's URL at
``proxy.port``). :meth:`TcpProxy.cut` closes every open connection and refuses
new ones (accepted and closed at once, so clients fail fast with "connection
closed" instead of hanging); :meth:`TcpProxy.restore` forwards again. The
listening port stays bound the whole time, so nobody else can take it.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
from typing import Optional, Set, Tuple


class TcpProxy:
    """Forward ``127.0.0.1:<port>`` to ``(host, port)``; :meth:`cut` / :meth:`restore`."""

    def __init__(self, target_host: str, target_port: int, listen_port: int = 0) -> None:
        self.target = (target_host, target_port)
        self._server = socket.create_server(("127.0.0.1", listen_port))
        self._server.settimeout(0.2)
        self.port: int = self._server.getsockname()[1]
        self._lock = threading.Lock()
        self._pairs: Set[Tuple[socket.socket, socket.socket]] = set()
        self._up = threading.Event()
        self._up.set()
        self._stop = threading.Event()
        self.connections = 0
        self.refused = 0
        self._acceptor = threading.Thread(target=self._accept, name="tcp-proxy", daemon=True)
        self._acceptor.start()

    @property
    def is_up(self) -> bool:
        """Whether the proxy forwards right now."""
        return self._up.is_set()

    def cut(self) -> None:
        """Outage: close every forwarded connection and refuse new ones."""
        self._up.clear()
        with self._lock:
            pairs = list(self._pairs)
            self._pairs.clear()
        for pair in pairs:
            _close(*pair)

    def restore(self) -> None:
        """Forward new connections again."""
        self._up.set()

    def close(self) -> None:
        """Stop the proxy and close everything."""
        self._stop.set()
        self.cut()
        self._acceptor.join(2)
        self._server.close()

    def __enter__(self) -> "TcpProxy":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except OSError:  # includes the accept timeout
                continue
            if not self._up.is_set():
                self.refused += 1
                _close(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=3)
            except OSError:
                self.refused += 1
                _close(client)
                continue
            upstream.settimeout(None)
            client.settimeout(None)
            pair = (client, upstream)
            with self._lock:
                self._pairs.add(pair)
                self.connections += 1
            thread = threading.Thread(target=self._pump, args=(pair,), daemon=True)
            thread.start()

    def _pump(self, pair: Tuple[socket.socket, socket.socket]) -> None:
        client, upstream = pair
        selector = selectors.DefaultSelector()
        try:
            selector.register(client, selectors.EVENT_READ, upstream)
            selector.register(upstream, selectors.EVENT_READ, client)
            while not self._stop.is_set():
                for key, _ in selector.select(timeout=0.5):
                    source: socket.socket = key.fileobj  # type: ignore[assignment]
                    sink: Optional[socket.socket] = key.data
                    data = source.recv(65536)
                    if not data or sink is None:
                        return
                    sink.sendall(data)
        except (OSError, ValueError):  # closed by cut() or by either side
            return
        finally:
            selector.close()
            with self._lock:
                self._pairs.discard(pair)
            _close(client, upstream)


def _close(*sockets: socket.socket) -> None:
    for sock in sockets:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()
