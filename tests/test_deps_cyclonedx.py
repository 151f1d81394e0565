"""CycloneDX 1.5 SBOM: valid against the schema, what each function ships, findings as vulnerabilities (VEX)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from remit.api import scan
from remit.cli import main
from remit.options import ScanOptions
from remit.report import Format, render

from .conftest import ROOT

EXAMPLE = ROOT / "examples" / "orders-app"


def test_sbom_of_the_example() -> None:
    text = render(scan([EXAMPLE], ScanOptions(advisories=(EXAMPLE / "advisories",))), Format.CYCLONEDX)
    assert JsonStrictValidator(SchemaVersion.V1_5).validate_str(text) is None
    bom = json.loads(text)
    assert bom["specVersion"] == "1.5"
    refs = {c["bom-ref"]: c for c in bom["components"]}
    assert "pkg:pypi/pyyaml@5.3" in refs
    assert "pkg:npm/node-serialize@0.0.4" in refs
    orders = next(r for r in refs if r.endswith(":OrdersFunction"))
    shipped = next(d["dependsOn"] for d in bom["dependencies"] if d["ref"] == orders)
    assert "pkg:pypi/pyyaml@5.3" in shipped
    assert "pkg:npm/lodash@4.17.15" not in shipped
    vulns = {v["id"]: v for v in bom["vulnerabilities"]}
    assert vulns["PYSEC-2018-28"]["analysis"]["state"] == "not_affected"  # requests shipped, never imported
    assert vulns["PYSEC-2018-28"]["analysis"]["justification"] == "code_not_reachable"
    assert vulns["PYSEC-2020-96"]["analysis"]["state"] == "in_triage"
    assert vulns["PYSEC-2020-96"]["ratings"][0]["score"] == 9.8
    assert "5.3.1" in vulns["PYSEC-2020-96"]["recommendation"]


def test_cli_writes_cyclonedx(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sbom.json"
    code = main(["scan", str(EXAMPLE), "-f", "cyclonedx", "-o", str(out), "--fail-on", "none",
                 "--advisories", str(EXAMPLE / "advisories"), "--no-config"])
    assert code == 0
    assert json.loads(out.read_text())["bomFormat"] == "CycloneDX"


def test_cli_config_reads_the_example_advisories(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(EXAMPLE), "--select", "RMT-DEP-001", "--fail-on", "none", "-f", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {f["rule_id"] for f in data["findings"]} == {"RMT-DEP-001"}
    assert not any(d["message"].startswith("no advisory") for d in data["diagnostics"])


def test_sbom_does_not_claim_a_suppressed_vulnerability(tmp_path: Path) -> None:
    options = ScanOptions(advisories=(EXAMPLE / "advisories",))
    first = scan([EXAMPLE], options)
    pyyaml = next(f for f in first.findings
                  if f.rule_id == "RMT-DEP-001" and dict(f.details)["advisory"] == "PYSEC-2020-96")
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps({"findings": [{"fingerprint": pyyaml.fingerprint, "reason": "accepted"}]}))
    result = scan([EXAMPLE], dataclasses.replace(options, baseline=baseline))
    assert any(m.advisory.id == "PYSEC-2020-96" for fn in result.inventory.functions for m in fn.suppressed)
    assert not any(m.advisory.id == "PYSEC-2020-96" for fn in result.inventory.functions for m in fn.matches)
    text = render(result, Format.CYCLONEDX)
    assert JsonStrictValidator(SchemaVersion.V1_5).validate_str(text) is None
    bom = json.loads(text)
    vulns = {v["id"] for v in bom["vulnerabilities"]}
    assert "PYSEC-2020-96" not in vulns
    assert "PYSEC-2018-28" in vulns  # not suppressed: still claimed
    library = next(c for c in bom["components"] if c["bom-ref"] == "pkg:pypi/pyyaml@5.3")
    assert {"name": "remit:suppressed-advisory", "value": "PYSEC-2020-96"} in library["properties"]
    orders = next(d["dependsOn"] for d in bom["dependencies"] if d["ref"].endswith(":OrdersFunction"))
    assert "pkg:pypi/pyyaml@5.3" in orders  # the package stays listed

