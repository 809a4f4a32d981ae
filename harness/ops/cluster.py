"""The scaled-out deployment on one machine, for the scale tests and ``make soak``.

Rasa server replicas (two by default) read ``deploy/endpoints.prod.yml``
itself, its ``${VARS}`` filled from the environment: ``SQLTrackerStore`` on a
PostgreSQL database of its own (``hieuy_scale_<random>``, created here and
dropped by :meth:`Cluster.close`) and ``RedisLockStore`` with a random key
prefix. One action server and the web app log needs to the same database.

Two TCP proxies (:class:`harness.ops.proxy.TcpProxy`) stand in front of the
dependencies so scenarios can take them away: the action server's and the web
app's ``DATABASE_URL`` (the need log) go through ``db_proxy``; the lock store
goes through ``redis_proxy``. The tracker store connects directly.

The first replica, the action server and the web app are started by
:func:`harness.stack.start_stack`, so that the tests and the soak run exactly what
``make run`` runs. Without Redis there is a
single replica and no lock store (replicas without a shared lock store would
process one conversation's messages concurrently).
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional
from urllib.parse import urlparse

import requests
import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Engine, make_url

from bot.paths import ROOT
from harness.ops.proxy import TcpProxy
from harness.stack import free_port, start_stack, stop_stack, wait_for

PROD_ENDPOINTS = ROOT / "deploy" / "endpoints.prod.yml"
CONVERSATION_SECRET = "scale-test-secret"
TICKET_LOCK_LIFETIME = "20"


@dataclass
class Cluster:
    """A running scaled-out stack; see the module docstring."""

    stack: Any  # the harness's Stack: first replica, action server, web app
    model: Path
    workdir: Path
    endpoints: Path
    rasa_urls: List[str]
    database_url: str  # direct, for checks
    admin_url: str
    database_name: str
    db_proxy: TcpProxy
    redis_proxy: Optional[TcpProxy]
    redis_url: Optional[str]
    redis_prefix: Optional[str]
    secret: bytes = CONVERSATION_SECRET.encode()
    _engine: Optional[Engine] = field(default=None, repr=False)

    @property
    def web_url(self) -> str:
        """The web app (report)."""
        return str(self.stack.web_url)

    @property
    def actions_url(self) -> str:
        """The action server."""
        return str(self.stack.actions_url)

    @property
    def outbox(self) -> Path:
        """The action server's outbox file."""
        return Path(self.stack.outbox)

    @property
    def staff_token(self) -> str:
        """The web app's staff token."""
        return str(self.stack.staff_token)

    @property
    def engine(self) -> Engine:
        """The need-log database, directly (not through the proxy)."""
        if self._engine is None:
            self._engine = create_engine(self.database_url, future=True, pool_pre_ping=True)
        return self._engine

    def alive(self) -> Dict[str, bool]:
        """Which processes are still running."""
        return {name: p.poll() is None for name, p in self.stack.processes.items()}

    def kill_actions(self) -> None:
        """SIGKILL the action server (its whole process group) and reap it."""
        process: subprocess.Popen = self.stack.processes["actions"]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def restart_actions(self, timeout: float = 120.0) -> float:
        """Start the action server again on its port; seconds until it answers."""
        from bot.serve import services, start

        started = time.monotonic()
        port = urlparse(self.actions_url).port
        command = next(
            s for s in services(actions_port=port or 0, model=self.model) if s.name == "actions"
        )
        log = open(self.workdir / "actions.log", "ab")  # noqa: SIM115 (kept by the process)
        process = start([command], self.stack.env, {"actions": log})["actions"]
        self.stack.processes["actions"] = process
        wait_for(f"{self.actions_url}/health", timeout, process)
        return time.monotonic() - started

    def close(self) -> None:
        """Stop every process, the proxies, drop the database and the lock keys."""
        try:
            stop_stack(self.stack)
        finally:
            self.db_proxy.close()
            if self.redis_proxy:
                self.redis_proxy.close()
            if self._engine is not None:
                self._engine.dispose()
            _drop_database(self.admin_url, self.database_name)
            if self.redis_url and self.redis_prefix:
                _forget_redis_keys(self.redis_url, self.redis_prefix)


