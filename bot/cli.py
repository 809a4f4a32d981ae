"""``python -m bot <command>``: the command-line entry points.

Each command is a small function that parses its arguments and delegates to
the module that owns the work; heavy imports happen inside the functions so
``--help`` stays instant. The harness around the product (evaluation,
benchmarks, soak) has its own entry point, ``python -m harness``.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, List, Mapping, Optional, TextIO

from bot import environment
from bot.paths import MODELS_DIR

if TYPE_CHECKING:  # pragma: no cover
    from bot.report.summary import Period


def cmd_infer(args: argparse.Namespace) -> int:
    """Read messages on stdin (one per line), write one JSON object per line."""
    from bot.infer import NeedInferrer

    inferrer = NeedInferrer(Path(args.model) if args.model else None)
    out: TextIO = sys.stdout
    for line in sys.stdin:
        out.write(json.dumps(inferrer.infer(line.rstrip("\r\n")), ensure_ascii=False) + "\n")
        out.flush()
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    """Train (only what changed) and print how long it took."""
    from bot.rasa.model import train
    from bot.training.progress import show_training_progress

    components = show_training_progress()
    run = train(nlu_only=args.nlu, force=args.force)
    print(components.summary(run.model, run.seconds), file=sys.stderr)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Migrate, train if stale, start Rasa, the action server and the web app."""
    from bot.serve import Ports, run

    given = {"rasa": args.rasa_port, "actions": args.actions_port, "web": args.web_port}
    ports = Ports(**{name: port for name, port in given.items() if port is not None})
    model = Path(args.model) if args.model else None
    endpoints = Path(args.endpoints) if args.endpoints else None
    return run(train=not args.no_train, ports=ports, model=model, endpoints=endpoints)


def cmd_migrate(args: argparse.Namespace) -> int:
    """Apply the need-log migrations to ``DATABASE_URL``."""
    from bot.store.migrate import upgrade

    upgrade(args.url)
    print("Database is up to date.", file=sys.stderr)
    return 0


def _period(args: argparse.Namespace) -> "Period":
    from bot import settings
    from bot.report.summary import Period

    tz = settings.report_timezone()
    if args.start or args.end:
        if not (args.start and args.end) or args.end < args.start:
            raise SystemExit("--start and --end go together, with start <= end")
        try:
            return Period.between(args.start, args.end, tz)
        except (OverflowError, ValueError) as error:
            raise SystemExit(f"--start/--end out of range: {error}") from error
    return Period.last_days(args.days, tz=tz)


def cmd_report(args: argparse.Namespace) -> int:
    """Print the needs summary as a table (or CSV / JSON)."""
    from bot import settings
    from bot.needs.catalog import Catalog
    from bot.report.export import to_csv, to_table
    from bot.report.rules import RecommendationRule
    from bot.report.summary import build_report
    from bot.store.db import make_engine

    rule, period = RecommendationRule.load(), _period(args)
    report = build_report(
        make_engine(),
        Catalog.load(),
        rule,
        period,
        channel=args.channel,
        long_wait_minutes=settings.long_wait_minutes(),
    )
    if args.format == "json":
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    elif args.format == "csv":
        sys.stdout.write(to_csv(report))
    else:
        print(to_table(report))
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    """Fill the database with a month of realistic synthetic needs."""
    from bot.needs.catalog import Catalog
    from bot.report.demo_data import seed_demo
    from bot.store.db import make_engine
    from bot.store.migrate import upgrade

    upgrade()
    written = seed_demo(make_engine(), Catalog.load(), days=args.days, seed=args.seed)
    print(f"Seeded {written} needs over {args.days} days.", file=sys.stderr)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Check catalog <-> domain <-> NLU <-> rules/stories; every problem with file:line."""
    from bot.training.validate import main as validate

    return validate(Path(args.root) if args.root else None, run_rasa=not args.skip_rasa)


def cmd_export_unrecognized(args: argparse.Namespace) -> int:
    """Write the need log's unrecognised requests as a draft NLU file to review."""
    from bot.store.db import make_engine
    from bot.training.export import NeedLogUnavailableError, export_unrecognized, write_draft

    try:
        if args.out and Path(args.out).exists() and not args.force:
            raise FileExistsError(f"{args.out} exists; choose another --out or add --force")
        draft = export_unrecognized(make_engine(), args.days)
        if args.out:
            write_draft(draft, Path(args.out), force=args.force)
        else:
            sys.stdout.write(draft.text)
    except (FileExistsError, NeedLogUnavailableError) as error:
        print(error, file=sys.stderr)
        return 1
    print(f"{draft.requests} requests in {draft.groups} groups.", file=sys.stderr)
    return 0


