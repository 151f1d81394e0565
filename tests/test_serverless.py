"""Serverless Framework services load as SAM documents whose findings point at serverless.yml lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from remit.api import scan
from remit.loaders.discover import InputFile
from remit.loaders.serverless import load_serverless

FIXTURE = Path(__file__).parent / "fixtures" / "formats" / "serverless-basic"


@pytest.fixture(scope="module")
def findings() -> set[tuple[str, str, str]]:
    result = scan([FIXTURE])
    return {(f.rule_id, f.resource or "", str(f.location)) for f in result.findings}


def test_findings_point_at_serverless_yml(findings: set[tuple[str, str, str]]) -> None:
    assert ("RMT-IAM-001", "OrdersLambdaFunction", "serverless.yml:18") in findings  # Action "*" statement
    assert ("RMT-LAMBDA-001", "OrdersLambdaFunction", "serverless.yml:24") in findings  # url: true
    assert ("RMT-API-001", "HttpApi", "serverless.yml:26") in findings  # httpApi route without auth


def test_handler_code_is_analysed(findings: set[tuple[str, str, str]]) -> None:
    assert ("RMT-CODE-001", "OrdersLambdaFunction", "src/orders/app.py:7") in findings


def test_per_function_statements_replace_provider_role(findings: set[tuple[str, str, str]]) -> None:
    assert not any(rule == "RMT-IAM-001" and res == "ReportsLambdaFunction" for rule, res, _ in findings)


def _load(tmp_path: Path, text: str) -> tuple[object, tuple[str, ...]]:
    path = tmp_path / "serverless.yml"
    path.write_text(text)
    loaded = load_serverless(InputFile(path, "serverless.yml"))
    return loaded.document, tuple(d.code for d in loaded.diagnostics)


def test_variables_resolve_and_unknowns_are_reported(tmp_path: Path) -> None:
    (tmp_path / "secret.json").write_text('{"x": "leak"}')
    doc, codes = _load(tmp_path, (
        "service: s\ncustom:\n  name: a-${sls:stage}\nprovider:\n  name: aws\n  stage: ${opt:stage, 'prod'}\n"
        "  environment:\n    A: ${self:custom.name}\n    B: ${file(./secret.json):x}\n    C: ${file(./r.js):fn}\n"
        "functions: {f: {handler: app.h, runtime: python3.12}}\n"))
    assert doc is not None
    env = doc.data["Resources"]["FLambdaFunction"]["Properties"]["Environment"]["Variables"]  # type: ignore[attr-defined]
    assert env["A"] == "a-prod"
    assert "leak" not in str(env)  # ${file()} is never read by this loader
    assert codes.count("unresolved-variable") == 2


@pytest.mark.parametrize("text", [
    "", "functions: 3\n", "functions: {f: 1, g: {handler: 7, events: [1, {http: 3}, {sqs: {}}]}}\n",
    "provider: [1]\nfunctions: {f: {handler: a.b, url: {authorizer: aws_iam}, events: [{schedule: [1]}]}}\n",
    "custom: {a: '${self:custom.b}', b: '${self:custom.a}'}\nfunctions: {f: {handler: '${self:custom.a}'}}\n",
    "functions: [\n",
])
def test_hostile_input_does_not_crash(tmp_path: Path, text: str) -> None:
    _load(tmp_path, text)


def test_authorizers_are_carried_over() -> None:
    result = scan([FIXTURE.parent / "serverless-auth"])
    unauthenticated = {str(f.location) for f in result.findings if f.rule_id == "RMT-API-001"}
    assert "serverless.yml:27" in unauthenticated  # GET /open
    assert "serverless.yml:15" not in unauthenticated  # JWT authorizer
    assert "serverless.yml:20" not in unauthenticated  # aws_iam
