"""CDK: a cloud assembly (cdk.out) is read through its manifest; findings carry the construct path."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from remit.api import scan
from remit.diagnostics import Diagnostic
from remit.findings import construct_of
from remit.loaders.cdk import is_manifest, load_assembly
from remit.loaders.discover import InputFile, discover
from remit.options import ScanOptions
from remit.report import html, json_report, markdown, sarif, text
from remit.result import ScanResult

FORMATS = Path(__file__).parent / "fixtures" / "formats"
BASIC = FORMATS / "cdk-basic"
SCHEMA = Path(__file__).parent.parent / "src" / "remit" / "schema" / "report.schema.json"
ASSET_1 = "cdk.out/asset." + "1" * 64
ASSET_2 = "cdk.out/asset." + "2" * 64
TEMPLATE = "cdk.out/OrdersStack.template.json"
NESTED = "cdk.out/OrdersStackDataNested5E6F7A8B.nested.template.json"


def _scan(*targets: Path) -> ScanResult:
    return scan(list(targets), ScanOptions(strict=True, parallel=False))


def _hits(result: ScanResult) -> set[tuple[str, str, str, str]]:
    return {(f.rule_id, f.resource, f.construct, str(f.location)) for f in result.findings}


def _codes(diags: tuple[Diagnostic, ...] | list[Diagnostic]) -> set[str]:
    return {d.code for d in diags}


# -- reading the assembly ------------------------------------------------------------------------------
def test_stacks_and_nested_stacks_are_read_once_through_the_manifest() -> None:
    result = _scan(BASIC)
    assert [(d.path, d.kind) for d in result.documents] == [(TEMPLATE, "cdk"), (NESTED, "cdk")]
    assert not [d for d in result.diagnostics if d.level.value != "info" and d.code != "advisories-missing"]


def test_discovery_offers_the_manifest_not_the_templates() -> None:
    found = discover([BASIC])
    rels = [f.rel for f in found.files]
    assert "cdk.out/manifest.json" in rels
    assert not [r for r in rels if r.startswith("cdk.out/") and r != "cdk.out/manifest.json"]
    assert is_manifest(next(f for f in found.files if f.rel == "cdk.out/manifest.json"))


def test_findings_point_at_template_lines_and_carry_the_construct_path() -> None:
    hits = _hits(_scan(BASIC))
    # aws:cdk:path metadata on the resource; the /Resource leaf is dropped
    assert ("RMT-IAM-001", "OrdersFunctionServiceRole3BC3C1D1", "OrdersStack/OrdersFunction/ServiceRole",
            f"{TEMPLATE}:16") in hits
    assert ("RMT-LAMBDA-009", "OrdersFunction5A2B3C4D", "OrdersStack/OrdersFunction", f"{TEMPLATE}:26") in hits
    # no metadata in the template: the manifest's aws:cdk:logicalId entries give the path
    assert ("RMT-LAMBDA-001", "ImagesFunctionFunctionUrlCC33DD44", "OrdersStack/ImagesFunction/FunctionUrl",
            f"{TEMPLATE}:60") in hits
    # a nested stack's resources
    assert ("RMT-SQS-001", "JobsQueue9F8E7D6C", "OrdersStack/Data/JobsQueue", f"{NESTED}:17") in hits


def test_an_asset_copied_from_the_project_is_analysed_at_its_source() -> None:
    hits = _hits(_scan(BASIC))
    # asset.111... is a byte-for-byte copy of src/orders: the finding points at the author's file
    assert ("RMT-CODE-001", "OrdersFunction5A2B3C4D", "OrdersStack/OrdersFunction", "src/orders/app.py:7") in hits
    assert not [h for h in hits if h[3].startswith(ASSET_1)]


def test_an_asset_without_a_source_is_analysed_in_the_assembly() -> None:
    hits = _hits(_scan(BASIC))
    # no asset metadata on the resource: found through OrdersStack.assets.json by its S3 key
    assert ("RMT-CODE-001", "ImagesFunctionAA11BB22", "OrdersStack/ImagesFunction", f"{ASSET_2}/index.js:4") in hits


def test_scanning_cdk_out_itself_reads_the_assembly() -> None:
    result = _scan(BASIC / "cdk.out")
    assert [d.path for d in result.documents] == ["OrdersStack.template.json",
                                                  "OrdersStackDataNested5E6F7A8B.nested.template.json"]
    # the project's source is outside this root: the staged copy is analysed, nothing outside is read
    locations = {str(f.location) for f in result.findings if f.rule_id == "RMT-CODE-001"}
    assert locations == {f"asset.{'1' * 64}/app.py:7", f"asset.{'2' * 64}/index.js:4"}


def test_a_template_named_explicitly_is_read_as_plain_cloudformation() -> None:
    result = _scan(BASIC / "cdk.out" / "OrdersStack.template.json")
    assert [d.kind for d in result.documents] == ["cloudformation"]
    assert any(f.construct == "OrdersStack/OrdersFunction" for f in result.findings)  # metadata still read


def test_construct_of() -> None:
    assert construct_of({"aws:cdk:path": "S/Fn/Resource"}) == "S/Fn"
    assert construct_of({"aws:cdk:path": "S/Api/Deployment/Default"}) == "S/Api/Deployment"
    assert construct_of({"aws:cdk:path": "S/Bucket"}) == "S/Bucket"
    assert construct_of({"aws:cdk:path": 3}) == ""
    assert construct_of(None) == construct_of({}) == ""


# -- reports -------------------------------------------------------------------------------------------
def test_reports_show_the_construct() -> None:
    result = _scan(BASIC)
    data = json.loads(json_report.render(result))
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(data)
    url = next(f for f in data["findings"] if f["rule_id"] == "RMT-LAMBDA-001")
    assert url["construct"] == "OrdersStack/ImagesFunction/FunctionUrl"
    assert url["resource"] == "ImagesFunctionFunctionUrlCC33DD44"
    log = json.loads(sarif.render(result))
    res = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "RMT-LAMBDA-001")
    assert res["locations"][0]["logicalLocations"] == [{"name": "ImagesFunctionFunctionUrlCC33DD44",
                                                        "kind": "resource",
                                                        "fullyQualifiedName": "OrdersStack/ImagesFunction/FunctionUrl"}]
    shown = text.render(result)
    assert "OrdersStack/ImagesFunction/FunctionUrl [ImagesFunctionFunctionUrlCC33DD44]" in shown
    assert "ImagesFunctionFunctionUrlCC33DD44 (OrdersStack/ImagesFunction/FunctionUrl)" in markdown.render(result)
    page = html.render(result)
    assert ("ImagesFunctionFunctionUrlCC33DD44<br><span class=\"muted construct\">"
            "OrdersStack/ImagesFunction/FunctionUrl</span>") in page


def test_findings_elsewhere_have_no_construct(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      SqsManagedSseEnabled: false\n",
        encoding="utf-8")
    result = _scan(tmp_path)
    assert result.findings
    assert all(f.construct == "" for f in result.findings)
    assert all("construct" not in f for f in json.loads(json_report.render(result))["findings"])


# -- bad input -----------------------------------------------------------------------------------------
def _assembly(tmp_path: Path, manifest: Any, files: dict[str, str] | None = None) -> Path:
    out = tmp_path / "app" / "cdk.out"
    out.mkdir(parents=True)
    (out / "manifest.json").write_text(manifest if isinstance(manifest, str) else json.dumps(manifest),
                                       encoding="utf-8")
    for name, content in (files or {}).items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(content, encoding="utf-8")
    return out


def _stack(template: str = "S.template.json", **extra: Any) -> dict[str, Any]:
    return {"version": "36.0.0", "artifacts": {"S": {"type": "aws:cloudformation:stack",
                                                    "properties": {"templateFile": template}, **extra}}}


def _function_template(asset_path: str) -> str:
    return json.dumps({"Resources": {"Fn": {
        "Type": "AWS::Lambda::Function",
        "Properties": {"Code": {"S3Bucket": "b", "S3Key": "k.zip"}, "Handler": "app.handler",
                       "Runtime": "python3.12", "Role": "arn:aws:iam::123456789012:role/r"},
        "Metadata": {"aws:cdk:path": "S/Fn/Resource", "aws:asset:path": asset_path, "aws:asset:property": "Code"},
    }}}, indent=1)


HANDLER = "import os\n\n\ndef handler(event, context):\n    os.system(event['cmd'])\n"


def _load(out: Path) -> tuple[list[Any], set[str]]:
    results = load_assembly(InputFile(out / "manifest.json", "app/cdk.out/manifest.json"), out.parent.parent)
    docs = [r.document for r in results if r.document is not None]
    return docs, _codes([d for r in results for d in r.diagnostics])


@pytest.mark.parametrize(("manifest", "code"), [
    ("{not json", "parse-error"),
    ("[1, 2]", "cdk-manifest"),
    ({"version": "36.0.0", "artifacts": []}, "cdk-manifest"),
    ({"version": "36.0.0", "artifacts": {"S": {"type": "aws:cloudformation:stack"}}}, "cdk-manifest"),
    ({"version": "36.0.0", "artifacts": {"S": 3}}, "cdk-manifest"),
    (_stack("missing.template.json"), "cdk-missing"),
    (_stack("../../outside.template.json"), "cdk-outside"),
    ({"version": "36.0.0", "artifacts": {"A": {"type": "cdk:cloud-assembly",
                                               "properties": {"directoryName": "nope"}}}}, "cdk-missing"),
])
def test_a_broken_assembly_is_a_diagnostic(tmp_path: Path, manifest: Any, code: str) -> None:
    (tmp_path / "outside.template.json").write_text(_function_template("x"), encoding="utf-8")
    out = _assembly(tmp_path, manifest)
    docs, codes = _load(out)
    assert docs == []
    assert code in codes
    result = _scan(tmp_path / "app")  # the whole scan goes on
    assert code in _codes(result.diagnostics)


def test_an_asset_outside_the_root_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "app.py").write_text(HANDLER, encoding="utf-8")
    for asset in (str(secret), "../../secret"):
        shutil.rmtree(tmp_path / "app", ignore_errors=True)
        _assembly(tmp_path, _stack(), {"S.template.json": _function_template(asset)})
        result = scan([tmp_path / "app"], ScanOptions(strict=True, parallel=False))
        assert "cdk-outside" in _codes(result.diagnostics)
        assert not [f for f in result.findings if "secret" in f.location.path or f.rule_id.startswith("RMT-CODE")]


def test_an_unstaged_asset_inside_the_root_is_read_in_place(tmp_path: Path) -> None:
    src = tmp_path / "app" / "src"
    out = _assembly(tmp_path, _stack(), {"S.template.json": _function_template("../src")})
    src.mkdir()
    (src / "app.py").write_text(HANDLER, encoding="utf-8")
    result = _scan(out.parent)
    assert "cdk-asset-unstaged" in _codes(result.diagnostics)
    assert ("RMT-CODE-001", "src/app.py:5") in {(f.rule_id, str(f.location)) for f in result.findings}


def test_a_missing_asset_and_a_missing_nested_template_are_diagnostics(tmp_path: Path) -> None:
    template = json.loads(_function_template("asset.gone"))
    template["Resources"]["Nested"] = {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": "x"},
                                       "Metadata": {"aws:asset:path": "gone.nested.template.json"}}
    out = _assembly(tmp_path, _stack(), {"S.template.json": json.dumps(template)})
    docs, codes = _load(out)
    assert len(docs) == 1
    assert "cdk-missing" in codes


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks here")
def test_symlink_loops_are_diagnostics(tmp_path: Path) -> None:
    out = _assembly(tmp_path, _stack("loop.template.json"))
    os.symlink(out / "loop.template.json", out / "loop.template.json")
    nested = {"version": "36.0.0", "artifacts": {
        "A": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-A"}},
        "B": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "."}},  # itself: followed once
        "S": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "S.template.json"}}}}
    (out / "manifest.json").write_text(json.dumps(nested), encoding="utf-8")
    (out / "S.template.json").write_text(_function_template("asset.loop"), encoding="utf-8")
    os.symlink(out / "asset.loop", out / "asset.loop")
    os.symlink(out / "assembly-A", out / "assembly-A")
    docs, codes = _load(out)
    assert [d.id for d in docs] == ["app/cdk.out/S.template.json"]
    assert "cdk-missing" in codes
    result = _scan(tmp_path / "app")
    assert [d.path for d in result.documents] == ["cdk.out/S.template.json"]


def test_a_nested_stack_pointing_out_of_the_assembly_is_refused(tmp_path: Path) -> None:
    (tmp_path / "app" / "x.nested.template.json").parent.mkdir(parents=True)
    (tmp_path / "app" / "x.nested.template.json").write_text(_function_template("x"), encoding="utf-8")
    template = {"Resources": {"Nested": {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": "x"},
                                         "Metadata": {"aws:asset:path": "../x.nested.template.json"}}}}
    out = tmp_path / "app" / "cdk.out"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps(_stack()), encoding="utf-8")
    (out / "S.template.json").write_text(json.dumps(template), encoding="utf-8")
    docs, codes = _load(out)
    assert [d.id for d in docs] == ["app/cdk.out/S.template.json"]
    assert "cdk-outside" in codes


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                 max_size=4), max_leaves=20)
_artifact = st.fixed_dictionaries({"type": st.sampled_from(["aws:cloudformation:stack", "cdk:cloud-assembly",
                                                            "cdk:asset-manifest", "cdk:tree"]),
                                   "properties": st.dictionaries(st.sampled_from(["templateFile", "directoryName",
                                                                                  "file"]),
                                                                 st.sampled_from(["S.template.json", ".", "..",
                                                                                  "/etc/passwd", "S.assets.json"])
                                                                 | _json, max_size=2),
                                   "metadata": _json})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(artifacts=st.dictionaries(st.text(min_size=1, max_size=6), _artifact | _json, max_size=4))
def test_any_manifest_reads_without_crashing(tmp_path: Path, artifacts: dict[str, Any]) -> None:
    out = tmp_path / "app" / "cdk.out"
    shutil.rmtree(tmp_path / "app", ignore_errors=True)
    out.mkdir(parents=True)
    (out / "manifest.json").write_text(json.dumps({"version": "36.0.0", "artifacts": artifacts}), encoding="utf-8")
    (out / "S.template.json").write_text(_function_template("asset.a"), encoding="utf-8")
    (out / "S.assets.json").write_text(json.dumps({"files": artifacts}), encoding="utf-8")
    _load(out)


def test_an_app_without_cdk_out_is_named_with_the_command_to_run(tmp_path: Path) -> None:
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "cdk.json").write_text('{"app": "npx ts-node bin/app.ts"}')
    found = discover([tmp_path])
    assert [(d.path, d.code) for d in found.diagnostics] == [("infra/cdk.json", "cdk-not-synthesised")]
    assert "run `npx cdk synth`" in found.diagnostics[0].message


def test_an_assembly_under_any_name_anywhere_is_read(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "cdk.json").write_text('{"app": "node app.js", "output": "../build/synth"}')
    shutil.copytree(BASIC / "cdk.out", tmp_path / "build" / "synth")
    found = discover([tmp_path])
    assert not found.diagnostics  # the app has its assembly, elsewhere under the root
    assert [f.rel for f in found.files if f.rel.startswith("build/")] == ["build/synth/manifest.json"]
    result = scan([tmp_path])
    assert any(d.path == "build/synth/OrdersStack.template.json" for d in result.documents)
