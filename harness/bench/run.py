"""``make bench``: our assistant vs a stock Rasa bot, in one run on this machine.

Prints a table and writes ``BENCHMARKS.md`` (figures, machine, date, command):

1. turn latency p50/p95/p99 and throughput through REST (custom actions and
   need-log writes included), warm, 1 client and 50 concurrent conversations ×
   10 turns, errors counted — and the same for a stock ``rasa init`` bot;
2. held-out NLU accuracy per writing style, our pipeline vs the stock one
   (WhitespaceTokenizer + CountVectorsFeaturizer + DIET; same data and seed);
3. resident memory after warm-up of every process of each stack and their sum
   (ours started by the real supervisor, ``python -m bot run``);
4. training time (full and NLU only), model size;
5. ``bench-nlu`` on a synthetic PhoATIS-sized dataset (training time at scale).

``--load-only`` measures 1 and 3 with the newest model in ``models/`` and
prints them without writing ``BENCHMARKS.md`` (minutes instead of half an hour).
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

from bot import environment
from bot.paths import ROOT
from bot.serve import Service, start, stop
from harness.bench.load import OUR_SCRIPT, STOCK_SCRIPT, LoadResult, compare
from harness.bench.memory import TOTAL, stack_rss
from harness.stack import Supervised, free_port, start_supervised, stop_supervised, wait_for

STOCK_CONFIG = Path(__file__).with_name("stock_config.yml")


@dataclass
class Figures:
    """Everything one bench run measured."""

    load: Dict[str, Tuple[LoadResult, LoadResult]] = field(default_factory=dict)
    rss_mb: Dict[str, Dict[str, float]] = field(default_factory=dict)  # bot -> process -> MB
    train_seconds: Dict[str, float] = field(default_factory=dict)
    model_mb: Dict[str, float] = field(default_factory=dict)
    accuracy: Dict[str, Dict[str, Tuple[int, float, float]]] = field(default_factory=dict)
    bench_nlu: Optional[str] = None
    load_average: List[str] = field(default_factory=list)  # before and after the load runs


def load_average() -> str:
    """The machine's load average (1, 5, 15 min): other work shares these cores."""
    try:
        with open("/proc/loadavg", encoding="utf-8") as handle:
            return " ".join(handle.read().split()[:3])
    except OSError:
        return "?"