def _database_env(database: URL, proxy_port: int) -> Dict[str, str]:
    """The services' database settings: the need log through the proxy, ``${DB_*}`` direct."""
    return {
        "DATABASE_URL": database.set(host="127.0.0.1", port=proxy_port).render_as_string(
            hide_password=False
        ),
        "CONVERSATION_KEY_SECRET": CONVERSATION_SECRET,
        # as recommended in deploy/ (a ticket left by a Redis blip blocks its
        # conversation this long; Rasa's default is 60 s, the widget gives up at 30 s)
        "TICKET_LOCK_LIFETIME": TICKET_LOCK_LIFETIME,
        "DB_HOST": database.host or "127.0.0.1",
        "DB_PORT": str(database.port or 5432),
        "DB_USER": database.username or "postgres",
        "DB_PASSWORD": database.password or "",
        "DB_DATABASE": database.database or "",
    }


def start_cluster(
    workdir: Path,
    model: Path,
    admin_url: str,
    redis_url: Optional[str],
    replicas: int = 2,
) -> Cluster:
    """Create the database, start the proxies and the processes; see the module docstring."""
    workdir.mkdir(parents=True, exist_ok=True)
    name = f"hieuy_scale_{secrets.token_hex(4)}"
    _create_database(admin_url, name)
    database = make_url(admin_url).set(database=name)
    db_proxy = TcpProxy(database.host or "127.0.0.1", database.port or 5432)
    redis_proxy: Optional[TcpProxy] = None
    prefix: Optional[str] = None
    env = _database_env(database, db_proxy.port)
    if redis_url:
        redis = urlparse(redis_url)
        redis_proxy = TcpProxy(redis.hostname or "127.0.0.1", redis.port or 6379)
        prefix = f"hieuyscale{secrets.token_hex(4)}"
        env.update(
            REDIS_HOST="127.0.0.1",
            REDIS_PORT=str(redis_proxy.port),
            REDIS_PASSWORD=redis.password or "",
            REDIS_DB=(redis.path or "/0").strip("/") or "0",
            REDIS_LOCK_PREFIX=prefix,
        )
        endpoints = PROD_ENDPOINTS
    else:
        replicas = 1
        endpoints = _without_lock_store(workdir)
    try:
        stack = start_stack(workdir, model, env, endpoints)
    except Exception:
        db_proxy.close()
        if redis_proxy:
            redis_proxy.close()
        _drop_database(admin_url, name)
        raise
    cluster = Cluster(
        stack=stack,
        model=model,
        workdir=workdir,
        endpoints=endpoints,
        rasa_urls=[str(stack.rasa_url)],
        database_url=database.render_as_string(hide_password=False),
        admin_url=admin_url,
        database_name=name,
        db_proxy=db_proxy,
        redis_proxy=redis_proxy,
        redis_url=redis_url,
        redis_prefix=prefix,
    )
    try:
        for number in range(1, replicas):
            cluster.rasa_urls.append(_start_replica(cluster, number))
    except Exception:
        cluster.close()
        raise
    return cluster


def _start_replica(cluster: Cluster, number: int, timeout: float = 240.0) -> str:
    """Another Rasa server with the same model, endpoints and environment."""
    from bot.serve import services, start

    port = free_port()
    command = next(
        s
        for s in services(rasa_port=port, model=cluster.model, endpoints=cluster.endpoints)
        if s.name == "rasa"
    )
    name = f"rasa-{number + 1}"
    log = open(cluster.workdir / f"{name}.log", "wb")  # noqa: SIM115 (kept by the process)
    process = start([command], cluster.stack.env, {"rasa": log})["rasa"]
    cluster.stack.processes[name] = process
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = (cluster.workdir / f"{name}.log").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{tail}")
        try:
            if requests.get(f"{url}/webhooks/rest/", timeout=2).status_code == 200:
                return url
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{name} did not come up within {timeout:.0f}s")


def _without_lock_store(workdir: Path) -> Path:
    """The production endpoints without the Redis lock store (one replica only)."""
    config = yaml.safe_load(PROD_ENDPOINTS.read_text(encoding="utf-8"))
    config.pop("lock_store", None)
    path = workdir / "endpoints.no-redis.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def _create_database(admin_url: str, name: str) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT", future=True)
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()


def _drop_database(admin_url: str, name: str) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT", future=True)
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


def _forget_redis_keys(redis_url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=3)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
    except redis.RedisError:
        pass  # locks expire on their own
    finally:
        client.close()