COMMANDS: Dict[str, Callable[[argparse.Namespace], int]] = {
    "infer": cmd_infer,
    "train": cmd_train,
    "run": cmd_run,
    "migrate": cmd_migrate,
    "report": cmd_report,
    "seed-demo": cmd_seed_demo,
    "validate": cmd_validate,
    "export-unrecognized": cmd_export_unrecognized,
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for all commands."""
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    infer = commands.add_parser("infer", help="stdin lines -> JSON lines with the need")
    infer.add_argument("--model", help=f"model archive (default: newest in {MODELS_DIR})")

    train = commands.add_parser("train", help="train the model (only what changed)")
    train.add_argument("--nlu", action="store_true", help="train the NLU part only")
    train.add_argument("--force", action="store_true", help="retrain everything")

    run = commands.add_parser("run", help="start Rasa :5005, actions :5055 and the web app :8000")
    run.add_argument("--no-train", action="store_true", help="use the newest model as it is")
    for name, port in (("rasa", 5005), ("actions", 5055), ("web", 8000)):
        run.add_argument(f"--{name}-port", type=int, help=f"default {port} (SPEC)")
    run.add_argument("--model", help=f"model archive (default: newest in {MODELS_DIR})")
    run.add_argument("--endpoints", help="default endpoints.yml (actions on :5055)")

    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.add_argument("--url", help="database URL (default: DATABASE_URL)")

    report = commands.add_parser("report", help="print the needs summary")
    report.add_argument("--days", type=_positive_days, default=7, help="last N days (default 7)")
    report.add_argument("--start", type=date.fromisoformat, help="first day (YYYY-MM-DD)")
    report.add_argument("--end", type=date.fromisoformat, help="last day (YYYY-MM-DD)")
    report.add_argument("--format", choices=("table", "csv", "json"), default="table")
    report.add_argument("--channel", help="only this channel (rest, facebook, zalo)")

    seed = commands.add_parser("seed-demo", help="fill the database with a demo month")
    seed.add_argument("--days", type=_positive_days, default=30)
    seed.add_argument("--seed", type=int, default=7)

    check = commands.add_parser("validate", help="check the training data (file:line)")
    check.add_argument("--root", help="project root (default: this checkout)")
    check.add_argument("--skip-rasa", action="store_true", help="skip `rasa data validate`")

    export = commands.add_parser("export-unrecognized", help="unrecognised requests -> NLU draft")
    export.add_argument("--days", type=_positive_days, default=30, help="last N days (default 30)")
    export.add_argument("--out", help="write to this file (default: stdout)")
    export.add_argument("--force", action="store_true", help="overwrite --out if it exists")

    return parser


def _positive_days(value: str) -> int:
    days = int(value)
    if not 1 <= days <= 366:
        raise argparse.ArgumentTypeError("days must be between 1 and 366")
    return days


def main(argv: Optional[List[str]] = None) -> int:
    """Run the command named in ``argv``."""
    return dispatch(build_parser(), COMMANDS, argv)


def dispatch(
    parser: argparse.ArgumentParser,
    commands: Mapping[str, Callable[[argparse.Namespace], int]],
    argv: Optional[List[str]],
) -> int:
    """Parse ``argv``, apply the environment defaults, run the chosen command."""
    args = parser.parse_args(argv)
    environment.apply()
    return commands[args.command](args)
