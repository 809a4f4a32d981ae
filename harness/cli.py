"""``python -m harness <command>``: evaluation, benchmarks and soak.

``make eval``, ``make bench`` and ``make soak`` call it. These drive the
product from outside and are never deployed, so they live beside ``bot/``
rather than in its command line. Heavy imports happen inside the functions so
``--help`` stays instant.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, Dict, List, Optional

from bot.cli import dispatch


def cmd_eval(args: argparse.Namespace) -> int:
    """Held-out and open-world evaluation: needs, false needs, emergencies, grouping."""
    from harness.evaluation.report import write_openworld, write_report

    model = Path(args.model) if args.model else None
    heldout = write_report(Path(args.out), model)
    openworld = write_openworld(Path(args.out), model)
    print(openworld.read_text(encoding="utf-8"))
    print(f"Written to {heldout} and {openworld}", file=sys.stderr)
    return 0


def cmd_bench_nlu(args: argparse.Namespace) -> int:
    """Train and evaluate our pipeline on a JointIDSF-layout dataset."""
    from harness.bench.jointidsf import DatasetError, main

    try:
        result = main(Path(args.data), args.epochs, Path(args.workdir) if args.workdir else None)
    except DatasetError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(result.table())
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    """Benchmarks vs stock Rasa; writes BENCHMARKS.md."""
    from harness.bench.run import main

    print(main(skip_scale=args.skip_scale, load_only=args.load_only))
    return 0


def cmd_soak(args: argparse.Namespace) -> int:
    """Load and faults on PostgreSQL (+ Redis) for N minutes; prints the figures."""
    from harness.ops.soak import run

    return run(args.minutes, guests=args.guests)


COMMANDS: Dict[str, Callable[[argparse.Namespace], int]] = {
    "eval": cmd_eval,
    "bench-nlu": cmd_bench_nlu,
    "bench": cmd_bench,
    "soak": cmd_soak,
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for all commands."""
    parser = argparse.ArgumentParser(prog="python -m harness", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    evaluate = commands.add_parser("eval", help="evaluate NLU on the held-out split")
    evaluate.add_argument("--model", help="model archive (default: newest)")
    evaluate.add_argument("--out", default="reports/eval", help="output directory")

    bench_nlu = commands.add_parser(
        "bench-nlu",
        help="our pipeline on a JointIDSF dataset (train|dev|test/seq.in,seq.out,label)",
    )
    bench_nlu.add_argument("--data", required=True, help="dataset directory")
    bench_nlu.add_argument("--epochs", type=int, default=40, help="DIET epochs (default 40)")
    bench_nlu.add_argument("--workdir", help="keep the converted data and model here")

    bench = commands.add_parser("bench", help="benchmarks vs stock Rasa -> BENCHMARKS.md")
    bench.add_argument("--skip-scale", action="store_true", help="skip bench-nlu at scale")
    bench.add_argument(
        "--load-only",
        action="store_true",
        help="only latency, throughput and memory with the newest model; print, do not write",
    )

    soak = commands.add_parser("soak", help="load + faults for N minutes on PostgreSQL (+ Redis)")
    soak.add_argument("--minutes", type=float, default=5, help="how long (default 5)")
    soak.add_argument("--guests", type=int, default=50, help="concurrent conversations (50)")
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    """Run the command named in ``argv``."""
    return dispatch(build_parser(), COMMANDS, argv)
