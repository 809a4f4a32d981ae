"""``make run``: migrate, train if stale, start Rasa, the action server and the web app.

The three processes run side by side; Ctrl-C (or one of them dying) stops all.
This supervisor stays small (a plain Python process, ~20 MB): migrating and
checking or training the model import SQLAlchemy, Rasa and TensorFlow, so they
run in child processes (``python -m bot migrate`` / ``train``) that exit before
the services start. ``tests/scale/test_serve_env.py`` keeps its imports light.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Dict, List, Mapping, Optional, Sequence, Tuple

from bot import environment, settings
from bot.paths import ROOT
from bot.rasa.model import latest_model

RASA_PORT = 5005
ACTIONS_PORT = 5055
WEB_PORT = 8000
# TensorFlow's thread pools for the Rasa server (why: bot/environment.py).
RASA_SERVER_ENV = dict(environment.RASA_SERVER_DEFAULTS)


@dataclass(frozen=True)
class Service:
    """One process to supervise."""

    name: str
    command: List[str]
    env_defaults: Dict[str, str] = field(default_factory=dict)


def default_origins(web_port: int = WEB_PORT) -> List[str]:
    """Origins allowed to call Rasa when ``ALLOWED_ORIGINS`` is unset: the demo page."""
    return [f"http://localhost:{web_port}", f"http://127.0.0.1:{web_port}"]


def services(
    *,
    rasa_port: int = RASA_PORT,
    actions_port: int = ACTIONS_PORT,
    web_port: int = WEB_PORT,
    model: Optional[Path] = None,
    endpoints: Path = ROOT / "endpoints.yml",
    origins: Optional[Sequence[str]] = None,
) -> List[Service]:
    """The commands for the three processes (CORS: ``origins``, else ``ALLOWED_ORIGINS``)."""
    rasa_cli = [sys.executable, "-m", "bot.rasa"]  # `rasa` with our warning filters
    origins = origins or settings.allowed_origins() or default_origins(web_port)
    rasa = [
        *rasa_cli,
        "run",
        "--port",
        str(rasa_port),
        "--model",
        str(model or latest_model()),
        "--credentials",
        str(ROOT / "credentials.yml"),
        "--endpoints",
        str(endpoints),
    ]
    rasa += ["--cors", *origins]  # one flag, many values (a repeated flag keeps the last)
    return [
        # the Rasa SDK alone: `rasa run actions` would load Rasa's CLI (+55 MB) first
        Service("actions", [sys.executable, "-m", "actions", "--port", str(actions_port)]),
        Service("rasa", rasa, RASA_SERVER_ENV),
        Service(
            "web",
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bot.web.app:create_app",
                "--factory",
                "--host",
                "0.0.0.0",
                "--port",
                str(web_port),
                "--ws",
                "none",  # the web app has no websockets (uvicorn's need a newer lib)
            ],
        ),
    ]


def ensure_staff_token(env: Dict[str, str]) -> str:
    """Use ``STAFF_TOKEN`` or generate one for this run."""
    token = env.get("STAFF_TOKEN") or secrets.token_urlsafe(24)
    env["STAFF_TOKEN"] = token
    return token


@dataclass(frozen=True)
class Ports:
    """Where the three services listen (SPEC: 5005, 5055, 8000)."""

    rasa: int = RASA_PORT
    actions: int = ACTIONS_PORT
    web: int = WEB_PORT

    def ready_paths(self) -> Dict[str, Tuple[int, str]]:
        """What answers 200 once each service is ready (Rasa: once the model is loaded)."""
        return {
            "actions": (self.actions, "/health"),
            "web": (self.web, "/healthz"),
            "rasa": (self.rasa, "/webhooks/rest/"),
        }


def run(
    train: bool = True,
    ports: Optional[Ports] = None,
    model: Optional[Path] = None,
    endpoints: Optional[Path] = None,
) -> int:
    """Prepare everything, start the services, say when they are ready, supervise them."""
    ports = ports or Ports()
    env = environment.with_defaults(os.environ, extra={})
    token = ensure_staff_token(env)
    print("==> Database migrations", flush=True)
    if not run_step("migrate", env):
        return 1
    if train:
        print("==> Training (only what changed)", flush=True)
        if not run_step("train", env):
            return 1
    print("==> Starting the action server, Rasa (loading the model) and the web app", flush=True)
    to_start = services(
        rasa_port=ports.rasa,
        actions_port=ports.actions,
        web_port=ports.web,
        model=model,
        endpoints=endpoints or ROOT / "endpoints.yml",
    )
    processes = start(to_start, env)
    try:
        ready = wait_until_ready(processes, ports.ready_paths())
    except KeyboardInterrupt:
        ready = False
    if not ready:
        stop(processes)
        return 1
    print(
        f"\n  Hiểu Ý is ready:\n"
        f"    chat widget demo   http://localhost:{ports.web}/\n"
        f"    staff report       http://localhost:{ports.web}/report?token={token}\n"
        f"    Rasa REST channel  http://localhost:{ports.rasa}/webhooks/rest/webhook\n"
        f"    action server      http://localhost:{ports.actions}/webhook\n"
        f"  Ctrl-C stops everything.\n",
        flush=True,
    )
    return supervise(processes)


def run_step(command: str, env: Mapping[str, str]) -> bool:
    """Run ``python -m bot <command>`` in a child process that exits; False if it failed.

    What the step imports (SQLAlchemy, Rasa, TensorFlow) leaves with the child,
    so the supervisor stays small while it watches the services for hours.
    """
    step = subprocess.run([sys.executable, "-m", "bot", command], cwd=ROOT, env=dict(env))
    if step.returncode != 0:
        print(f"!! `python -m bot {command}` failed with code {step.returncode}", flush=True)
    return step.returncode == 0


def wait_until_ready(
    processes: Dict[str, subprocess.Popen],
    ready: Mapping[str, Tuple[int, str]],
    timeout: float = 600.0,
) -> bool:
    """Poll each service's ``(port, path)`` until it answers 200; False when one exits first."""
    waiting = dict(ready)
    deadline = time.monotonic() + timeout
    while waiting and time.monotonic() < deadline:
        for name, (port, path) in list(waiting.items()):
            if processes[name].poll() is not None:
                print(f"!! {name} exited with code {processes[name].returncode}", flush=True)
                return False
            if _answers(f"http://127.0.0.1:{port}{path}"):
                print(f"    {name} ready on :{port}", flush=True)
                del waiting[name]
        time.sleep(0.5)
    if waiting:
        print(f"!! not ready after {timeout:.0f} s: {', '.join(waiting)}", flush=True)
    return not waiting


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # our own port
            return bool(response.status == 200)
    except (OSError, ValueError):
        return False


