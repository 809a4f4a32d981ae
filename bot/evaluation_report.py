"""``make eval``: the held-out evaluation written as Markdown + a confusion-matrix PNG."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import List, Optional

from bot.evaluation import Evaluation, evaluate


def confusion_png(evaluation: Evaluation, path: Path) -> None:
    """Intent confusion matrix (rows: gold, columns: predicted), counts in cells."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = sorted(
        {p.example.intent for p in evaluation.predictions}
        | {p.intent for p in evaluation.predictions}
    )
    index = {label: i for i, label in enumerate(labels)}
    grid = [[0] * len(labels) for _ in labels]
    for p in evaluation.predictions:
        grid[index[p.example.intent]][index[p.intent]] += 1
    size = max(8, len(labels) * 0.42)
    figure, axes = plt.subplots(figsize=(size, size))
    axes.imshow(grid, cmap="Blues")
    axes.set_xticks(range(len(labels)), labels, rotation=90, fontsize=8)
    axes.set_yticks(range(len(labels)), labels, fontsize=8)
    axes.set_xlabel("predicted intent")
    axes.set_ylabel("gold intent")
    for row, values in enumerate(grid):
        for column, value in enumerate(values):
            if value:
                colour = "white" if row == column else "#c05621"
                axes.text(
                    column, row, str(value), ha="center", va="center", fontsize=7, color=colour
                )
    axes.set_title(f"Held-out intent confusion ({len(evaluation.predictions)} examples)")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def markdown(evaluation: Evaluation, image_name: str, top: int = 15) -> str:
    """The readable report."""
    lines: List[str] = [
        "# Held-out NLU evaluation",
        "",
        f"- model: `{Path(evaluation.model).name}`",
        f"- date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- examples: {len(evaluation.predictions)} (tests/heldout/, never trained on)",
        f"- parse time: {evaluation.seconds:.1f}s",
        "",
        "## Accuracy by writing style",
        "",
        "| style | examples | need top-1 | intent top-1 |",
        "|---|---:|---:|---:|",
    ]
    for style, (count, need, intent) in evaluation.by_style().items():
        lines.append(f"| {style} | {count} | {need:.1%} | {intent:.1%} |")
    lines += [
        "",
        "Styles: *teencode* has a lexicon teencode word (ko, dc, đt…), *accented* has "
        "diacritics, *unaccented* has none. Need = what `python -m bot infer` prints.",
        "",
        "## Most confused intent pairs",
        "",
        "| gold → predicted | count | examples |",
        "|---|---:|---|",
    ]
    examples = {}
    for p in evaluation.predictions:
        if not p.intent_ok:
            examples.setdefault((p.example.intent, p.intent), []).append(p.example.text)
    for (gold, predicted), count in evaluation.confusion().most_common(top):
        shown = " · ".join(f"“{t}”" for t in examples[(gold, predicted)][:2])
        lines.append(f"| {gold} → {predicted} | {count} | {shown} |")
    per_intent = Counter(p.example.intent for p in evaluation.predictions)
    right = Counter(p.example.intent for p in evaluation.predictions if p.intent_ok)
    lines += ["", "## Per intent", "", "| intent | examples | intent top-1 |", "|---|---:|---:|"]
    for intent in sorted(per_intent):
        lines.append(
            f"| {intent} | {per_intent[intent]} | {right[intent] / per_intent[intent]:.0%} |"
        )
    lines += ["", "## Confusion matrix", "", f"![intent confusion matrix]({image_name})", ""]
    misses = evaluation.misses()
    if misses:
        lines += [
            "## Wrong needs",
            "",
            "| style | gold | predicted | message |",
            "|---|---|---|---|",
        ]
        lines += [f"| {p.style} | {p.gold_need} | {p.need} | {p.example.text} |" for p in misses]
    return "\n".join(lines) + "\n"


def write_report(out: Path, model: Optional[Path] = None) -> Path:
    """Evaluate ``model`` and write ``out/heldout.md`` and ``out/confusion.png``."""
    out.mkdir(parents=True, exist_ok=True)
    evaluation = evaluate(model)
    confusion_png(evaluation, out / "confusion.png")
    path = out / "heldout.md"
    path.write_text(markdown(evaluation, "confusion.png"), encoding="utf-8")
    return path
