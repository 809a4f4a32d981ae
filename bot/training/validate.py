"""``python -m bot validate``: is the training data consistent? Every problem at once.

Checks, each problem reported with file and line:

* the catalog, the business profile and the lexicon load (their own
  validation, every problem);
* every catalog need has an intent of the same name in the domain and in the
  NLU data (at least :data:`MIN_EXAMPLES` examples), a rule sending it to the
  need engine, a story and a test story;
* no example appears under two intents, even once diacritics, case,
  punctuation and spacing are ignored, and none comes from the held-out split;
* NLU and domain list the same intents, each a catalog need or a
  conversation intent; ``item`` entities name catalog items;
* rules/stories use known intents, actions and responses; responses they
  use directly contain no ``{kh}`` (only the actions fill it); button
  entities name real needs and sub-goals; every response the need engine
  says exists;
* finally ``rasa data validate`` (skippable for fast unit tests).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Set, Tuple

from bot.language.address import GUEST_PLACEHOLDERS
from bot.language.text import fold, format_fields
from bot.needs.catalog import ITEM_ENTITY
from bot.needs.dialogue import REQUEST_INTENTS, SPOKEN_RESPONSES
from bot.needs.inference import FALLBACK_INTENT
from bot.training.project import (
    Domain,
    Example,
    Flow,
    IntentBlock,
    Problem,
    ProjectPaths,
    read_domain,
    read_flows,
    read_nlu,
    read_yaml,
)
from bot.training.rasa_validate import RasaValidation

MIN_EXAMPLES = 20
NEED_ACTION = "action_understand_need"
# Intents that are not needs (SPEC §3); button-only ones have no NLU examples.
CONVERSATION_INTENTS = frozenset(
    {"greet", "goodbye", "thanks", "affirm", "deny", "bot_challenge", "ask_human", "out_of_scope"}
) | frozenset(REQUEST_INTENTS)
BUTTON_INTENTS = frozenset({"choose_need", "choose_subgoal", "rate"})
# Rasa's action_default_fallback says utter_default.
RASA_USED_RESPONSES = frozenset({"utter_default"})

_PUNCTUATION = re.compile(r"[^\w\s]", re.UNICODE)
_LOCATED = re.compile(r":(\d+): ")


def example_key(text: str) -> str:
    """What makes two examples the same: no diacritics, case, punctuation or extra spaces."""
    return " ".join(_PUNCTUATION.sub(" ", fold(text)).split())


@dataclass
class CatalogFacts:
    """Need ids (with lines), item ids and spellings, sub-goals: even from a broken catalog."""

    path: Path
    needs: Dict[str, Optional[int]] = field(default_factory=dict)
    items: Set[str] = field(default_factory=set)
    spellings: Set[str] = field(default_factory=set)  # folded
    sub_goals: Dict[str, Set[str]] = field(default_factory=dict)


@dataclass
class ValidationReport:
    """Problems found, what was checked, and Rasa's verdict."""

    paths: ProjectPaths
    problems: List[Problem]
    counts: Dict[str, int]
    rasa: Optional[RasaValidation] = None

    @property
    def ok(self) -> bool:
        """No problem at all."""
        return not self.problems

    def render(self) -> str:
        """The report a trainer reads: problems grouped by file, or a short OK summary."""
        lines: List[str] = []
        by_file: Dict[str, List[Problem]] = defaultdict(list)
        for problem in self.problems:
            name = self.paths.show(problem.path) if problem.path else "rasa data validate"
            by_file[name].append(problem)
        for name, problems in by_file.items():
            lines.append(f"{name} ({_plural(len(problems), 'problem')})")
            for problem in sorted(problems, key=lambda p: p.line or 0):
                where = f"{name}:{problem.line}" if problem.line else name
                message = problem.message.replace("\n", "\n      ")
                lines.append(f"  {where}: {message}" if problem.path else f"  {message}")
            lines.append("")
        if self.rasa and self.rasa.warnings:
            lines.append("rasa data validate warnings (not blocking):")
            lines += [f"  {warning}" for warning in self.rasa.warnings]
            lines.append("")
        lines.append(self._summary())
        return "\n".join(lines)

    def _summary(self) -> str:
        c = self.counts
        checked = (
            f"{_plural(c['needs'], 'need')}, {_plural(c['intents'], 'intent')} "
            f"({_plural(c['examples'], 'example')}), {_plural(c['rules'], 'rule')}, "
            f"{_plural(c['stories'], 'story', 'stories')}, "
            f"{_plural(c['test_stories'], 'test story', 'test stories')}, "
            f"{_plural(c['responses'], 'response')}"
        )
        if self.rasa is None:
            rasa = "rasa data validate skipped"
        elif self.rasa.ok:
            rasa = (
                f"rasa data validate passed in {self.rasa.seconds:.1f}s "
                f"({self.rasa.expected_warnings} expected warnings: responses said by the "
                "need engine, button-only intents)"
            )
        else:
            rasa = f"rasa data validate FAILED (exit {self.rasa.returncode})"
        if self.ok:
            return f"OK: {checked}.\n{rasa}."
        files = len({p.path for p in self.problems})
        return (
            f"FAILED: {_plural(len(self.problems), 'problem')} in {_plural(files, 'file')}; "
            f"fix them and run `make validate` again.\nChecked {checked}.\n{rasa}."
        )


