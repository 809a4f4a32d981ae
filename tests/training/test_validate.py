"""`python -m bot validate` finds every inconsistency, with file and line."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

from bot.cli import main
from bot.paths import ROOT
from bot.training.project import Problem, ProjectPaths
from bot.training.validate import ValidationReport, example_key, validate

CATALOG = "data/needs/catalog.yml"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's data files that a test may break."""
    for name in ("data", "tests/heldout", "tests/openworld"):
        shutil.copytree(ROOT / name, tmp_path / name)
    for name in ("domain.yml", "config.yml", "tests/test_stories.yml"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in ``path`` (which must contain it)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, text: str, after: str = "") -> int:
    """1-based line of the first line containing ``text`` (after the line containing ``after``)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines) if i >= start and text in line) + 1


def check(root: Path) -> ValidationReport:
    return validate(ProjectPaths.at(root), run_rasa=False)


def problems_in(report: ValidationReport, root: Path, relative: str) -> List[Problem]:
    return [p for p in report.problems if p.path == root / relative]


def test_the_real_project_passes(capsys):
    report = validate(ProjectPaths.at(), run_rasa=False)
    assert report.problems == []
    assert report.counts["needs"] >= 16
    assert main(["validate", "--skip-rasa"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: ")
    assert "rasa data validate skipped" in out


def test_example_key_ignores_diacritics_case_punctuation_and_spaces():
    assert example_key("Em có  sạc iPhone không?") == example_key("em co sac iphone khong")
    assert example_key("Điện thoại!!") == "dien thoai"


def test_an_example_duplicated_across_intents(project, capsys):
    restroom = project / "data/nlu/needs/restroom.yml"
    edit(restroom, "  examples: |\n", "  examples: |\n    - em có sạc iphone không\n")
    original = line_of(project / "data/nlu/needs/phone_power.yml", "- em có sạc iphone không")

    report = check(project)

    [problem] = problems_in(report, project, "data/nlu/needs/restroom.yml")
    assert problem.line == line_of(restroom, "- em có sạc iphone không")
    assert "intent 'restroom' is also an example of 'phone_power'" in problem.message
    assert f"data/nlu/needs/phone_power.yml:{original}" in problem.message
    assert "accents" not in problem.message  # identical, not just similar
    assert main(["validate", "--root", str(project), "--skip-rasa"]) == 1
    out = capsys.readouterr().out
    assert f"data/nlu/needs/restroom.yml:{problem.line}: example" in out
    assert out.rstrip().splitlines()[-3].startswith("FAILED: 1 problem in 1 file")


def test_a_duplicate_that_only_differs_by_diacritics_case_and_punctuation(project):
    restroom = project / "data/nlu/needs/restroom.yml"
    edit(restroom, "  examples: |\n", "  examples: |\n    - Em co  sac IPHONE khong?\n")

    [problem] = problems_in(check(project), project, "data/nlu/needs/restroom.yml")

    assert problem.line == line_of(restroom, "- Em co  sac IPHONE khong?")
    assert "'Em co  sac IPHONE khong?' of intent 'restroom'" in problem.message
    assert "'em có sạc iphone không'" in problem.message
    assert "same once accents/case are ignored" in problem.message


def test_a_need_without_a_story(project, capsys):
    stories = project / "data/stories/needs.yml"
    text = stories.read_text(encoding="utf-8")
    without = re.sub(r"- story: parking, solved\n(?:  .*\n)+\n", "", text)
    assert without != text
    stories.write_text(without, encoding="utf-8")

    report = check(project)

    [problem] = problems_in(report, project, CATALOG)
    assert problem.line == line_of(project / CATALOG, "  parking:", after="needs:")
    assert problem.message == "need 'parking': no story in data/stories/ uses intent 'parking'"
    assert main(["validate", "--root", str(project), "--skip-rasa"]) == 1
    out = capsys.readouterr().out
    assert f"{CATALOG} (1 problem)\n  {CATALOG}:{problem.line}: need 'parking'" in out


def test_a_need_without_rule_test_story_or_enough_examples(project):
    edit(
        project / "data/rules/needs.yml",
        "  - intent: restroom\n  - action: action_understand_need\n",
        "  - intent: restroom\n  - action: action_feedback\n",
    )
    test_stories = project / "tests/test_stories.yml"
    test_stories.write_text(
        test_stories.read_text(encoding="utf-8").replace("intent: restroom", "intent: greet"),
        encoding="utf-8",
    )
    nlu = project / "data/nlu/needs/restroom.yml"
    lines = nlu.read_text(encoding="utf-8").splitlines()
    nlu.write_text("\n".join(lines[:15]) + "\n", encoding="utf-8")  # 11 examples left

    messages = [p.message for p in problems_in(check(project), project, CATALOG)]
    nlu_problems = problems_in(check(project), project, "data/nlu/needs/restroom.yml")

    assert messages == [
        "need 'restroom': no rule in data/rules/ sends intent 'restroom' to action_understand_need",
        "need 'restroom': no test story in tests/test_stories.yml uses intent 'restroom'",
    ]
    assert [(p.line, p.message.split(",")[0]) for p in nlu_problems] == [
        (3, "intent 'restroom' has 11 examples")
    ]


@pytest.mark.parametrize(
    ("old", "new", "anchor", "message"),
    [
        (
            "        available: true\n        serves: [quick_call]",
            "        available: maybe\n        serves: [quick_call]",
            "available: maybe",
            "needs.phone_power.alternatives[0].available: value is not a valid boolean",
        ),
        (
            "serves: [quick_call]",
            "serves: [one_call]",
            "serves: [one_call]",
            "needs.phone_power.alternatives[0].serves: unknown sub-goal 'one_call'",
        ),  # (and quick_call is now served by nothing: reported too)
        (
            '    reflect: "{Kh} đang cần vào mạng phải không ạ?"\n',
            "",
            "  internet_access:",
            "needs.internet_access.reflect: field required",
        ),
    ],
    ids=["available-maybe", "unknown-sub-goal", "missing-reflect"],
)
def test_a_broken_catalog_field(project, old, new, anchor, message):
    catalog = project / CATALOG
    edit(catalog, old, new)

    found = {(p.line, p.message) for p in problems_in(check(project), project, CATALOG)}

    assert (line_of(catalog, anchor, after="needs:"), message) in found


def test_every_catalog_problem_is_reported_at_once(project):
    catalog = project / CATALOG
    edit(catalog, "        available: true\n", "        available: maybe\n")
    edit(catalog, "serves: [charge_own_phone]", "serves: [charge_phone]")
    edit(catalog, "items: [wifi, wifi_password,", "items: [wifi, wifi_pass,")
    edit(catalog, '    reflect: "{Kh} đang cần vào mạng phải không ạ?"\n', "")

    report = check(project)

    found = {(p.line, p.message) for p in problems_in(report, project, CATALOG)}
    assert found == {
        (
            line_of(catalog, "available: maybe"),
            "needs.phone_power.alternatives[0].available: value is not a valid boolean",
        ),
        (
            line_of(catalog, "serves: [charge_phone]"),
            "needs.phone_power.alternatives[1].serves: unknown sub-goal 'charge_phone'",
        ),
        (
            line_of(catalog, "  internet_access:", after="needs:"),
            "needs.internet_access.reflect: field required",
        ),
        (
            line_of(catalog, "items: [wifi, wifi_pass,"),
            "needs.internet_access.items[1]: unknown item 'wifi_pass'",
        ),
    }
    assert not report.ok


def test_intents_responses_and_entities_must_agree(project):
    domain = project / "domain.yml"
    edit(domain, "  - out_of_scope\n", "  - out_of_scope\n  - ask_wine_list\n")
    edit(domain, '"Dạ em chào anh/chị ạ!', '"Dạ em chào {kh} ạ!')
    rules = project / "data/rules/conversation.yml"  # a trainer answers "chào" with a rule
    edit(
        rules,
        "- rule: greet goes to the need engine (quiet while a person holds the chat)\n"
        "  steps:\n  - intent: greet\n  - action: action_understand_need\n",
        "- rule: greet\n  steps:\n  - intent: greet\n  - action: utter_greet\n",
    )
    edit(domain, "  utter_glad:", "  utter_happy:")
    conversation = project / "data/nlu/conversation.yml"
    with conversation.open("a", encoding="utf-8") as file:
        file.write("\n- intent: TODO_new_need_1\n  examples: |\n    - cho em mang chó vào\n")
    nlu = project / "data/nlu/needs/restroom.yml"
    edit(nlu, "  examples: |\n", "  examples: |\n    - cho mượn [cái bàn](item) với\n")

    report = check(project)

    domain_problems = {p.line: p.message for p in problems_in(report, project, "domain.yml")}
    assert domain_problems[line_of(domain, "- ask_wine_list")].startswith(
        "intent 'ask_wine_list' has no NLU examples and is neither a catalog need"
    )
    greet_line = line_of(domain, "Dạ em chào {kh}")
    assert "response 'utter_greet' contains {kh}" in domain_problems[greet_line]
    assert "rule 'greet' (data/rules/conversation.yml:" in domain_problems[greet_line]
    assert "response 'utter_glad' is missing" in domain_problems[line_of(domain, "responses:")]
    [todo] = problems_in(report, project, "data/nlu/conversation.yml")
    assert todo.line == line_of(conversation, "- intent: TODO_new_need_1")
    assert "is not in the domain's intents and is neither a catalog need" in todo.message
    [item] = problems_in(report, project, "data/nlu/needs/restroom.yml")
    assert item.line == line_of(nlu, "[cái bàn](item)")
    assert "'cái bàn' is annotated as item" in item.message


def test_held_out_examples_must_not_be_trained_on(project):
    heldout = (project / "tests/heldout/restroom.yml").read_text(encoding="utf-8")
    leaked = next(line for line in heldout.splitlines() if line.startswith("    - "))[6:]
    nlu = project / "data/nlu/needs/restroom.yml"
    edit(nlu, "  examples: |\n", f"  examples: |\n    - {leaked}\n")

    [problem] = problems_in(check(project), project, "data/nlu/needs/restroom.yml")

    assert problem.line == 5  # the first example, right under `examples: |`
    assert "is in the held-out split (tests/heldout/restroom.yml:" in problem.message


def test_story_buttons_must_name_real_needs_and_sub_goals(project):
    stories = project / "data/stories/charger.yml"
    edit(stories, "sub_goal: quick_call", "sub_goal: one_call")

    [problem] = problems_in(check(project), project, "data/stories/charger.yml")

    assert problem.line == line_of(stories, "sub_goal: one_call")
    assert problem.message.endswith("need 'phone_power' has no sub-goal 'one_call'")


def test_a_yaml_syntax_error_names_the_line(project):
    stories = project / "data/stories/charger.yml"
    with stories.open("a", encoding="utf-8") as file:
        file.write("\n- story: broken\n  steps:\n  - intent: greet\n   - action: utter_greet\n")

    [problem] = problems_in(check(project), project, "data/stories/charger.yml")

    assert problem.line == line_of(stories, "   - action: utter_greet")
    assert problem.message.startswith("YAML syntax error: ")


@pytest.mark.slow
def test_make_validate_passes_on_the_real_project_including_rasa():
    finished = subprocess.run(
        [sys.executable, "-m", "bot", "validate"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert finished.stdout.startswith("OK: ")
    assert "rasa data validate passed" in finished.stdout


def test_a_broken_emergency_phrase_file_is_reported(project):
    edit(project / "data/language/emergency.yml", "    severe: [gọi 115,", "    severe: gọi 115 [")
    problems = problems_in(check(project), project, "data/language/emergency.yml")
    assert len(problems) == 1 and "categories.general.severe" in problems[0].message


def test_an_open_world_message_in_the_training_data_is_a_leak(project):
    phone = project / "data/nlu/needs/phone_power.yml"
    edit(phone, "  examples: |\n", "  examples: |\n    - cho mình xem thực đơn\n")
    (problem,) = problems_in(check(project), project, "data/nlu/needs/phone_power.yml")
    assert "tests/openworld/heldout.yml" in problem.message


def test_a_broken_business_profile_fails_validation_with_its_line(project, capsys):
    business = project / "data/business.yml"
    edit(business, "    price: 60000\n    category: Bún", '    price: "ba mươi"\n    category: Bún')

    report = check(project)

    [problem] = problems_in(report, project, "data/business.yml")
    assert problem.line == line_of(business, 'price: "ba mươi"')
    assert problem.message == 'menu[5].price: must be a positive number of đồng, got "ba mươi"'
    assert main(["validate", "--skip-rasa", "--root", str(project)]) == 1
    assert f"data/business.yml:{problem.line}: menu[5].price" in capsys.readouterr().out
