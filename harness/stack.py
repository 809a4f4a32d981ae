"""The whole assistant on free ports, started as ``make run`` starts it.

Used by the tests, the benchmarks, the screenshots and the soak.

:func:`start_stack` migrates a database, starts the action server, the Rasa server
and the web app with :mod:`bot.serve`'s commands, and waits until they answer.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

import requests
import yaml

from bot.paths import ROOT
from harness.bench.memory import command_line, services_of

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


def start_stack(
    workdir: Path,
    model: Path,
    extra_env: Optional[Dict[str, str]] = None,
    endpoints: Optional[Path] = None,
) -> Stack:
    """Start the three services like ``make run`` does, on free ports.

    ``extra_env`` wins over the defaults (a ``DATABASE_URL`` or ``NEEDLOG_OUTBOX``
    there is the one migrated and reported in the Stack). ``endpoints`` replaces
    the generated endpoints file; ``ACTION_ENDPOINT_URL`` in the environment
    points at this stack's action server (for ``${ACTION_ENDPOINT_URL}``).
    """
    from bot.serve import services, start
    from bot.store.migrate import upgrade

    workdir.mkdir(parents=True, exist_ok=True)
    rasa_port, actions_port, web_port = free_port(), free_port(), free_port()
    env = _stack_env(workdir, rasa_port, actions_port, web_port, extra_env or {})
    endpoints = endpoints or _endpoints(workdir, actions_port)
    upgrade(env["DATABASE_URL"])
    commands = services(
        rasa_port=rasa_port,
        actions_port=actions_port,
        web_port=web_port,
        model=model,
        endpoints=endpoints,
        origins=env["ALLOWED_ORIGINS"].split(","),
    )
    logs = {}
    for service in commands:
        logs[service.name] = open(workdir / f"{service.name}.log", "wb")  # noqa: SIM115
    stack = Stack(
        rasa_url=f"http://127.0.0.1:{rasa_port}",
        actions_url=f"http://127.0.0.1:{actions_port}",
        web_url=f"http://127.0.0.1:{web_port}",
        database_url=env["DATABASE_URL"],
        staff_token=STAFF_TOKEN,
        outbox=Path(env["NEEDLOG_OUTBOX"]),
        processes=start(commands, env, logs),
        env=env,
    )
    _wait_ready(stack, workdir, list(logs))
    return stack


def _endpoints(workdir: Path, actions_port: int) -> Path:
    """The repository's endpoints file, pointing at the action server on ``actions_port``."""
    config = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    config["action_endpoint"]["url"] = f"http://127.0.0.1:{actions_port}/webhook"
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(yaml.safe_dump(config), encoding="utf-8")
    return endpoints


def _stack_env(
    workdir: Path, rasa_port: int, actions_port: int, web_port: int, extra_env: Dict[str, str]
) -> Dict[str, str]:
    """The services' environment: this process's, the stack's ports and files, ``extra_env``."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{workdir / 'needs.db'}",
        NEEDLOG_OUTBOX=str(workdir / "outbox.sqlite"),
        STAFF_TOKEN=STAFF_TOKEN,
        CONVERSATION_KEY_SECRET="test-secret",
        RASA_PUBLIC_URL=f"http://127.0.0.1:{rasa_port}",
        ALLOWED_ORIGINS=f"http://127.0.0.1:{web_port},http://localhost:{web_port}",
        ACTION_ENDPOINT_URL=f"http://127.0.0.1:{actions_port}/webhook",
    )
    env.update(extra_env)
    return env


def _wait_ready(stack: Stack, workdir: Path, names: List[str]) -> None:
    """Wait until every service answers; on failure stop them and show their logs."""
    try:
        wait_for(f"{stack.actions_url}/health", 120, stack.processes["actions"])
        wait_for(f"{stack.web_url}/healthz", 60, stack.processes["web"])
        wait_for(f"{stack.rasa_url}/", 240, stack.processes["rasa"])
        _wait_model_loaded(stack.rasa_url)
    except Exception:
        stop_stack(stack)
        for name in names:
            tail = (workdir / f"{name}.log").read_text(errors="replace")[-3000:]
            print(f"---- {name}.log ----\n{tail}")
        raise


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


@dataclass
class Supervised:
    """``python -m bot run`` on free ports: the supervisor process and its services' pids."""

    rasa_url: str
    supervisor: subprocess.Popen
    pids: Dict[str, int]


def start_supervised(workdir: Path, model: Path, timeout: float = 300) -> Supervised:
    """Start the stack exactly as ``make run`` does (the supervisor migrates), on free ports."""
    from bot.serve import services

    workdir.mkdir(parents=True, exist_ok=True)
    ports = {"rasa": free_port(), "actions": free_port(), "web": free_port()}
    env = _stack_env(workdir, ports["rasa"], ports["actions"], ports["web"], {})
    endpoints = _endpoints(workdir, ports["actions"])
    command = [sys.executable, "-m", "bot", "run", "--no-train", "--model", str(model)]
    command += ["--endpoints", str(endpoints)]
    command += [arg for name, port in ports.items() for arg in (f"--{name}-port", str(port))]
    with open(workdir / "supervisor.log", "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    rasa_url = f"http://127.0.0.1:{ports['rasa']}"
    try:
        wait_for(f"http://127.0.0.1:{ports['web']}/healthz", timeout, process)
        wait_for(f"http://127.0.0.1:{ports['actions']}/health", timeout, process)
        _wait_model_loaded(rasa_url, timeout)
    except Exception:
        stop_supervised(Supervised(rasa_url, process, {}))
        print((workdir / "supervisor.log").read_text(errors="replace")[-3000:])
        raise
    starts = {s.name: s.command[:3] for s in services(model=model)}
    pids = {"supervisor": process.pid, **services_of(process.pid, starts)}
    return Supervised(rasa_url, process, pids)


def stop_supervised(stack: Supervised, timeout: float = 30) -> None:
    """Stop the supervisor as Ctrl-C would (it stops its services); kill what is left."""
    stack.supervisor.send_signal(signal.SIGINT)
    try:
        stack.supervisor.wait(timeout)
    except subprocess.TimeoutExpired:
        stack.supervisor.kill()
    for name, pid in stack.pids.items():
        if name != "supervisor" and command_line(pid):
            os.killpg(pid, signal.SIGKILL)  # a service the supervisor failed to stop