def machine() -> str:
    """CPU, cores, memory and OS of this machine."""
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next(
                line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    memory = "?"
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            kib = int(next(line.split()[1] for line in handle if line.startswith("MemTotal")))
            memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        pass
    system = f"{platform.platform()}, Python {platform.python_version()}"
    return f"{cpu}, {os.cpu_count()} cores, {memory} RAM, {system}"


def _cold(work: Path, name: str) -> None:
    """A fresh, empty Rasa cache: training times without restored components."""
    os.environ["RASA_CACHE_DIRECTORY"] = str(work / "rasa-cache" / name)


def _train(work: Path, figures: Figures) -> Tuple[Path, Path]:
    from bot.rasa.model import train

    _cold(work, "ours-full")
    full = train(force=True, out=work / "ours-full", fixed_name="ours")
    figures.train_seconds["ours, full (NLU + dialogue)"] = full.seconds
    figures.model_mb["ours"] = full.model.stat().st_size / 2**20
    _cold(work, "ours-nlu")
    nlu = train(nlu_only=True, out=work / "ours-nlu", fixed_name="ours-nlu")
    figures.train_seconds["ours, NLU only"] = nlu.seconds
    _cold(work, "stock-nlu")
    stock = train(nlu_only=True, config=STOCK_CONFIG, out=work / "stock-nlu", fixed_name="stock")
    figures.train_seconds["stock pipeline, NLU only"] = stock.seconds
    figures.model_mb["stock pipeline (NLU)"] = stock.model.stat().st_size / 2**20
    return full.model, stock.model


def _accuracy(ours: Path, stock: Path, figures: Figures) -> None:
    from harness.evaluation.heldout import evaluate

    figures.accuracy["ours"] = evaluate(ours).by_style()
    figures.accuracy["stock"] = evaluate(stock).by_style()


@contextmanager
def _our_stack(work: Path, model: Path) -> Iterator[Supervised]:
    """Ours as `make run` starts it: the supervisor and its three services."""
    stack = start_supervised(work / "ours-stack", model)
    try:
        yield stack
    finally:
        stop_supervised(stack)


@contextmanager
def _stock_stack(work: Path, figures: Figures) -> Iterator[Tuple[str, Dict[str, int]]]:
    """`rasa init`'s bot as it comes: its Rasa server and its (empty) action server."""
    project = work / "stock-bot"
    project.mkdir(parents=True)  # rasa init wants an existing directory
    rasa = str(Path(sys.executable).parent / "rasa")
    started = time.perf_counter()
    subprocess.run(
        [rasa, "init", "--no-prompt", "--init-dir", str(project)],
        check=True,
        capture_output=True,
        env=environment.with_defaults(os.environ, extra={}),
    )
    figures.train_seconds["stock `rasa init` bot, full"] = time.perf_counter() - started
    model = next((project / "models").glob("*.tar.gz"))
    figures.model_mb["stock `rasa init` bot"] = model.stat().st_size / 2**20
    port, actions_port = free_port(), free_port()
    stock = [
        Service("rasa", [rasa, "run", "--port", str(port), "--model", str(model)]),
        Service("actions", [rasa, "run", "actions", "--port", str(actions_port)]),
    ]
    logs = {s.name: open(work / f"stock-{s.name}.log", "wb") for s in stock}  # noqa: SIM115
    # the same server settings as ours (bot/environment.py)
    processes = start(stock, environment.with_defaults(os.environ), logs, cwd=project)
    try:
        wait_for(f"http://127.0.0.1:{actions_port}/health", 300, processes["actions"])
        wait_for(f"http://127.0.0.1:{port}/webhooks/rest/", 300, processes["rasa"])
        yield f"http://127.0.0.1:{port}", {n: p.pid for n, p in processes.items()}
    finally:
        stop(processes)
        for log in logs.values():
            log.close()


def _load(work: Path, model: Path, figures: Figures, rounds: int = 3) -> None:
    """Both stacks up at once, measured taking turns; then their memory."""
    with _our_stack(work, model) as ours, _stock_stack(work, figures) as (stock_url, stock):
        figures.load_average.append(load_average())
        figures.load = compare(
            {"ours": (ours.rasa_url, OUR_SCRIPT), "stock": (stock_url, STOCK_SCRIPT)}, rounds
        )
        figures.load_average.append(load_average())
        figures.rss_mb["ours"] = stack_rss(ours.pids, own_only=("supervisor",))
        figures.rss_mb["stock"] = stack_rss(stock)


def _bench_nlu(work: Path, figures: Figures) -> None:
    from harness.bench.jointidsf import run as run_bench_nlu
    from harness.bench.synthetic import write_dataset

    data = write_dataset(work / "synthetic-jointidsf")
    figures.bench_nlu = run_bench_nlu(data, work / "bench-nlu").table()


def markdown(figures: Figures, command: str) -> str:
    """BENCHMARKS.md."""
    lines = [
        "# Benchmarks",
        "",
        f"- date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- machine: {machine()}",
        f"- command: `{command}`",
        "- load average (1, 5, 15 min) before and after the load runs: "
        + " → ".join(figures.load_average)
        + " (2 cores, shared with other work)",
        "",
        "## Turn latency through the REST channel (warm)",
        "",
        "Each turn: NLU, policies, the custom action with its need-log write (ours), "
        "the bot's replies. Ours: 12 Vietnamese turns per conversation (needs, buttons, "
        "answers, questions about the restaurant, a booking and a booking-form turn; "
        "`harness/bench/load.py`); stock: `rasa init`'s moodbot with 10 English turns. "
        "Both stacks run at once and are measured taking turns, 3 rounds of 1 client "
        "(10 conversations) then 50 concurrent, pooled (`harness/bench/load.py:compare`). "
        "Both Rasa servers "
        "run with the settings of `bot/environment.py` (`RASA_SERVER_DEFAULTS`: one TensorFlow "
        "thread per op pool).",
        "",
        "| bot | clients | turns | errors | p50 ms | p95 ms | p99 ms | turns/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += _latency_rows(figures)
    lines += memory_rows(figures)
    lines += [
        "",
        "## Held-out NLU accuracy (tests/heldout, never trained on)",
        "",
        "| pipeline | style | examples | need top-1 | intent top-1 |",
        "|---|---|---:|---:|---:|",
    ]
    for pipeline, table in figures.accuracy.items():
        for style, (count, need, intent) in table.items():
            lines.append(f"| {pipeline} | {style} | {count} | {need:.1%} | {intent:.1%} |")
    lines += _size_rows(figures)
    if figures.bench_nlu:
        lines += [
            "",
            "## bench-nlu at PhoATIS scale (synthetic data, see harness/bench/synthetic.py)",
            "",
            "```",
            figures.bench_nlu,
            "```",
        ]
    return "\n".join(lines) + "\n"


def _latency_rows(figures: Figures) -> List[str]:
    """One table row per bot and load, then the ratios ours / stock."""
    lines: List[str] = []
    for bot, results in figures.load.items():
        for result in results:
            lines.append(
                f"| {bot} | {result.clients} | {result.turns} | {result.errors} | "
                f"{result.percentile(50):.0f} | {result.percentile(95):.0f} | "
                f"{result.percentile(99):.0f} | {result.throughput:.1f} |"
            )
    failed = [
        f"{bot}, {result.clients} client(s): {message!r} ×{count}"
        for bot, results in figures.load.items()
        for result in results
        for message, count in result.failed.items()
    ]
    if failed:
        lines += ["", "Turns without a reply (errors): " + "; ".join(failed)]
    if "ours" in figures.load and "stock" in figures.load:
        lines += ["", "Ratio ours / stock:"]
        for index, label in ((0, "1 client"), (1, "50 concurrent")):
            ours, stock = figures.load["ours"][index], figures.load["stock"][index]
            lines.append(
                f"- {label}: p50 ×{ours.percentile(50) / stock.percentile(50):.2f}, "
                f"p95 ×{ours.percentile(95) / stock.percentile(95):.2f}, "
                f"throughput ×{ours.throughput / stock.throughput:.2f}"
            )
    return lines


def _size_rows(figures: Figures) -> List[str]:
    """Training time, model size and server memory."""
    lines: List[str] = []
    lines += ["", "## Training and size", "", "| what | value |", "|---|---:|"]
    lines += [
        f"| training: {name} | {seconds:.0f} s |" for name, seconds in figures.train_seconds.items()
    ]
    lines += [f"| model size: {name} | {mb:.1f} MB |" for name, mb in figures.model_mb.items()]
    return lines


MEMORY_TARGET_MB = 1200  # issue #17: the whole stack on a small VPS


def memory_rows(figures: Figures) -> List[str]:
    """RSS after warm-up per process of each stack (children included) and the sum."""
    bots = list(figures.rss_mb)
    names = list(dict.fromkeys(n for by in figures.rss_mb.values() for n in by if n != TOTAL))
    lines = [
        "",
        "## Memory after warm-up (RSS, every process of the stack)",
        "",
        "Measured after the load above. Ours is started as `make run` starts it (the "
        "supervisor `python -m bot run` and its three services); the stock `rasa init` bot "
        "has a Rasa server and an action server, no supervisor and no web app (—). "
        f"Target for ours: total ≤ {MEMORY_TARGET_MB} MB.",
        "",
        "| process | " + " | ".join(f"{bot} MB" for bot in bots) + " |",
        "|---|" + "---:|" * len(bots),
    ]
    for name in [*names, TOTAL]:
        cells = [f"{by[name]:.0f}" if name in by else "—" for by in figures.rss_mb.values()]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def main(
    out: Path = ROOT / "BENCHMARKS.md", skip_scale: bool = False, load_only: bool = False
) -> str:
    """Run everything and write ``out`` (``load_only``: load and memory, not written)."""
    figures = Figures()
    work = Path(tempfile.mkdtemp(prefix="hieuy-bench-"))
    try:
        if load_only:
            from bot.rasa.model import latest_model

            ours = latest_model()
        else:
            ours, stock = _train(work, figures)
            _accuracy(ours, stock, figures)
        _load(work, ours, figures)
        if not (skip_scale or load_only):
            _bench_nlu(work, figures)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if load_only:
        return markdown(figures, "python -m harness bench --load-only")
    command = "make bench" + (" (python -m harness bench --skip-scale)" if skip_scale else "")
    text = markdown(figures, command) + _kept(out)
    out.write_text(text, encoding="utf-8")
    return text


KEPT_MARK = "<!-- kept by make bench: measured decisions -->"


def _kept(out: Path) -> str:
    """The hand-measured decisions at the end of ``out`` (from :data:`KEPT_MARK` on)."""
    previous = out.read_text(encoding="utf-8") if out.exists() else ""
    at = previous.find(KEPT_MARK)
    return "\n" + previous[at:] if at >= 0 else ""
