"""CloudFormation and SAM shapes that need more than the translator: fixture apps under
``tests/fixtures/formats/cfn-*/``, annotated like the rule fixtures (``# ruleid:`` / ``# ok:`` on the line
before the expected location, for every rule the app names), with the diagnostics each app must give listed in
``expected-diagnostics.txt`` (one ``code`` or ``code path:line`` per line)."""

from __future__ import annotations

from pathlib import Path

import pytest

from remit.api import load_documents, scan
from remit.deps.manifests import _dev_only, read_directory
from remit.diagnostics import Diagnostic, Level
from remit.documents import Document
from remit.loaders.sam import expander
from remit.model.application import Application
from remit.model.build import build
from remit.model.values import Unknown
from remit.options import ScanOptions

from .conftest import FIXTURES
from .test_rule_fixtures import ANNOTATION, TEXT_SUFFIXES, _annotations

APPS = sorted(p for p in (FIXTURES / "formats").glob("cfn-*") if p.is_dir())


def _annotated_rules(directory: Path) -> set[str]:
    rules: set[str] = set()
    for path in directory.rglob("*"):
        if path.is_file() and path.suffix in TEXT_SUFFIXES:
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
    result = scan([directory], ScanOptions(strict=True, advisories=(FIXTURES / "advisories",)))
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


def _model(path: Path) -> tuple[Application, list[Diagnostic]]:
    root, docs, diags = load_documents([path], ScanOptions())
    app, more = build(docs, root, expander(root))
    return app, [*diags, *more]


def test_resource_policies_link_by_name_arn_and_url() -> None:
    app, diags = _model(FIXTURES / "formats" / "cfn-policy-targets")
    carriers = {store.id.logical_id: (store.policy.carrier.logical_id if store.policy else None, store.external)
                for store in (*app.buckets, *app.queues, *app.topics)}
    assert carriers == {
        "Uploads": ("UploadsPolicy", False),  # !Sub "${AWS::StackName}-uploads" on both sides
        "Reports": ("ReportsPolicy", False),  # !Ref of the same parameter
        "Jobs": ("JobsPolicy", False),  # a literal queue URL
        "Events": ("EventsPolicy", False),  # an ARN built with !Sub
        "SharedPolicy": ("SharedPolicy", True),  # a bucket of another app: judged on its own
        "OutsideQueuePolicy": ("OutsideQueuePolicy", True),
    }
    assert sorted((d.code, d.line) for d in diags if d.code == "policy-not-linked") == [
        ("policy-not-linked", 89), ("policy-not-linked", 101)]


def test_included_snippets_are_analysed_at_their_own_lines() -> None:
    result = scan([FIXTURES / "formats" / "cfn-include"], ScanOptions(strict=True))
    found = {(f.rule_id, str(f.location)) for f in result.findings}
    # a JSON snippet holds no annotation: its policy statement is the Policies item of OrdersFunction
    assert ("RMT-IAM-003", "snippets/policy.json:5") in found
    assert not any(d.path.startswith("snippets/") for d in result.diagnostics)


@pytest.mark.parametrize(("location", "why"), [
    ("../outside.yaml", "outside the scanned root"),
    ("missing.yaml", "does not exist"),
    ("broken.yaml", "not valid YAML or JSON"),
    ("!Sub '${AWS::StackName}.yaml'", "not a literal"),
])
def test_includes_remit_cannot_read_are_named(tmp_path: Path, location: str, why: str) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (tmp_path / "outside.yaml").write_text("Bucket:\n  Type: AWS::S3::Bucket\n")
    (app / "broken.yaml").write_text("a: [\n")
    (app / "template.yaml").write_text(
        "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n  Fn::Transform:\n    Name: AWS::Include\n"
        f"    Parameters:\n      Location: {location}\n")
    result = scan([app])
    [diag] = [d for d in result.diagnostics if d.code == "include-not-read"]
    assert (diag.path, diag.line) == ("template.yaml", 4)
    assert why in diag.message
    docs, root = _docs(app)
    assert "Bucket" not in {r.id.logical_id for r in build(docs, root, expander(root))[0].resources}


def _docs(path: Path) -> tuple[list[Document], Path]:
    root, docs, _ = load_documents([path], ScanOptions())
    return docs, root


