"""The attack graph: expected paths per fixture app (one line per path, compared exactly), the bundled
example's required paths, the exports, and a bound on the search for big applications.

Each ``tests/fixtures/graph/<app>/`` holds a template, ``expected.txt`` (``severity: kind:resource -> ...``,
best first; empty when no path may exist) and ``hints.json``: what the code and dependency stages would say
about the functions (taint flows, malicious packages), so these tests pin the graph down independently of the
analysers that feed it. Refresh on purpose with ``REMIT_UPDATE_GOLDEN=1``, then read the diff.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import re
import time
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from remit.analysis import Analysis, analysis
from remit.api import scan
from remit.code.facts import CodeFacts, Confidence, FunctionCode, Language, SinkKind, TaintFlow
from remit.deps.facts import SignKind
from remit.findings import AttackPath, FlowStep, Severity
from remit.graph import CodeHint, HintKind, analyze, blast
from remit.graph.search import MAX_PATHS, line
from remit.loaders.sam import expander
from remit.model.application import Application
from remit.model.build import build
from remit.options import ScanOptions
from remit.report import Format, render
from remit.result import ScanResult
from remit.source import SourceLocation

from .conftest import FIXTURES, ROOT

GRAPH = FIXTURES / "graph"
APPS = sorted(p.name for p in GRAPH.iterdir() if (p / "template.yaml").is_file())
UPDATE = os.environ.get("REMIT_UPDATE_GOLDEN") == "1"


def an_of(result: ScanResult) -> Analysis:
    """The analysis a scan made (the model and every stage's facts)."""
    assert result.analysis is not None
    return result.analysis


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


def scanned_paths(name: str) -> tuple[AttackPath, ...]:
    result = scanned(name)
    assert result.application is not None
    return analyze(an_of(result), load_hints(result.application, GRAPH / name / "hints.json")).paths


def lines_of(name: str) -> list[str]:
    return [line(p) for p in scanned_paths(name)]


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
    graph = analyze(an_of(result), load_hints(result.application, GRAPH / "upload-to-admin" / "hints.json"))
    assert graph.paths
    for path in graph.paths:
        assert path.steps[0].kind == "attacker"
        for step in path.steps[1:]:
            assert step.label
            assert "\n" not in step.label
            assert step.evidence is not None, step
        assert path.id.startswith("AP-")
        assert 0 < path.score <= 10


def test_paths_come_from_the_code_stage_facts() -> None:
    """The code stage's taint flows (an.code) are read directly, with their trigger and confidence."""
    import dataclasses

    result = scanned("injection-to-table")
    app = result.application
    assert app is not None
    fn = next(f for f in app.functions if f.logical_id == "Lookup")
    loc = SourceLocation("src/app.py", 2, 5)
    flow = TaintFlow(SinkKind.COMMAND, "event['body']", "os.system", (FlowStep(loc, "source"), FlowStep(loc, "sink")),
                     Confidence.HIGH, "api-route")
    code = CodeFacts({fn.id: FunctionCode(fn.id, Language.PYTHON, loc, flows=(flow,))})
    graph = analyze(dataclasses.replace(an_of(result), code=code))
    assert [line(p) for p in graph.paths] == lines_of("injection-to-table")
    wrong_trigger = dataclasses.replace(flow, trigger="s3")
    code = CodeFacts({fn.id: FunctionCode(fn.id, Language.PYTHON, loc, flows=(wrong_trigger,))})
    assert analyze(dataclasses.replace(an_of(result), code=code)).paths == ()


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
            code = an_of(result).code.of(hint.function)
            return code is not None and bool(code.flows)
        deps = an_of(result).deps.of(hint.function)
        return deps is not None and (any(s.kind in (SignKind.TYPOSQUAT, SignKind.OBFUSCATED) for s in deps.signs)
                                     or any(m.advisory.malicious for m in deps.matches))

    hints = [h for h in load_hints(app, GRAPH / "orders-app.hints.json") if not known(h)]
    return [line(p) for p in analyze(an_of(result), hints).paths]


@pytest.mark.parametrize("shape", [
    # internet -> unauthenticated route -> injectable handler -> over-privileged role -> data store
    r"critical: attacker:internet -> entry:OrdersFunction -> function:OrdersFunction "
    r"-> role:OrdersFunctionRole -> data:OrdersTable",
    # public bucket upload -> S3-triggered handler with command injection -> role that rewrites functions -> admin
    r"critical: attacker:internet -> entry:UploadsBucket -> function:ThumbnailFunction "
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
    from remit.report.dot import quote
    from remit.report.mermaid import label

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
    from remit.loaders.cloudformation import load_template
    from remit.loaders.discover import discover

    docs = [d for d in (load_template(f).document for f in discover([tmp_path]).files) if d is not None]
    app, _ = build(docs, tmp_path, expander(tmp_path))
    hints = [CodeHint(fn.id, HintKind.INJECTION, "code injection: body reaches eval", 0.9, SinkKind.CODE)
             for fn in app.functions]
    began = time.perf_counter()
    graph = analyze(analysis(app), hints)
    elapsed = time.perf_counter() - began
    assert 0 < len(graph.paths) <= MAX_PATHS
    assert elapsed < 60, f"{elapsed:.1f}s"


def test_blast_radius_says_what_a_compromised_function_can_do() -> None:
    radius = blast(an_of(scanned("upload-to-admin")))
    resize = {(i.kind, i.target) for i in radius["Resize"]}
    assert ("update-code", "Ops") in resize
    assert ("update-code", "Resize") not in resize  # its own code is no gain
    ops = {(i.kind, i.target) for i in radius["Ops"]}
    assert ("escalate", "account-admin") in ops
    assert blast(an_of(scanned("log-only")))["Echo"] == ()  # writes its own logs: nothing worth having


def test_dependency_facts_become_edges() -> None:
    """The dependency stage's facts, never its findings, feed the graph: a look-alike package in a manifest
    makes every function shipping that directory a foothold; weaker signs (unpinned versions) add no edge."""
    import dataclasses

    from remit.deps.facts import DependencyFacts, FunctionDeps, Sign
    from remit.graph.hints import gather

    result = scan([EXAMPLE], ScanOptions(strict=True))
    app = result.application
    assert app is not None
    where = SourceLocation("src/reports/requirements.txt", 2, 1)
    lookalike = Sign(SignKind.TYPOSQUAT, where, "reqeusts looks like requests", "reqeusts", "reqeusts")
    unpinned = Sign(SignKind.UNPINNED, where, "boto3 is not pinned", "boto3", "boto3")
    shipping = [fn for fn in app.functions if fn.code.path is not None and fn.code.path.name == "reports"]
    facts = DependencyFacts({fn.id: FunctionDeps(fn.id, signs=(lookalike, unpinned)) for fn in shipping})
    an = dataclasses.replace(an_of(result), deps=facts)
    hints = gather(an)
    shipped = sorted(h.function.logical_id for h in hints if h.kind is HintKind.MALICIOUS_PACKAGE)
    assert shipped == ["FulfilmentFunction", "ReportsFunction"]  # both ship src/reports/
    assert all(h.label == "reqeusts looks like requests" for h in hints if h.kind is HintKind.MALICIOUS_PACKAGE)
    paths = [line(p) for p in analyze(an).paths]
    assert "critical: attacker:supply-chain -> function:ReportsFunction -> role:BackOfficeRole " \
           "-> secret:PaymentProviderSecret" in paths or \
           "critical: attacker:supply-chain -> function:FulfilmentFunction -> role:BackOfficeRole " \
           "-> secret:PaymentProviderSecret" in paths


def test_findings_never_change_the_paths(tmp_path: Path) -> None:
    """Severity overrides, --ignore and suppressions change findings, not which attack paths exist."""
    import shutil

    def paths(options: ScanOptions, where: Path = EXAMPLE) -> list[str]:
        return [line(p) for p in scan([where], options).attack_paths]

    base = ScanOptions(strict=True, advisories=(EXAMPLE / "advisories",))
    expected = paths(base)
    assert expected
    ignored = dataclasses.replace(base, ignore=("code", "DEP", "SUPPLY", "iam", "RMT-LAMBDA-004"))
    overridden = dataclasses.replace(base, severity_overrides={"RMT-CODE-001": Severity.LOW,
                                                               "RMT-SUPPLY-001": Severity.LOW,
                                                               "RMT-DEP-001": Severity.LOW})
    assert paths(ignored) == expected
    assert paths(overridden) == expected
    suppressed = tmp_path / "orders-app"  # every finding suppressed in the template's metadata
    shutil.copytree(EXAMPLE, suppressed)
    template = suppressed / "template.yaml"
    template.write_text(template.read_text().replace(
        "Transform: AWS::Serverless-2016-10-31\n",
        "Transform: AWS::Serverless-2016-10-31\nMetadata:\n  remit:\n    ignore:\n      - id: '*'\n"
        "        reason: every finding accepted\n", 1))
    result = scan([suppressed], base)
    assert result.findings
    assert all(f.suppressed for f in result.findings)
    assert paths(base, suppressed) == expected


def _steps(name: str) -> list[list[str]]:
    result = scanned(name)
    assert result.application is not None
    graph = analyze(an_of(result), load_hints(result.application, GRAPH / name / "hints.json"))
    return [[s.label for s in p.steps] for p in graph.paths]


def test_catalog_escalations_become_edges() -> None:
    """Methods of the privilege-escalation catalog (remit.iam.privesc) the first graph did not know: a new
    version of the role's own managed policy, a managed policy attached to its own role, a role passed to
    Glue. Each hop names the method and points at the granting statement."""
    labels = "\n".join(label for path in _steps("escalate-catalog") for label in path)
    assert "may iam:CreatePolicyVersion and so rewrite an attached customer managed policy" in labels
    assert "may iam:AttachRolePolicy and so attach any managed policy to a role, granting itself" in labels
    assert "may pass role EtlAdminRole to glue (iam:PassRole + glue:CreateJob + glue:StartJobRun: glue-003)" in labels
    assert [ln.rsplit(" -> ", 1)[1] for ln in lines_of("escalate-catalog")] == ["admin:account-admin"] * 4


def test_a_deny_cancels_the_escalation(tmp_path: Path) -> None:
    """The Deny removes the edge (no path); the same template without it escalates."""
    assert lines_of("deny-cancels-escalation") == []
    source = (GRAPH / "deny-cancels-escalation" / "template.yaml").read_text()
    deny = '            - Effect: Deny\n              Action: iam:*\n              Resource: "*"\n'
    without = source.replace(deny, "")
    assert without != source
    (tmp_path / "template.yaml").write_text(without)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text((GRAPH / "deny-cancels-escalation" / "src" / "app.py").read_text())
    result = scan([tmp_path], ScanOptions(strict=True))
    assert result.application is not None
    hints = load_hints(result.application, GRAPH / "deny-cancels-escalation" / "hints.json")
    got = [line(p) for p in analyze(an_of(result), hints).paths]
    assert "critical: attacker:internet -> entry:Fn -> function:Fn -> role:FnRole -> admin:account-admin" in got


def test_a_conditional_grant_is_a_weaker_marked_edge() -> None:
    by_end = {path[-1].split(" on bucket ")[-1].split(" ")[0]: path[-1] for path in _steps("conditional-grant")
              if " on bucket " in path[-1]}
    assert "[conditional: only if StringEquals s3:ExistingObjectTag/team = reports]" in by_end["Reports"]
    assert "conditional" not in by_end["Archive"]
    lines = lines_of("conditional-grant")
    assert lines[0] == "critical: attacker:internet -> entry:Fn -> function:Fn -> role:FnRole -> data:Archive"
    scores = {p.steps[-1].resource: p.score for p in scanned_paths("conditional-grant")}
    assert scores["Reports"] == scores["Archive"] / 2  # the conditional grant halves the likelihood


def test_ssrf_may_leak_the_credentials_but_xss_adds_nothing() -> None:
    """Lambda has no instance metadata service: an SSRF reaches the role's credentials only through file://
    (or a proxy), a weak edge that keeps the function step; XSS and open redirects act on other users, not on the
    function, and add no edge."""
    result = scanned("injection-to-table")
    app = result.application
    assert app is not None
    fn = next(f for f in app.functions if f.logical_id == "Lookup")
    ssrf = CodeHint(fn.id, HintKind.INJECTION, "SSRF: event['url'] reaches urlopen", 0.9, SinkKind.SSRF,
                    location=SourceLocation("src/app.py", 2, 5))
    got = [line(p) for p in analyze(an_of(result), [ssrf]).paths]
    assert got == ["high: attacker:internet -> entry:Lookup -> function:Lookup -> role:LookupRole "
                   "-> data:Customers"]
    for sink in (SinkKind.XSS, SinkKind.REDIRECT):
        other = CodeHint(fn.id, HintKind.INJECTION, "x", 0.9, sink, location=SourceLocation("src/app.py", 2, 5))
        assert analyze(an_of(result), [other]).paths == ()


def test_who_writes_to_a_trigger_comes_from_the_exposure(tmp_path: Path) -> None:
    """A queue that invokes an injectable function: its policy (an.iam.exposure) decides the starting point.
    Anyone -> another AWS account at full likelihood; one named account -> other-account, less surely; the
    account's own principals -> only the insider."""
    def template(principal: str) -> str:
        return f"""AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Data:
    Type: AWS::DynamoDB::Table
  Jobs:
    Type: AWS::SQS::Queue
  JobsPolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Jobs]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {{AWS: {principal}}}
            Action: sqs:SendMessage
            Resource: !GetAtt Jobs.Arn
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(e, c): pass"
      Policies:
        - DynamoDBReadPolicy: {{TableName: !Ref Data}}
      Events:
        Q: {{Type: SQS, Properties: {{Queue: !GetAtt Jobs.Arn}}}}
"""
    starts: dict[str, list[str]] = {}
    scores: dict[str, float] = {}
    for name, principal in (("anyone", '"*"'), ("partner", '"arn:aws:iam::444455556666:root"'),
                            ("own", '!Sub "arn:aws:iam::${AWS::AccountId}:role/x"'),
                            # AWS's documentation account is a real account like any other, not the template's
                            ("documentation-id", '"arn:aws:iam::123456789012:role/x"')):
        (tmp_path / name).mkdir()
        (tmp_path / name / "template.yaml").write_text(template(principal))
        result = scan([tmp_path / name], ScanOptions(strict=True))
        app = result.application
        assert app is not None
        fn = next(f for f in app.functions if f.logical_id == "Worker")
        hint = CodeHint(fn.id, HintKind.INJECTION, "code injection: body reaches eval", 0.9, SinkKind.CODE,
                        frozenset({"sqs"}), SourceLocation("template.yaml", 1, 1))
        paths = [p for p in analyze(an_of(result), [hint]).paths if p.steps[1].resource == "Jobs"]
        starts[name] = sorted({p.steps[0].resource for p in paths})  # the insider's same chain is dropped
        scores[name] = max(p.score for p in paths)
    assert starts == {"anyone": ["other-account"], "partner": ["other-account"], "own": ["insider"],
                      "documentation-id": ["other-account"]}
    assert scores["anyone"] > scores["partner"] > scores["own"]


def test_html_blast_radius_is_the_iam_view() -> None:
    """The HTML "Blast radius" shows remit.iam.blast (as JSON and text do): actions grouped by kind, with where
    they are granted."""
    import html as html_lib

    from remit.iam.blast import blast_radii

    result = scanned("upload-to-admin")
    assert result.application is not None
    page = html_lib.unescape(render(result, Format.HTML))
    section = page[page.index('<section id="blast">'):page.index('<section id="diagnostics">')]
    for b in blast_radii(an_of(result).iam):
        assert f"<b>{b.function}</b>" in section
        for item in (*b.read, *b.write, *b.invoke, *b.passes):
            assert item.describe() in section
            assert f"({item.where})" in section
        for e in b.escalate:
            assert e in section
    assert "ADMIN" in section  # Ops's role: every action on every resource


def test_footholds_name_their_evidence() -> None:
    """Leaked user credentials, role chains whose trust names the principal itself, federated and workload
    roles: each step says why, and points at the line that makes it possible."""
    paths = {line(p): p for p in scanned_paths("footholds")}
    chain = paths["high: attacker:leaked-credentials -> user:Builder -> role:DeployRole -> role:BreakGlass "
                  "-> admin:account-admin"]
    assert [s.label for s in chain.steps[1:3]] == [
        "IAM user Builder has an access key: whoever holds them acts as the user",
        "user Builder may assume role DeployRole: its trust policy names Builder",
    ]
    assert chain.steps[3].label == "role DeployRole may assume role BreakGlass: its trust policy names DeployRole"
    assert [(s.evidence.path, s.evidence.line) for s in chain.steps[1:4] if s.evidence] == [
        ("template.yaml", 15), ("template.yaml", 89), ("template.yaml", 105)]  # the user, each trust statement
    # where each step's resource is defined, beside the evidence of the move into it
    assert [(s.location.path, s.location.line) for s in chain.steps[1:4] if s.location] == [
        ("template.yaml", 15), ("template.yaml", 83), ("template.yaml", 100)]
    assert chain.steps[0].location is None  # the starting point
    assert chain.steps[-1].location is None  # the account's administrator
    workload = paths["high: attacker:workload -> role:WebServerRole -> secret:DbPassword"]
    assert workload.steps[1].label == ("EC2 instances run with role WebServerRole (its trust policy names "
                                       "ec2.amazonaws.com)")
    ssm = paths["medium: attacker:leaked-credentials -> user:Operator -> role:WebServerRole -> secret:DbPassword"]
    assert ssm.steps[2].label == ("user Operator may ssm:SendCommand on the EC2 instances that run with role "
                                  "WebServerRole and act as it (ssm-002)")
    pinned = paths["medium: attacker:federated-identity -> role:GithubPinned -> secret:DbPassword"]
    assert "(only " in pinned.steps[1].label
    # near misses: nothing worth having, a trust naming someone else, an explicit Deny on sts:AssumeRole
    reached = {s.resource for p in paths.values() for s in p.steps}
    assert not reached & {"Viewer", "Denied", "DeniedTarget"}
    assert not any("user:Builder -> role:AuditorOnly" in ln for ln in paths)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from("abc"), min_size=1, max_size=5), max_size=12))