def _plural(count: int, word: str, plural: Optional[str] = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def validate(paths: ProjectPaths, *, run_rasa: bool = True) -> ValidationReport:
    """Check the project at ``paths``; ``run_rasa=False`` skips ``rasa data validate``."""
    problems: List[Problem] = []
    facts = _check_catalog(paths.catalog, problems)
    problems += _check_business(paths.business)
    problems += _check_lexicon(paths.lexicon)
    domain, unreadable = read_domain(paths.domain)
    problems += unreadable
    blocks, unreadable = read_nlu(paths.nlu)
    problems += unreadable
    heldout, unreadable = read_nlu(paths.heldout)
    problems += unreadable
    openworld, unreadable = read_nlu(paths.openworld)  # the open-world splits, never trained on
    problems += unreadable
    heldout += openworld
    flows, unreadable = read_flows([paths.rules, paths.stories])
    problems += unreadable
    tests, unreadable = read_flows([paths.test_stories])
    problems += unreadable

    if facts is not None:
        problems += _check_needs(facts, domain, blocks, flows, tests, paths)
        problems += _check_entities(blocks, facts)
        problems += _check_flow_entities([*flows, *tests], facts)
    if domain is not None:
        problems += _check_intents(domain, blocks, facts)
        problems += _check_flows([*flows, *tests], domain, paths)
        problems += _check_code_responses(domain)
    problems += _check_duplicates(blocks, paths)
    problems += _check_emergency_phrases(paths)
    problems += _check_heldout(blocks, heldout, paths)

    rasa = None
    if run_rasa:
        from bot.training import rasa_validate

        known = set(SPOKEN_RESPONSES) | RASA_USED_RESPONSES
        known |= set(domain.form_questions) if domain is not None else set()
        rasa = rasa_validate.run(paths, known, BUTTON_INTENTS)
        if not rasa.ok:
            problems += [Problem(None, None, error) for error in rasa.errors]
    counts = {
        "needs": len(facts.needs) if facts else 0,
        "intents": len({b.intent for b in blocks}),
        "examples": sum(len(b.examples) for b in blocks),
        "rules": sum(f.kind == "rule" for f in flows),
        "stories": sum(f.kind == "story" for f in flows),
        "test_stories": sum(f.kind == "story" for f in tests),
        "responses": len(domain.responses) if domain else 0,
    }
    return ValidationReport(paths, _unique(problems), counts, rasa)


def _unique(problems: Sequence[Problem]) -> List[Problem]:
    return list(dict.fromkeys(problems))


# ----- catalog and lexicon -----


def _check_catalog(path: Path, problems: List[Problem]) -> Optional[CatalogFacts]:
    """Load the catalog (its own checks) and read the facts the other checks need."""
    from bot.needs.catalog import Catalog, CatalogError

    source, unreadable = read_yaml(path)
    if source is None:
        problems += unreadable
        return None
    try:
        Catalog.load(path)
    except CatalogError as error:
        problems += [_located(path, text) for text in error.problems]
    facts = CatalogFacts(path)
    root = _mapping(source.root)
    for item_id, item in _mapping(root.get("items")).items():
        facts.items.add(str(item_id))
        for key in ("synonyms", "exact"):
            facts.spellings.update(fold(str(s)) for s in _sequence(_mapping(item).get(key)))
    for need_id, raw_need in _mapping(root.get("needs")).items():
        facts.needs[str(need_id)] = source.line_of(["needs", need_id])
        need = _mapping(raw_need)
        options = _sequence(_mapping(need.get("clarify")).get("options"))
        facts.sub_goals[str(need_id)] = {
            str(o["id"]) for o in options if isinstance(o, dict) and "id" in o
        }
        # Cross-references, also when the catalog's own check stopped at a field error
        # (same wording as the catalog's messages, so duplicates collapse).
        for index, item_id in enumerate(need.get("items") or []):
            if str(item_id) not in facts.items:
                where = ["needs", need_id, "items", index]
                problems.append(_located(path, source.problem(where, f"unknown item '{item_id}'")))
        for index, alternative in enumerate(need.get("alternatives") or []):
            serves = alternative.get("serves") if isinstance(alternative, dict) else None
            for sub_goal in serves if isinstance(serves, list) else []:
                if str(sub_goal) not in facts.sub_goals[str(need_id)]:
                    where = ["needs", need_id, "alternatives", index, "serves"]
                    problems.append(
                        _located(path, source.problem(where, f"unknown sub-goal '{sub_goal}'"))
                    )
    return facts


def _mapping(value: object) -> Dict[Any, Any]:
    """``value`` if it is a mapping, else an empty one (a malformed file is reported elsewhere)."""
    return value if isinstance(value, dict) else {}


def _sequence(value: object) -> List[Any]:
    """``value`` if it is a list, else an empty one."""
    return value if isinstance(value, list) else []


def _located(path: Path, text: str) -> Problem:
    """A ``file:line: message`` string (as the catalog reports) as a :class:`Problem`."""
    rest = text[len(str(path)) :] if text.startswith(str(path)) else text
    found = _LOCATED.match(rest)
    if found:
        return Problem(path, int(found.group(1)), rest[found.end() :])
    return Problem(path, None, rest.lstrip(": "))


def _check_business(path: Path) -> List[Problem]:
    """The business profile (``data/business.yml``) loads: every problem with its line."""
    from bot.business.profile import BusinessProfile, ProfileError

    try:
        BusinessProfile.load(path)
    except ProfileError as error:
        return [_located(path, text) for text in error.problems]
    return []


def _check_lexicon(path: Path) -> List[Problem]:
    from bot.language.lexicon import Lexicon, LexiconError

    try:
        Lexicon.load(path)
    except LexiconError as error:
        message = str(error).replace(f"{path}: ", "", 1)
        return [Problem(path, _lexicon_line(path, message), message)]
    return []


def _lexicon_line(path: Path, message: str) -> Optional[int]:
    """Line of the ``section.standard`` entry a lexicon error names."""
    source, _ = read_yaml(path)
    entry = message.split(":", 1)[0]
    if source is None or "." not in entry:
        return None
    return source.line_of(entry.split(".", 1))


# ----- needs: intent, examples, rule, story, test story -----


def _check_needs(
    facts: CatalogFacts,
    domain: Optional[Domain],
    blocks: Sequence[IntentBlock],
    flows: Sequence[Flow],
    tests: Sequence[Flow],
    paths: ProjectPaths,
) -> Iterator[Problem]:
    examples: Dict[str, int] = defaultdict(int)
    first_block: Dict[str, IntentBlock] = {}
    for block in blocks:
        examples[block.intent] += len(block.examples)
        first_block.setdefault(block.intent, block)
    routed = {i for f in flows if f.kind == "rule" for i in f.intents_followed_by(NEED_ACTION)}
    in_stories = {i for f in flows if f.kind == "story" for i in f.intents()}
    in_tests = {i for f in tests for i in f.intents()}
    for need, line in facts.needs.items():
        missing: List[str] = []
        if domain is not None and need not in domain.intents:
            missing.append(
                f"no intent '{need}' in {paths.show(domain.path)} (add it under intents:)"
            )
        if need not in first_block:
            missing.append(
                f"no NLU examples for intent '{need}' (add {paths.show(paths.nlu)}/needs/"
                f"{need}.yml with at least {MIN_EXAMPLES})"
            )
        elif examples[need] < MIN_EXAMPLES:
            block = first_block[need]
            yield Problem(
                block.path,
                block.line,
                f"intent '{need}' has {examples[need]} examples, a need needs at least "
                f"{MIN_EXAMPLES} (mix accented, unaccented and teencode)",
            )
        if need not in routed:
            missing.append(
                f"no rule in {paths.show(paths.rules)}/ sends intent '{need}' to {NEED_ACTION}"
            )
        if need not in in_stories:
            missing.append(f"no story in {paths.show(paths.stories)}/ uses intent '{need}'")
        if need not in in_tests:
            missing.append(
                f"no test story in {paths.show(paths.test_stories)} uses intent '{need}'"
            )
        yield from (Problem(facts.path, line, f"need '{need}': {m}") for m in missing)


# ----- intents: NLU <-> domain <-> catalog -----


def _check_intents(
    domain: Domain, blocks: Sequence[IntentBlock], facts: Optional[CatalogFacts]
) -> Iterator[Problem]:
    nlu: Dict[str, IntentBlock] = {}
    for block in blocks:
        nlu.setdefault(block.intent, block)
    known = CONVERSATION_INTENTS | BUTTON_INTENTS | set(facts.needs if facts else ())
    for intent, block in nlu.items():
        issues = [] if intent in domain.intents else ["is not in the domain's intents"]
        if facts is not None and intent not in known:
            issues.append(_NOT_A_NEED)
        if issues:
            yield Problem(block.path, block.line, f"intent '{intent}' {' and '.join(issues)}")
    for intent, line in domain.intents.items():
        if intent in nlu:
            continue
        issues = [] if intent in BUTTON_INTENTS | {FALLBACK_INTENT} else ["has no NLU examples"]
        if facts is not None and intent not in known and intent != FALLBACK_INTENT:
            issues.append(_NOT_A_NEED)
        if issues:
            yield Problem(domain.path, line, f"intent '{intent}' {' and '.join(issues)}")


_NOT_A_NEED = (
    "is neither a catalog need nor a conversation intent (add the need to the catalog, "
    "or rename the intent to a need id / move its examples to an existing intent)"
)


# ----- examples -----


def _check_duplicates(blocks: Sequence[IntentBlock], paths: ProjectPaths) -> Iterator[Problem]:
    seen: Dict[str, Example] = {}
    for example in (e for block in blocks for e in block.examples):
        key = example_key(example.plain)
        first = seen.setdefault(key, example)
        if first is not example and first.intent != example.intent:
            same = "" if first.plain == example.plain else " (same once accents/case are ignored)"
            yield Problem(
                example.path,
                example.line,
                f"example '{example.text}' of intent '{example.intent}' is also an example "
                f"of '{first.intent}': '{first.text}' ({_at(first, paths)}){same}",
            )


def _check_heldout(
    blocks: Sequence[IntentBlock], heldout: Sequence[IntentBlock], paths: ProjectPaths
) -> Iterator[Problem]:
    held = {example_key(e.plain): e for block in heldout for e in block.examples}
    for example in (e for block in blocks for e in block.examples):
        leaked = held.get(example_key(example.plain))
        if leaked is not None:
            yield Problem(
                example.path,
                example.line,
                f"example '{example.text}' is in the held-out split ({_at(leaked, paths)}); "
                "remove it here: held-out messages must never be trained on",
            )


def _check_entities(blocks: Sequence[IntentBlock], facts: CatalogFacts) -> Iterator[Problem]:
    for example in (e for block in blocks for e in block.examples):
        for entity, value in example.entities:
            known = value in facts.items or fold(value) in facts.spellings
            if entity == ITEM_ENTITY and not known:
                yield Problem(
                    example.path,
                    example.line,
                    f"'{value}' is annotated as {ITEM_ENTITY} but is neither a catalog "
                    "item id nor a spelling of one",
                )


def _at(example: Example, paths: ProjectPaths) -> str:
    where = paths.show(example.path)
    return f"{where}:{example.line}" if example.line else where


# ----- rules, stories, responses -----


def _check_flows(flows: Sequence[Flow], domain: Domain, paths: ProjectPaths) -> Iterator[Problem]:
    from rasa.shared.core.constants import DEFAULT_ACTION_NAMES

    actions = set(domain.actions) | set(domain.responses) | set(DEFAULT_ACTION_NAMES)
    actions |= set(domain.forms)
    used_directly: Dict[str, Tuple[Flow, Optional[int]]] = {}
    for flow in flows:
        for step in flow.steps:
            for name in step.names:
                if step.kind == "intent" and name not in domain.intents:
                    if name != FALLBACK_INTENT:
                        yield Problem(
                            flow.path,
                            step.line,
                            f"{flow.kind} '{flow.name}' uses intent '{name}', not in the domain",
                        )
                elif step.kind == "action" and name not in actions:
                    yield Problem(
                        flow.path,
                        step.line,
                        f"{flow.kind} '{flow.name}' uses '{name}', which is neither an action "
                        "nor a response of the domain",
                    )
                elif step.kind == "action" and name in domain.responses:
                    used_directly.setdefault(name, (flow, step.line))
    for response, (flow, line) in used_directly.items():
        for text, text_line in domain.response_texts.get(response, []):
            for placeholder in sorted(_placeholders(text) - set(domain.slots)):
                hint = (
                    " (only the need engine fills it)" if placeholder in GUEST_PLACEHOLDERS else ""
                )
                yield Problem(
                    domain.path,
                    text_line or domain.responses[response],
                    f"response '{response}' contains {{{placeholder}}}{hint}, but "
                    f"{flow.kind} '{flow.name}' ({paths.show(flow.path)}:{line}) says it directly; "
                    "write the text without it or let an action say it",
                )


def _placeholders(text: str) -> Set[str]:
    try:
        return set(format_fields(text))
    except ValueError:  # unbalanced braces: Rasa shows the text as it is
        return set()


def _check_flow_entities(flows: Sequence[Flow], facts: CatalogFacts) -> Iterator[Problem]:
    """Button entities in stories (``need``, ``sub_goal``) must name real ones."""
    for flow in flows:
        for step in flow.steps:
            values = {name: (value, line) for name, value, line in step.entities}
            need, line = values.get("need", ("", None))
            if need and need not in facts.needs:
                yield Problem(flow.path, line, f"{flow.kind} '{flow.name}': unknown need '{need}'")
            sub_goal, line = values.get("sub_goal", ("", None))
            if sub_goal and need in facts.needs and sub_goal not in facts.sub_goals[need]:
                yield Problem(
                    flow.path,
                    line,
                    f"{flow.kind} '{flow.name}': need '{need}' has no sub-goal '{sub_goal}'",
                )


def _check_emergency_phrases(paths: ProjectPaths) -> Iterator[Problem]:
    from bot.language.emergency import EmergencyDetector, EmergencyPhrasesError
    from bot.language.lexicon import Lexicon, LexiconError

    try:
        EmergencyDetector.load(Lexicon.load(paths.lexicon), paths.emergency)
    except (EmergencyPhrasesError, LexiconError) as error:
        yield Problem(paths.emergency, None, str(error))


def _check_code_responses(domain: Domain) -> Iterator[Problem]:
    for name in SPOKEN_RESPONSES:
        if name not in domain.responses:
            yield Problem(
                domain.path,
                domain.sections.get("responses"),
                f"response '{name}' is missing; the need engine says it "
                "(SPOKEN_RESPONSES in bot/needs/dialogue.py)",
            )


def main(root: Optional[Path] = None, run_rasa: bool = True) -> int:
    """Validate, print the report, return the exit code (0 when everything is fine)."""
    report = validate(ProjectPaths.at(root) if root else ProjectPaths.at(), run_rasa=run_rasa)
    print(report.render())
    return 0 if report.ok else 1