def test_nested_includes_and_merge_keep_written_keys(tmp_path: Path) -> None:
    (tmp_path / "parts").mkdir()
    (tmp_path / "template.yaml").write_text(
        "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n  Fn::Transform:\n    Name: AWS::Include\n"
        "    Parameters:\n      Location: parts/a.yaml\n")
    (tmp_path / "parts" / "a.yaml").write_text(
        "Queue:\n  Type: AWS::SNS::Topic\nTopic:\n  Type: AWS::SNS::Topic\n  Properties:\n"
        "    Tags:\n      Fn::Transform:\n        Name: AWS::Include\n        Parameters:\n"
        "          Location: b.yaml\n")
    (tmp_path / "parts" / "b.yaml").write_text("- Key: team\n  Value: orders\n")
    [doc], _ = _docs(tmp_path)
    assert doc.includes == ("parts/a.yaml", "parts/b.yaml")
    resources = doc.data["Resources"]
    assert resources["Queue"]["Type"] == "AWS::SQS::Queue"  # the template's own key wins
    assert resources["Topic"]["Properties"]["Tags"] == [{"Key": "team", "Value": "orders"}]
    assert doc.marks.file_of(("Resources", "Topic", "Properties", "Tags", 0, "Value")) == "parts/b.yaml"
    assert doc.marks.position(("Resources", "Topic", "Properties", "Tags", 0, "Value")).line == 2


def test_nested_stacks_from_local_templates_share_the_parent_unit() -> None:
    app, diags = _model(FIXTURES / "formats" / "cfn-nested")
    units = {doc.id: doc.unit for doc in app.documents}
    assert units == {"template.yaml": "apps/reports/template.yaml",
                     "apps/reports/template.yaml": "apps/reports/template.yaml",
                     "stacks/network.yaml": "apps/reports/template.yaml"}
    assert [(d.code, d.line) for d in diags if d.code == "nested-stack-not-read"] == [("nested-stack-not-read", 18)]


@pytest.mark.parametrize(("template", "expected"), [
    ("a ${x} b $${kept} %%{kept} ${ obj.k }", "a 1 b ${kept} %{kept} v"),
    ("${later}", "${later}"),  # known only at apply: written as it was
    ("%{ if x }y%{ endif }", "directives are not evaluated"),
    ("${upper(x)}", "other than a variable"),
    ("${nope}", "is not among its variables"),
])
def test_templatefile_renders_variables(tmp_path: Path, template: str, expected: str) -> None:
    (tmp_path / "t.tftpl").write_text(template)
    (tmp_path / "main.tf").write_text(
        'resource "aws_sqs_queue" "q" {}\n'
        'resource "aws_lambda_function" "f" {\n  function_name = "f"\n  role = "arn:aws:iam::1:role/r"\n'
        '  environment {\n    variables = {\n      T = templatefile("${path.module}/t.tftpl", '
        '{ x = 1, obj = { k = "v" }, later = aws_sqs_queue.q.arn })\n    }\n  }\n}\n')
    app, _ = _model(tmp_path)
    value = app.functions[0].environment["T"]
    assert expected in (value.reason if isinstance(value, Unknown) else value)


@pytest.mark.parametrize(("name", "dev"), [
    ("requirements.txt", False), ("requirements-prod.txt", False), ("requirements-lambda.txt", False),
    ("requirements-dev.txt", True), ("requirements_test.txt", True), ("requirements.tests.txt", True),
    ("requirements-docs.txt", True), ("requirements-ci.txt", True), ("requirements-devices.txt", False),
])
def test_development_requirement_files_are_not_shipped(name: str, dev: bool) -> None:
    assert _dev_only(name) is dev


def test_a_dev_file_a_shipped_file_includes_is_shipped(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("-r requirements-dev.txt\nrequests==2.31.0\n")
    (tmp_path / "requirements-dev.txt").write_text("pyyaml==6.0.1\n")
    (tmp_path / "poetry.lock").write_text('[[package]]\nname = "pytest"\nversion = "8.0.0"\ncategory = "dev"\n\n'
                                          '[[package]]\nname = "boto3"\nversion = "1.34.0"\ncategory = "main"\n')
    shipped, _ = read_directory(tmp_path, tmp_path)
    assert sorted(p.name.lower() for p in shipped.packages) == ["boto3", "pyyaml", "requests"]
