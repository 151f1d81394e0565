"""The attack graph: expected paths per fixture app (one line per path, compared exactly), the bundled
example's required paths, the exports, and a bound on the search for big applications.

Each ``tests/fixtures/graph/<app>/`` holds a template, ``expected.txt`` (``severity: kind:resource -> ...``,
best first; empty when no path may exist) and ``hints.json``: what the code and dependency stages would say
about the functions (taint flows, malicious packages), so these tests pin the graph down independently of the
analysers that feed it. Refresh on purpose with ``REMIT_UPDATE_GOLDEN=1``, then read the diff.
"""

from __future__ import annotations

import json
import os
import re
import time
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from remit.api import ScanResult, scan
from remit.code.facts import CodeFacts, Confidence, FunctionCode, Language, SinkKind, TaintFlow
from remit.findings import FlowStep
from remit.graph import CodeHint, HintKind, analyze
from remit.graph.search import MAX_PATHS, line
from remit.model.application import Application
from remit.model.build import build
from remit.options import ScanOptions
from remit.report import Format, render
from remit.source import SourceLocation

from .conftest import FIXTURES, ROOT

GRAPH = FIXTURES / "graph"
APPS = sorted(p.name for p in GRAPH.iterdir() if (p / "template.yaml").is_file())
UPDATE = os.environ.get("REMIT_UPDATE_GOLDEN") == "1"


def load_hints(app: Application, file: Path) -> list[CodeHint]:
    if not file.is_file():
        return []
    by_name = {fn.logical_id: fn for fn in app.functions}
    out = []
    for raw in json.loads(file.read_text()):
        fn = by_name[raw["function"]]
        out.append(CodeHint(fn.id, HintKind(raw["kind"]), raw["label"], float(raw["likelihood"]),
                            SinkKind(raw["sink"]) if raw.get("sink") else None, frozenset(raw.get("triggers", ())),
                            SourceLocation("src/app.py", 2, 5)))
    return out


@cache
def scanned(name: str) -> ScanResult:
    return scan([GRAPH / name], ScanOptions(strict=True))


def lines_of(name: str) -> list[str]:
    result = scanned(name)
    assert result.application is not None
    graph = analyze(result.application, result.findings, load_hints(result.application, GRAPH / name / "hints.json"))
    return [line(p) for p in graph.paths]


@pytest.mark.parametrize("name", APPS)
def test_expected_paths(name: str) -> None:
    got = lines_of(name)
    expected_file = GRAPH / name / "expected.txt"
    if UPDATE:
        expected_file.write_text("".join(f"{g}\n" for g in got))
    expected = [ln for ln in expected_file.read_text().splitlines() if ln.strip()]
    assert got == expected


def test_no_path_from_a_role_that_only_writes_its_logs() -> None:
    assert lines_of("log-only") == []


def test_every_step_is_explained_with_evidence() -> None:
    result = scanned("upload-to-admin")
    assert result.application is not None
    graph = analyze(result.application, result.findings,
                    load_hints(result.application, GRAPH / "upload-to-admin" / "hints.json"))
    assert graph.paths
    for path in graph.paths:
        assert path.steps[0].kind == "attacker"
        for step in path.steps[1:]:
            assert step.label
            assert "\n" not in step.label
            assert step.location is not None, step
        assert path.id.startswith("AP-")
        assert 0 < path.score <= 10


def test_paths_come_from_the_code_stage_facts() -> None:
    """The code stage's taint flows (app.code) are read directly, with their trigger and confidence."""
    import dataclasses  # noqa: PLC0415

    result = scanned("injection-to-table")
    app = result.application
    assert app is not None
    fn = next(f for f in app.functions if f.logical_id == "Lookup")
    loc = SourceLocation("src/app.py", 2, 5)
    flow = TaintFlow(SinkKind.COMMAND, "event['body']", "os.system", (FlowStep(loc, "source"), FlowStep(loc, "sink")),
                     Confidence.HIGH, "api-route")
    code = CodeFacts({fn.id: FunctionCode(fn.id, Language.PYTHON, loc, flows=(flow,))})
    graph = analyze(dataclasses.replace(app, code=code), result.findings)
    assert [line(p) for p in graph.paths] == lines_of("injection-to-table")
    wrong_trigger = dataclasses.replace(flow, trigger="s3")
    code = CodeFacts({fn.id: FunctionCode(fn.id, Language.PYTHON, loc, flows=(wrong_trigger,))})
    assert analyze(dataclasses.replace(app, code=code), result.findings).paths == ()