def test_only_paths_that_begin_no_longer_path_are_kept(chains: list[list[str]]) -> None:
    """The sorted-order shortcut drops exactly the paths whose chain is a proper beginning of another's."""
    from remit.graph.model import Edge, EdgeKind, Start
    from remit.graph.search import Found, _longest

    def found(chain: list[str]) -> Found:
        nodes = ["start", *chain]
        return Found(Start.INTERNET, tuple(Edge(a, b, EdgeKind.REACHES, "", 1.0) for a, b in itertools.pairwise(nodes)),
                     1.0)

    candidates = [found(c) for c in chains]
    beginnings = {f.nodes[1:i] for f in candidates for i in range(2, len(f.nodes))}
    assert _longest(candidates) == [f for f in candidates if f.nodes[1:] not in beginnings]


def test_every_foothold_gets_its_paths_beside_a_busy_one(tmp_path: Path) -> None:
    """One function reaches 150 tables; 30 leaked IAM users each reach one secret through a role. Every user's
    path is listed (a cap of 20 searched footholds per start used to drop ten of them):
    footholds share the search budget, and each one's best path comes before any foothold's second."""
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", "Resources:",
             "  BusyRole:", "    Type: AWS::IAM::Role", "    Properties:",
             "      AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com},"
             " Action: sts:AssumeRole}]}",
             "      Policies: [{PolicyName: p, PolicyDocument: {Statement: [{Effect: Allow, Action: 'dynamodb:Scan', "
             "Resource: '*'}]}}]",
             "  Busy:", "    Type: AWS::Lambda::Function", "    Properties:", "      Runtime: python3.12",
             "      Handler: index.handler", "      Role: !GetAtt BusyRole.Arn", "      Code: {ZipFile: 'x'}",
             "  BusyUrl:", "    Type: AWS::Lambda::Url",
             "    Properties: {AuthType: NONE, TargetFunctionArn: !GetAtt Busy.Arn}"]
    lines += [f"  Table{i}:\n    Type: AWS::DynamoDB::Table" for i in range(150)]
    for i in range(30):  # each user may assume a role (its trust names the user) that reads one secret
        lines += [f"  Secret{i}:", "    Type: AWS::SecretsManager::Secret",
                  f"  User{i}:", "    Type: AWS::IAM::User",
                  f"  Key{i}:", "    Type: AWS::IAM::AccessKey", f"    Properties: {{UserName: !Ref User{i}}}",
                  f"  Reader{i}:", "    Type: AWS::IAM::Role", "    Properties:",
                  f"      AssumeRolePolicyDocument: {{Statement: [{{Effect: Allow, Principal: {{AWS: !GetAtt "
                  f"User{i}.Arn}}, Action: sts:AssumeRole}}]}}",
                  f"      Policies: [{{PolicyName: p, PolicyDocument: {{Statement: [{{Effect: Allow, "
                  f"Action: 'secretsmanager:GetSecretValue', Resource: !Ref Secret{i}}}]}}}}]"]
    (tmp_path / "template.yaml").write_text("\n".join(lines) + "\n")
    result = scan([tmp_path], ScanOptions(strict=True))
    assert result.application is not None
    fn = next(f for f in result.application.functions if f.logical_id == "Busy")
    hint = CodeHint(fn.id, HintKind.INJECTION, "code injection", 0.9, SinkKind.CODE, frozenset(),
                    SourceLocation("template.yaml", 1, 1))
    paths = [line(p) for p in analyze(an_of(result), [hint]).paths]
    users = {f"high: attacker:leaked-credentials -> user:User{i} -> role:Reader{i} -> secret:Secret{i}"
             for i in range(30)}
    assert users <= set(paths)
    assert sum(1 for p in paths if "function:Busy" in p) == len(paths) - 30  # the busy one fills the rest


