"""The rule catalog: unique ids, complete metadata, and docs/rules.md in step with the code."""

from __future__ import annotations

import re

from remit.engine import SCOPES, all_rules
from remit.report.catalog import markdown

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


def test_docs_rules_md_is_generated_from_the_catalog() -> None:
    expected = markdown(all_rules())
    actual = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/rules.md is stale: .venv/bin/remit rules -f markdown > docs/rules.md"