# ------------------------------------------------------------------------------------------------
# the bundled example

EXAMPLE = ROOT / "examples" / "orders-app"


@cache
def example_lines() -> list[str]:
    """The example's paths: from the real code and dependency stages, helped by ``orders-app.hints.json``
    only for functions those stages say nothing about yet."""
    result = scan([EXAMPLE], ScanOptions(strict=True, advisories=(EXAMPLE / "advisories",)))  # as its .remit.toml
    app = result.application
    assert app is not None
    def known(hint: CodeHint) -> bool:
        if hint.kind is HintKind.INJECTION:
            code = app.code.of(hint.function)
            return code is not None and bool(code.flows)
        return any(f.rule_id.startswith("RMT-SUPPLY") for f in result.findings)

    hints = [h for h in load_hints(app, GRAPH / "orders-app.hints.json") if not known(h)]
    return [line(p) for p in analyze(app, result.findings, hints).paths]


@pytest.mark.parametrize("shape", [
    # internet -> unauthenticated route -> injectable handler -> over-privileged role -> data store
    r"critical: attacker:internet -> entry:ServerlessRestApi [^>]+ -> function:OrdersFunction "
    r"-> role:OrdersFunctionRole -> data:OrdersTable",
    # public bucket upload -> S3-triggered handler with command injection -> role that rewrites functions -> admin
    r"critical: attacker:internet -> entry:UploadsBucket write -> function:ThumbnailFunction "
    r"-> role:ThumbnailFunctionRole -> function:OpsToolsFunction -> role:OpsToolsFunctionRole -> admin:account-admin",
    # malicious dependency -> function -> secrets
    r"critical: attacker:supply-chain -> function:ReportsFunction -> role:BackOfficeRole "
    r"-> secret:PaymentProviderSecret",
], ids=["route-injection-data", "upload-rewrite-admin", "dependency-secret"])
def test_example_shows_the_required_paths(shape: str) -> None:
    assert any(re.fullmatch(shape, ln) for ln in example_lines()), "\n".join(example_lines())


def test_exports_name_every_path_node() -> None:
    result = scan([GRAPH / "upload-to-admin"], ScanOptions(strict=True))
    dot = render(result, Format.DOT)
    mermaid = render(result, Format.MERMAID)
    assert dot.startswith("digraph remit_attack_graph {")
    assert dot.rstrip().endswith("}")
    assert mermaid.startswith("flowchart LR")
    for path in result.attack_paths:
        for step in path.steps:
            assert step.resource in dot


def test_exports_escape_hostile_names() -> None:
    from remit.report.dot import quote  # noqa: PLC0415
    from remit.report.mermaid import label  # noqa: PLC0415

    assert quote('a"b\\c\nd') == '"a\\"b\\\\c d"'
    assert label('x"]-->y<script>') == "x#34;#93;--#62;y#60;script#62;"


# ------------------------------------------------------------------------------------------------
# big applications: the search stays bounded


def _big_template(n: int) -> dict[str, Any]:
    resources: dict[str, Any] = {}
    for i in range(n):
        resources[f"Table{i}"] = {"Type": "AWS::DynamoDB::Table", "Properties": {}}
        resources[f"Role{i}"] = {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                        "Principal": {"Service": "lambda.amazonaws.com"}}]},
            "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": ["dynamodb:GetItem"], "Resource": {"Fn::GetAtt": [f"Table{i}", "Arn"]}},
                {"Effect": "Allow", "Action": ["lambda:UpdateFunctionCode", "s3:GetObject"], "Resource": "*"}]}}]}}
        resources[f"Fn{i}"] = {"Type": "AWS::Lambda::Function", "Properties": {
            "Runtime": "python3.12", "Handler": "app.handler", "Code": {"ZipFile": "def handler(e, c): pass"},
            "Role": {"Fn::GetAtt": [f"Role{i}", "Arn"]}}}
        resources[f"Url{i}"] = {"Type": "AWS::Lambda::Url", "Properties": {
            "AuthType": "NONE", "TargetFunctionArn": {"Fn::GetAtt": [f"Fn{i}", "Arn"]}}}
    return {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}


