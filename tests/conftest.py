"""Shared fixtures: a trained model, databases, and the whole stack on free ports."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, Optional

import pytest
import requests

from bot.paths import ROOT

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

STAFF_TOKEN = "test-staff-token-0123456789"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, timeout: float, process: Optional[subprocess.Popen] = None) -> None:
    """Poll ``url`` until it answers (any status) or fail with the process output."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {process.returncode}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not come up within {timeout:.0f}s")


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The newest model in models/ (``make test`` trains it; trained here if missing)."""
    from bot.model import latest_model, train

    model = latest_model(required=False)
    if model is None:
        model = train().model
    return model


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """``TEST_DATABASE_URL`` (PostgreSQL), or skip saying why."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL tests skipped (CI sets it)")
    from sqlalchemy import create_engine, text

    try:
        engine = create_engine(url, future=True, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:  # any failure means "not reachable"
        pytest.skip(f"PostgreSQL at TEST_DATABASE_URL is not reachable: {error}")
    return url


@dataclass
class Stack:
    """The running assistant: Rasa, action server and web app on test ports."""

    rasa_url: str
    actions_url: str
    web_url: str
    database_url: str
    staff_token: str
    outbox: Path
    processes: Dict[str, subprocess.Popen]
    env: Dict[str, str]

    def say(self, sender: str, message: str, timeout: float = 30) -> list:
        """POST a message to the REST channel and return the bot's replies."""
        response = requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            timeout=timeout,
        )
        response.raise_for_status()
        return response.json()


def start_stack(workdir: Path, model: Path, extra_env: Optional[Dict[str, str]] = None) -> Stack:
    """Start the three services like ``make run`` does, on free ports."""
    from bot.serve import services, start
    from bot.store.migrate import upgrade

    rasa_port, actions_port, web_port = free_port(), free_port(), free_port()
    database_url = f"sqlite:///{workdir / 'needs.db'}"
    outbox = workdir / "outbox.sqlite"
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{actions_port}/webhook"\n', encoding="utf-8"
    )
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        NEEDLOG_OUTBOX=str(outbox),
        STAFF_TOKEN=STAFF_TOKEN,
        CONVERSATION_KEY_SECRET="test-secret",
        RASA_PUBLIC_URL=f"http://127.0.0.1:{rasa_port}",
        ALLOWED_ORIGINS=f"http://127.0.0.1:{web_port},http://localhost:{web_port}",
        **(extra_env or {}),
    )
    upgrade(database_url)
    previous = {key: os.environ.get(key) for key in ("ALLOWED_ORIGINS",)}
    os.environ["ALLOWED_ORIGINS"] = env["ALLOWED_ORIGINS"]
    try:
        commands = services(
            rasa_port=rasa_port,
            actions_port=actions_port,
            web_port=web_port,
            model=model,
            endpoints=endpoints,
        )
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    logs = {}
    for service in commands:
        logs[service.name] = open(workdir / f"{service.name}.log", "wb")  # noqa: SIM115
    processes = start(commands, env, logs)
    stack = Stack(
        rasa_url=f"http://127.0.0.1:{rasa_port}",
        actions_url=f"http://127.0.0.1:{actions_port}",
        web_url=f"http://127.0.0.1:{web_port}",
        database_url=database_url,
        staff_token=STAFF_TOKEN,
        outbox=outbox,
        processes=processes,
        env=env,
    )
    try:
        wait_for(f"{stack.actions_url}/health", 120, processes["actions"])
        wait_for(f"{stack.web_url}/healthz", 60, processes["web"])
        wait_for(f"{stack.rasa_url}/", 240, processes["rasa"])
        _wait_model_loaded(stack.rasa_url)
    except Exception:
        stop_stack(stack)
        for name in logs:
            tail = (workdir / f"{name}.log").read_text(errors="replace")[-3000:]
            print(f"---- {name}.log ----\n{tail}")
        raise
    return stack


def _wait_model_loaded(rasa_url: str, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status = requests.get(f"{rasa_url}/webhooks/rest/", timeout=2)
            if status.status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise TimeoutError("Rasa REST channel did not come up")


def stop_stack(stack: Stack) -> None:
    """Stop every process of the stack."""
    from bot.serve import stop

    stop(stack.processes)


@pytest.fixture(scope="session")
def live_stack(tmp_path_factory: pytest.TempPathFactory, trained_model: Path) -> Iterator[Stack]:
    """Rasa (REST + socketio), the action server and the web app, running for real."""
    stack = start_stack(tmp_path_factory.mktemp("stack"), trained_model)
    yield stack
    stop_stack(stack)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root."""
    return ROOT
