"""CloudFormation and SAM shapes that need more than the translator: fixture apps under
``tests/fixtures/formats/cfn-*/``, annotated like the rule fixtures (``# ruleid:`` / ``# ok:`` on the line
before the expected location, for every rule the app names), with the diagnostics each app must give listed in
``expected-diagnostics.txt`` (one ``code`` or ``code path:line`` per line)."""

from __future__ import annotations

from pathlib import Path

import pytest

from remit.api import scan
from remit.diagnostics import Level
from remit.options import ScanOptions

from .conftest import FIXTURES
from .test_rule_fixtures import ANNOTATION, _annotations

APPS = sorted(p for p in (FIXTURES / "formats").glob("cfn-*") if p.is_dir())


def _annotated_rules(directory: Path) -> set[str]:
    rules: set[str] = set()
    for path in directory.rglob("*"):
        if path.is_file() and path.suffix in {".yaml", ".yml", ".json", ".tf", ".py", ".js"}:
            for match in ANNOTATION.finditer(path.read_text(encoding="utf-8")):
                rules.update(part.strip() for part in match.group(2).split(",") if part.strip())
    return rules


def _expected_diagnostics(directory: Path) -> set[str]:
    marker = directory / "expected-diagnostics.txt"
    if not marker.is_file():
        return set()
    return {line.strip() for line in marker.read_text(encoding="utf-8").splitlines() if line.strip()}


@pytest.mark.parametrize("directory", APPS, ids=lambda p: p.name)
def test_app_findings_and_diagnostics(directory: Path) -> None:
    rules = _annotated_rules(directory)
    assert rules, f"{directory.name}: annotate at least one finding"
    result = scan([directory], ScanOptions(strict=True))
    for rule_id in sorted(rules):
        expected = _annotations(directory, rule_id)
        actual = {(f.location.path, f.location.line) for f in result.findings if f.rule_id == rule_id}
        assert expected["ruleid"] <= actual, f"{rule_id} did not fire at {sorted(expected['ruleid'] - actual)}"
        assert not actual & expected["ok"], f"{rule_id} fired at ok lines {sorted(actual & expected['ok'])}"
    wanted = _expected_diagnostics(directory)
    given = {d.code for d in result.diagnostics} | {f"{d.code} {d.path}:{d.line}" for d in result.diagnostics}
    assert wanted <= given, f"missing diagnostics {sorted(wanted - given)}; got {sorted(given)}"
    stray = {d.code for d in result.diagnostics if d.level is Level.ERROR} - wanted
    assert not stray, f"unexpected error diagnostics {sorted(stray)}"