def test_search_is_bounded_on_a_large_app(tmp_path: Path) -> None:
    """600 internet-facing injectable functions, each of whose roles may rewrite every other function: the
    densest graph a template can make. The search must finish quickly and report a bounded list
    (benchmarks/attack_graph.py measures bigger ones)."""
    n = 600
    (tmp_path / "template.json").write_text(json.dumps(_big_template(n)))
    from remit.loaders.cloudformation import load_template  # noqa: PLC0415
    from remit.loaders.discover import discover  # noqa: PLC0415

    docs = [d for d in (load_template(f).document for f in discover([tmp_path]).files) if d is not None]
    app, _ = build(docs, tmp_path)
    hints = [CodeHint(fn.id, HintKind.INJECTION, "code injection: body reaches eval", 0.9, SinkKind.CODE)
             for fn in app.functions]
    began = time.perf_counter()
    graph = analyze(app, (), hints)
    elapsed = time.perf_counter() - began
    assert 0 < len(graph.paths) <= MAX_PATHS
    assert elapsed < 60, f"{elapsed:.1f}s"


def test_blast_radius_says_what_a_compromised_function_can_do() -> None:
    result = scanned("upload-to-admin")
    assert result.graph is not None
    resize = {(i.kind, i.target) for i in result.graph.blast["Resize"]}
    assert ("update-code", "Ops") in resize
    assert ("update-code", "Resize") not in resize  # its own code is no gain
    ops = {(i.kind, i.target) for i in result.graph.blast["Ops"]}
    assert ("escalate", "account-admin") in ops
    quiet = scanned("log-only")
    assert quiet.graph is not None
    assert quiet.graph.blast["Echo"] == ()  # writes its own logs: nothing worth having


def test_dependency_findings_become_edges() -> None:
    """Until the dependency stage has facts of its own, its findings (by rule id) feed the graph: a critical
    RMT-SUPPLY finding in a manifest makes every function shipping that directory a foothold."""
    from remit.findings import Category, Finding, Responsibility, Severity  # noqa: PLC0415
    from remit.graph.hints import gather  # noqa: PLC0415

    result = scan([EXAMPLE], ScanOptions(strict=True))
    app = result.application
    assert app is not None

    def finding(rule: str, severity: Severity) -> Finding:
        return Finding(rule, "t", severity, Category.SUPPLY_CHAIN, Responsibility.DEPENDENCIES, "reqeusts",
                       SourceLocation("src/reports/requirements.txt", 2, 1), "reqeusts 1.0.0 looks like requests",
                       "remove it", (), "0" * 32)

    hints = gather(app, [finding("RMT-SUPPLY-001", Severity.CRITICAL), finding("RMT-SUPPLY-009", Severity.LOW)])
    shipped = sorted(h.function.logical_id for h in hints if h.kind is HintKind.MALICIOUS_PACKAGE)
    assert shipped == ["FulfilmentFunction", "ReportsFunction"]  # both ship src/reports/
    paths = [line(p) for p in analyze(app, [*result.findings, finding("RMT-SUPPLY-001", Severity.CRITICAL)]).paths]
    assert "critical: attacker:supply-chain -> function:ReportsFunction -> role:BackOfficeRole " \
           "-> secret:PaymentProviderSecret" in paths or \
           "critical: attacker:supply-chain -> function:FulfilmentFunction -> role:BackOfficeRole " \
           "-> secret:PaymentProviderSecret" in paths


def test_iam_engine_answers_when_present() -> None:
    """With an IAM engine on the application (``app.iam.can``), its answers decide role permissions; an engine
    that fails is dropped and the role's statements answer instead."""
    import dataclasses  # noqa: PLC0415
    from types import SimpleNamespace  # noqa: PLC0415

    result = scanned("injection-to-table")
    app = result.application
    assert app is not None
    hints = load_hints(app, GRAPH / "injection-to-table" / "hints.json")

    def with_engine(can: Any) -> Application:
        engine = SimpleNamespace(can=can)
        cls = type("AppWithEngine", (Application,), {"iam": property(lambda self: engine)})
        made: Application = cls(**{f.name: getattr(app, f.name) for f in dataclasses.fields(app)})
        return made

    def deny(*_: Any) -> Any:
        return SimpleNamespace(possible=False, allowed=False, allowed_by=())

    def broken(*_: Any) -> Any:
        raise RuntimeError("not built yet")

    assert analyze(with_engine(deny), result.findings, hints).paths == ()
    assert [line(p) for p in analyze(with_engine(broken), result.findings, hints).paths] == \
        lines_of("injection-to-table")