def start(
    to_start: Sequence[Service],
    env: Dict[str, str],
    logs: Optional[Dict[str, IO[bytes]]] = None,
    cwd: Path = ROOT,
) -> Dict[str, subprocess.Popen]:
    """Start the services in their own process groups (output to ``logs`` if given)."""
    processes = {}
    for service in to_start:
        output = (logs or {}).get(service.name)
        processes[service.name] = subprocess.Popen(
            service.command,
            cwd=cwd,
            env={**service.env_defaults, **env},
            start_new_session=True,
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
        )
    return processes


def stop(processes: Dict[str, subprocess.Popen], timeout: float = 10.0) -> None:
    """Terminate every process group, then kill what is left."""
    for process in processes.values():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for process in processes.values():
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def supervise(processes: Dict[str, subprocess.Popen]) -> int:
    """Wait until Ctrl-C or until one process exits; then stop all."""
    stopping = {"signal": False}

    def _on_signal(signum: int, _frame: object) -> None:
        stopping["signal"] = True

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    try:
        while not stopping["signal"]:
            for name, process in processes.items():
                if process.poll() is not None:
                    print(f"!! {name} exited with code {process.returncode}; stopping", flush=True)
                    return process.returncode or 1
            time.sleep(0.5)
        return 0
    finally:
        stop(processes)
