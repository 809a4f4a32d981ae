"""``rasa data validate`` as a subprocess, with its output sorted for a trainer.

Rasa warns about every response that no rule or story uses; ours are used by
the need engine (custom actions), and the button-only intents have no NLU
examples, so those warnings are expected and only counted.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Collection, List

from bot import environment
from bot.training.project import ProjectPaths

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_RED = re.compile(r"\x1b\[91m(.*?)\x1b\[0m", re.DOTALL)
_WARNING = re.compile(r"UserWarning: (.*)")
_ERROR = re.compile(r"\bERROR\b\s+(?:[\w.]+\s+-\s+)?(.*)")
_UNUSED_RESPONSE = re.compile(r"The utterance '(\w+)' is not used in any story or rule\.")
_INTENT_WITHOUT_NLU = re.compile(
    r"The intent '(\w+)' is listed in the domain file, but is not found in the NLU training data\."
)


@dataclass
class RasaValidation:
    """What ``rasa data validate`` said."""

    returncode: int
    seconds: float
    errors: List[str] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)  # unexpected ones, shown
    expected_warnings: int = 0  # responses used by actions, button-only intents
    output: str = ""

    @property
    def ok(self) -> bool:
        """Rasa exited with 0."""
        return self.returncode == 0


def command(paths: ProjectPaths) -> List[str]:
    """The ``rasa data validate`` command line, run from the project root."""
    data = [paths.show(p) for p in (paths.nlu, paths.stories, paths.rules)]
    return [
        *(sys.executable, "-m", "rasa", "data", "validate", "--data", *data),
        *("--domain", paths.show(paths.domain), "--config", paths.show(paths.config)),
    ]


def run(
    paths: ProjectPaths,
    action_responses: Collection[str] = (),
    button_intents: Collection[str] = (),
    timeout: float = 600,
) -> RasaValidation:
    """Run Rasa's validator on the project and classify what it printed."""
    env = environment.with_defaults(os.environ, extra={})
    started = time.perf_counter()
    try:
        finished = subprocess.run(
            command(paths),
            cwd=paths.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        returncode, output = finished.returncode, finished.stdout + finished.stderr
    except subprocess.TimeoutExpired:
        returncode, output = -1, f"rasa data validate did not finish within {timeout:.0f}s"
    result = RasaValidation(returncode, time.perf_counter() - started, output=output)
    for line in _ANSI.sub("", output).splitlines():
        warning, error = _WARNING.search(line), _ERROR.search(line)
        if warning:
            text = warning.group(1).strip()
            if _expected(text, action_responses, button_intents):
                result.expected_warnings += 1
            elif text not in result.warnings:
                result.warnings.append(text)
        elif error and error.group(1).strip() not in result.errors:
            result.errors.append(error.group(1).strip())
    if not result.ok:
        # Rasa prints exceptions in red; otherwise show the end of its output.
        shown = [_squeeze(_ANSI.sub("", m)) for m in _RED.findall(output)]
        tail = [line for line in _ANSI.sub("", output).splitlines() if line.strip()][-10:]
        result.errors += [text for text in shown if text] or ([] if result.errors else tail)
        result.errors = result.errors or [f"exit code {returncode}"]
    return result


def _squeeze(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines() if line.strip())


def _expected(
    text: str, action_responses: Collection[str], button_intents: Collection[str]
) -> bool:
    unused = _UNUSED_RESPONSE.search(text)
    if unused:
        return unused.group(1) in action_responses
    no_nlu = _INTENT_WITHOUT_NLU.search(text)
    return no_nlu is not None and no_nlu.group(1) in button_intents
