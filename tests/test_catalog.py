"""The rule catalog: unique ids, complete metadata, and docs/rules.md in step with the code."""

from __future__ import annotations

import inspect
import json
import re
import typing

import pytest

from remit.analysis import Analysis
from remit.cli import main
from remit.engine import SCOPES, all_rules
from remit.report.catalog import markdown
from remit.report.rule_docs import explain

from .conftest import ROOT


def test_rule_metadata_is_complete() -> None:
    for rule in all_rules():
        assert re.fullmatch(r"RMT-[A-Z0-9]+-\d{3}", rule.id), rule.id
        assert rule.title, rule.id
        assert rule.remediation, rule.id
        assert rule.help != rule.title, rule.id
        assert len(rule.help) > 80, f"{rule.id}: the docstring is the rule's documentation; say more"
        assert rule.scope is None or rule.scope in SCOPES, rule.id
        assert rule.module.startswith("remit.rules."), rule.id


def test_every_rule_says_why_an_attacker_cares() -> None:
    rules = all_rules()
    missing = [r.id for r in rules if not r.impact.strip()]
    assert not missing, f"rules without impact= (why an attacker cares): {missing}"
    for rule in rules:
        assert rule.impact.endswith("."), f"{rule.id}: impact is a sentence or two"
        assert len(rule.impact) < 400, f"{rule.id}: impact is a sentence or two, not a second docstring"
        assert rule.impact not in {rule.help, rule.remediation, rule.summary()}, rule.id
    copied = sorted({r.impact for r in rules if sum(o.impact == r.impact for o in rules) > 1})
    assert not copied, f"each rule's impact is its own: {copied}"


def test_impact_is_shown_by_explain_the_catalog_and_rules_json(capsys: pytest.CaptureFixture[str]) -> None:
    rule = next(r for r in all_rules() if r.id == "RMT-TRUST-001")
    text = explain(rule)
    assert " ".join(text.split("Why an attacker cares\n\n", 1)[1].split("\n\nHow to fix", 1)[0].split()) == \
        rule.impact
    assert f"**Why an attacker cares.** {rule.impact}\n" in markdown([rule])
    assert main(["rules", "-f", "json"]) == 0
    rows = {row["id"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["RMT-TRUST-001"]["impact"] == rule.impact


def test_docs_rules_md_is_generated_from_the_catalog() -> None:
    expected = markdown(all_rules())
    actual = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/rules.md is stale: .venv/bin/python scripts/build_rule_docs.py"


def test_each_check_takes_the_subject_its_scope_declares() -> None:
    """A rule's declared scope is the type of its check's first parameter (the whole Analysis for scope None),
    and the second is the Analysis: the engine hands each entity of the scope to the check."""
    for rule in all_rules():
        hints = typing.get_type_hints(rule.check)
        first, second = list(inspect.signature(rule.check).parameters)[:2]
        wanted = Analysis if rule.scope is None else rule.scope
        assert hints[first] is wanted, f"{rule.id}: {first} is {hints[first]}, its scope is {wanted}"
        assert hints[second] is Analysis, f"{rule.id}: {second} is {hints[second]}"
