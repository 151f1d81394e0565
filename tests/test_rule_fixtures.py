"""Every rule fires exactly on the lines its fixtures annotate.

``tests/fixtures/rules/<RULE-ID>/`` holds templates (and any handler code) annotated on the line *before*
the expected location, in a comment:

* ``# ruleid: RMT-X-001``: the rule must report this line;
* ``# ok: RMT-X-001``: a near miss; the rule must not report it;
* ``# todoruleid:`` / ``# todook:``: known gaps (a missed finding / a false positive), strict: the test fails
  when a gap closes, so the annotation gets updated.

The comparison is on exact (file, line) pairs for the directory's rule, never on counts. A fixture directory
may hold ``expected-diagnostics.txt`` (one diagnostic code per line) when it tests bad input.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from remit.api import scan
from remit.diagnostics import Level
from remit.engine import all_rules
from remit.options import ScanOptions

from .conftest import FIXTURES

RULE_FIXTURES = FIXTURES / "rules"
ANNOTATION = re.compile(r"(?:#|//|<!--)\s*(ruleid|ok|todoruleid|todook)\s*:\s*([A-Z0-9,\s-]+)")
TEXT_SUFFIXES = {".yaml", ".yml", ".json", ".template", ".py", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".txt", ".toml",
                 ".tf", ".tftpl", ".xml", ".csproj", ".mod", ".lock", ".lockfile", ".pem", ".key", ".env"}
TEXT_NAMES = {".env", "credentials"}  # secret files (RMT-SECRET-004) without a suffix


def _annotations(directory: Path, rule_id: str) -> dict[str, set[tuple[str, int]]]:
    found: dict[str, set[tuple[str, int]]] = {"ruleid": set(), "ok": set(), "todoruleid": set(), "todook": set()}
    for path in sorted(directory.rglob("*")):
        if not path.is_file() or (path.suffix not in TEXT_SUFFIXES and path.name not in TEXT_NAMES):
            continue
        rel = path.relative_to(directory).as_posix()
        lines = path.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            match = ANNOTATION.search(line)
            if not match:
                continue
            ids = {part.strip().removesuffix("--").strip() for part in match.group(2).split(",")}  # XML: -->
            if rule_id not in ids:
                continue
            target = i + 1
            while target < len(lines) and (not lines[target].strip() or ANNOTATION.search(lines[target])):
                target += 1
            found[match.group(1)].add((rel, target + 1))
    return found


def _fixture_dirs() -> list[Path]:
    return sorted(p for p in RULE_FIXTURES.iterdir() if p.is_dir()) if RULE_FIXTURES.is_dir() else []


@pytest.mark.parametrize("directory", _fixture_dirs(), ids=lambda p: p.name)
def test_rule_fixture(directory: Path) -> None:
    rule_id = directory.name
    expected = _annotations(directory, rule_id)
    assert expected["ruleid"], f"{rule_id}: the fixture needs at least one '# ruleid: {rule_id}'"
    assert expected["ok"], f"{rule_id}: the fixture needs at least one '# ok: {rule_id}' near miss"

    # dependency rules match against the small OSV fixture set (tests/fixtures/advisories)
    result = scan([directory], ScanOptions(select=(rule_id,), strict=True, advisories=(FIXTURES / "advisories",)))
    actual = {(f.location.path, f.location.line) for f in result.findings
              if f.rule_id == rule_id and not f.suppressed}

    missing = expected["ruleid"] - actual
    unexpected = actual - expected["ruleid"] - expected["todook"]
    closed_gaps = (expected["todoruleid"] & actual) | (expected["todook"] - actual)
    assert not missing, f"{rule_id} did not fire at {sorted(missing)}"
    assert not unexpected, f"{rule_id} fired where not annotated: {sorted(unexpected)}; " + "; ".join(
        f"{f.location}: {f.message}" for f in result.findings
        if (f.location.path, f.location.line) in unexpected)
    assert not closed_gaps, f"{rule_id}: a todo annotation is now wrong at {sorted(closed_gaps)}; update it"

    allowed = set()
    marker = directory / "expected-diagnostics.txt"
    if marker.is_file():
        allowed = {line.strip() for line in marker.read_text().splitlines() if line.strip()}
    errors = [d for d in result.diagnostics if d.level is Level.ERROR and d.code not in allowed]
    assert not errors, f"{rule_id}: unexpected error diagnostics: {[str(d) for d in errors]}"


def test_every_rule_has_a_fixture() -> None:
    have = {p.name for p in _fixture_dirs()}
    missing = [r.id for r in all_rules() if r.id not in have]
    assert not missing, f"rules without tests/fixtures/rules/<id>/: {missing}"
