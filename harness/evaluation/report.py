"""``make eval``: the held-out and open-world evaluations as Markdown (+ a confusion PNG)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional, Sequence, Tuple

from harness.evaluation.heldout import Evaluation, evaluate
from harness.evaluation.openworld import DEV_SPLITS, most_claimed

if TYPE_CHECKING:  # pragma: no cover
    from harness.evaluation.openworld import EmergencyScores, GroupingScore, OpenWorld


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


def openworld_markdown(result: "OpenWorld", top: int = 8) -> str:
    """The open-world figures: needs found, needs invented, emergencies, grouping."""
    s = result.settings
    lines: List[str] = [
        "# Open-world evaluation",
        "",
        f"- model: `{Path(result.model).name}`",
        f"- thresholds in use: accept {s.accept}, item weight {s.item_weight}, "
        f"non-need margin {s.non_need_margin}, margin {s.margin}",
        "",
        "## Need top-1 (tests/heldout) and false needs (tests/openworld/heldout.yml)",
        "",
        "| style | need messages | need top-1 | not-a-need messages | false-need rate |",
        "|---|---:|---:|---:|---:|",
    ]
    needs = {style: (n, rate) for style, n, rate in result.heldout_needs.rows()}
    for style, n, rate in result.false_need.rows():
        need_n, need_rate = needs.get(style, (0, 0.0))
        lines.append(f"| {style} | {need_n} | {need_rate:.1%} | {n} | {rate:.1%} |")
    lines += ["", "Needs most often wrongly claimed:", ""]
    lines += [
        f"- {need}: {count} (e.g. “{example}”)"
        for need, count, example in most_claimed(result.wrong, top)
    ] or ["- none"]
    lines += [
        "",
        f"## Thresholds on the dev splits ({' + '.join(f'{n}.yml' for n in DEV_SPLITS)} only)",
        "",
        "| accept | item weight | non-need margin | margin | dev need top-1 | dev false-need "
        "| score |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in result.dev[:5]:
        cs = c.settings
        lines.append(
            f"| {cs.accept} | {cs.item_weight} | {cs.non_need_margin} | {cs.margin} "
            f"| {c.need_top1:.1%} "
            f"| {c.false_need:.1%} | {c.score:.3f} |"
        )
    lines += emergency_lines(result.emergencies)
    lines += _grouping_lines(result.groupings)
    return "\n".join(lines) + "\n"


def _grouping_lines(groupings: Sequence["GroupingScore"]) -> List[str]:
    """Purity and adjusted Rand of each way of grouping unrecognised requests."""
    lines: List[str] = []
    lines += [
        "",
        "## Grouping unrecognised requests (tests/openworld/unrecognized_groups.yml)",
        "",
        "Threshold chosen on the first half of each true group, scored on the second half.",
        "",
        "| method | threshold | purity | adjusted Rand | groups found | messages |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {g.method} | {g.threshold} | {g.purity:.3f} | {g.ari:.3f} | {g.groups} | {g.texts} |"
        for g in groupings
    ]
    return lines


def emergency_lines(scores: "EmergencyScores") -> List[str]:
    """Recall and false emergencies where the detector was built, tuned and never looked."""
    sets = (scores.heldout, scores.dev, scores.built_on)
    lines = [
        "",
        "## Emergencies (data/language/emergency.yml + classifier)",
        "",
        "| set | emergencies caught | false emergencies |",
        "|---|---:|---:|",
    ]
    for found in sets:
        caught, total = found.caught
        lines.append(f"| {found.name} | {caught}/{total} | {len(found.false)}/{found.negatives} |")
    lines += [
        "",
        "Held-out: tests/openworld/emergencies_heldout.yml (written unseen, never tuned on) "
        "and every held-out or dev NLU message as negatives. Dev: "
        "tests/openworld/emergencies_dev.yml (written unseen, the rules are tuned on it, "
        "never trained on). Built on: data/language/emergency_examples*.yml and all NLU "
        "training data.",
        "",
        "| category | held-out | dev |",
        "|---|---:|---:|",
    ]
    categories = dict.fromkeys([*scores.heldout.recall, *scores.dev.recall])
    lines += [
        f"| {c} | {_caught(scores.heldout.recall.get(c))} | {_caught(scores.dev.recall.get(c))} |"
        for c in categories
    ]
    lines += [
        "",
        "Classifier threshold, 5-fold cross-validation on the examples it is trained on:",
        "",
        "| threshold | recall | false emergencies |",
        "|---:|---:|---:|",
    ]
    lines += [f"| {t} | {r:.1%} | {f}/{n} |" for t, r, f, n in scores.grid]
    lines += [
        "",
        "Classifier `arbitrate` (a cry, or a phrase in a message not about here and now), "
        "the same cross-validation on the examples only the classifier can confirm:",
        "",
        "| arbitrate | recall | false emergencies |",
        "|---:|---:|---:|",
    ]
    lines += [f"| {t} | {r:.1%} | {f}/{n} |" for t, r, f, n in scores.arbitration]
    for found in sets:
        lines += [f"- missed ({found.name}, {c}): {t}" for c, t in found.missed]
        lines += [f"- false ({found.name}): {t} (“{p}”)" for t, p in found.false]
    return lines


def _caught(recall: Optional[Tuple[int, int]]) -> str:
    return f"{recall[0]}/{recall[1]}" if recall else "–"


def write_openworld(out: Path, model: Optional[Path] = None) -> Path:
    """Run the open-world evaluation and write ``out/openworld.md``."""
    from harness.evaluation.openworld import run

    out.mkdir(parents=True, exist_ok=True)
    path = out / "openworld.md"
    path.write_text(openworld_markdown(run(model)), encoding="utf-8")
    return path