def test_block_public_access_closes_the_public_bucket_paths(tmp_path: Path) -> None:
    """A public bucket policy or ACL is a one-hop path from the internet (reading) and, on a bucket that invokes
    a function, an entry (writing) — unless the bucket's own Block Public Access settings make S3 refuse or
    ignore it: BlockPublicPolicy / RestrictPublicBuckets for the policy, IgnorePublicAcls / BlockPublicAcls for
    the ACL (the same fact RMT-S3 rules read)."""
    def template(block: str) -> str:
        return f"""AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  ByPolicy:
    Type: AWS::S3::Bucket
    Properties:
      PublicAccessBlockConfiguration: {{{block}}}
  ByPolicyPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref ByPolicy
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: "*"
            Action: ["s3:GetObject", "s3:PutObject"]
            Resource: !Sub "${{ByPolicy.Arn}}/*"
  ByAcl:
    Type: AWS::S3::Bucket
    Properties:
      AccessControl: PublicReadWrite
      PublicAccessBlockConfiguration: {{{block}}}
  Resize:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(e, c): pass"
      Events:
        Upload: {{Type: S3, Properties: {{Bucket: !Ref ByAcl, Events: "s3:ObjectCreated:*"}}}}
"""
    public: dict[str, set[tuple[str, ...]]] = {}
    for name, block in (("open", "BlockPublicAcls: false"),
                        ("policy-blocked", "BlockPublicPolicy: true"),
                        ("restricted-and-acls-ignored", "RestrictPublicBuckets: true, IgnorePublicAcls: true")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "template.yaml").write_text(template(block))
        result = scan([tmp_path / name], ScanOptions(strict=True))
        paths = analyze(an_of(result), []).paths
        public[name] = {tuple(s.resource for s in p.steps[:2]) for p in paths if p.steps[0].resource == "internet"}
    assert {"ByPolicy", "ByAcl"} <= {second for _, second in public["open"]}
    assert {second for _, second in public["policy-blocked"]} & {"ByPolicy"} == set()
    assert "ByAcl" in {second for _, second in public["policy-blocked"]}
    assert public["restricted-and-acls-ignored"] == set()
