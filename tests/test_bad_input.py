"""Bad input: a clear diagnostic naming the file, the scan goes on, nothing crashes, nothing runs, nothing leaks.

Every case scans a directory holding the bad input *and* ``good.yaml`` (a SAM function URL with ``AuthType:
NONE``), then checks the exact diagnostic code and file, and that the good template's finding is still there.
Static inputs live in ``tests/fixtures/bad/``; binary, mis-encoded, huge, deep and linked inputs are generated
into ``tmp_path``.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from remit.api import scan
from remit.cli import EXIT_FINDINGS, EXIT_USAGE, main
from remit.diagnostics import Level
from remit.loaders.marked import MAX_DEPTH
from remit.options import ScanOptions
from remit.report import Format, render
from remit.result import ScanResult

from .conftest import FIXTURES

BAD = FIXTURES / "bad"
GOOD = BAD / "good.yaml"
PUBLIC_URL = "RMT-LAMBDA-001"


def _line_of(path: Path, needle: str, nth: int = 1) -> int:
    hits = [i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line]
    return hits[nth - 1]


GOOD_FINDING = (PUBLIC_URL, "good.yaml", _line_of(GOOD, "AuthType: NONE"))


def _dir_with(tmp_path: Path, *names: str) -> Path:
    """A fresh scan root holding good.yaml and the named fixtures."""
    root = tmp_path / "root"
    root.mkdir(exist_ok=True)
    for name in ("good.yaml", *names):
        shutil.copy(BAD / name, root / name)
    return root


def _scan(*targets: Path) -> ScanResult:
    return scan(list(targets), ScanOptions(strict=True))


def _found(result: ScanResult, rule_id: str = PUBLIC_URL) -> set[tuple[str, str, int]]:
    return {(f.rule_id, f.location.path, f.location.line) for f in result.findings if f.rule_id == rule_id}


def _codes(result: ScanResult, path: str) -> list[str]:
    return sorted(d.code for d in result.diagnostics if d.path == path)


def _assert_scan_went_on(result: ScanResult) -> None:
    assert GOOD_FINDING in _found(result)
    assert not [d for d in result.diagnostics if d.code in ("model-error", "rule-error")]
    # nothing the bad input did may be blamed on the good template
    assert not [d for d in result.diagnostics if d.path == "good.yaml"]


# ------------------------------------------------------------------------------------------------
# static fixtures: (file, expected diagnostic codes for that file, level of the first)

@pytest.mark.parametrize(
    ("name", "codes", "level"),
    [
        ("malformed.yaml", ["parse-error"], Level.ERROR),
        ("malformed.json", ["parse-error"], Level.ERROR),
        ("resources-list.yaml", ["not-a-template"], Level.ERROR),
        ("no-type.yaml", ["bad-resource", "bad-resource"], Level.WARNING),
        ("condition-cycle.yaml", ["intrinsic"], Level.WARNING),
        ("if-undefined.yaml", ["intrinsic"], Level.WARNING),
        ("alias-bomb.yaml", ["parse-error"], Level.ERROR),
        ("sam-rejected.yaml", ["sam-invalid", "sam-invalid-resource", "sam-invalid-resource"], Level.ERROR),
    ],
)
def test_bad_file_gets_its_diagnostic_and_the_scan_goes_on(tmp_path: Path, name: str, codes: list[str],
                                                           level: Level) -> None:
    result = _scan(_dir_with(tmp_path, name))
    assert _codes(result, name) == codes
    assert {d.level for d in result.diagnostics if d.path == name} == {level}
    _assert_scan_went_on(result)


def test_parse_errors_carry_the_line(tmp_path: Path) -> None:
    result = _scan(_dir_with(tmp_path, "malformed.yaml", "malformed.json"))
    lines = {d.path: d.line for d in result.diagnostics}
    assert lines["malformed.yaml"] == _line_of(BAD / "malformed.yaml", "VisibilityTimeout")
    assert lines["malformed.json"] == _line_of(BAD / "malformed.json", '"orders",}')
    assert {d.path for d in result.documents} == {"good.yaml"}


def test_resources_without_type_are_skipped_one_by_one(tmp_path: Path) -> None:
    result = _scan(_dir_with(tmp_path, "no-type.yaml"))
    doc = BAD / "no-type.yaml"
    assert sorted(d.line or 0 for d in result.diagnostics if d.code == "bad-resource") == [
        _line_of(doc, "Typeless:"), _line_of(doc, "NotAMapping:")]
    assert result.application is not None
    kept = {(r.doc, r.logical_id, r.type) for r in result.application.resources}
    assert ("no-type.yaml", "Queue", "AWS::SQS::Queue") in kept


def test_unknown_resource_types_are_kept_quietly(tmp_path: Path) -> None:
    result = _scan(_dir_with(tmp_path, "unknown-types.yaml"))
    assert _codes(result, "unknown-types.yaml") == []
    assert result.application is not None
    types = {r.logical_id: r.type for r in result.application.resources if r.doc == "unknown-types.yaml"}
    assert types == {"Widget": "Custom::Widget", "Future": "AWS::NotYet::Invented",
                     "ThirdParty": "Acme::Billing::Account"}
    _assert_scan_went_on(result)


@pytest.mark.parametrize("name", ["condition-cycle.yaml", "if-undefined.yaml"])
def test_undecidable_conditions_keep_both_branches(tmp_path: Path, name: str) -> None:
    """A condition that cannot be decided (a cycle, or not defined) leaves Fn::If open: the NONE branch counts."""
    result = _scan(_dir_with(tmp_path, name))
    assert (PUBLIC_URL, name, _line_of(BAD / name, "AuthType:")) in _found(result)
    message = next(d.message for d in result.diagnostics if d.path == name)
    assert ("depends on itself" in message) if name == "condition-cycle.yaml" else ("not defined" in message)


def test_sam_rejection_is_a_diagnostic_and_other_resources_are_analysed(tmp_path: Path) -> None:
    result = _scan(_dir_with(tmp_path, "sam-rejected.yaml"))
    doc = BAD / "sam-rejected.yaml"
    per_resource = {d.line: d.message for d in result.diagnostics if d.code == "sam-invalid-resource"}
    # each bad resource is named on its own line, with the translator's reason for *that* resource
    assert set(per_resource) == {_line_of(doc, "BrokenFunction:"), _line_of(doc, "BrokenSchedule:")}
    assert "BrokenFunction was not analysed" in per_resource[_line_of(doc, "BrokenFunction:")]
    assert "BrokenSchedule was not analysed" in per_resource[_line_of(doc, "BrokenSchedule:")]
    assert "[BrokenFunction]" not in per_resource[_line_of(doc, "BrokenSchedule:")]
    # the resource after the rejected ones is still expanded and checked
    assert (PUBLIC_URL, "sam-rejected.yaml", _line_of(doc, "AuthType: NONE")) in _found(result)
    _assert_scan_went_on(result)


def test_sam_as_written_before_sam_build_is_analysed(tmp_path: Path) -> None:
    """No CodeUri, an image function without ImageUri, a ``${PLACEHOLDER}`` CodeUri: `sam build` fills these in;
    the translator alone would reject each function."""
    result = _scan(_dir_with(tmp_path, "sam-unbuilt.yaml"))
    doc = BAD / "sam-unbuilt.yaml"
    assert _codes(result, "sam-unbuilt.yaml") == []
    assert {(PUBLIC_URL, "sam-unbuilt.yaml", _line_of(doc, "AuthType: NONE", n)) for n in (1, 2, 3)} <= _found(result)
    _assert_scan_went_on(result)


def test_sam_resources_without_the_transform_are_read_as_sam(tmp_path: Path) -> None:
    result = _scan(_dir_with(tmp_path, "no-transform.yaml"))
    doc = BAD / "no-transform.yaml"
    assert _codes(result, "no-transform.yaml") == ["sam-transform-missing"]
    assert (PUBLIC_URL, "no-transform.yaml", _line_of(doc, "AuthType: NONE")) in _found(result)
    assert {(d.path, d.kind) for d in result.documents} == {("good.yaml", "sam"), ("no-transform.yaml", "sam")}
    _assert_scan_went_on(result)


@pytest.mark.parametrize("name", ["k8s-deployment.yaml", "docker-compose.yml", "empty.yaml"])
def test_other_yaml_is_ignored_when_found_and_reported_when_named(tmp_path: Path, name: str) -> None:
    root = _dir_with(tmp_path, name)
    walked = _scan(root)
    assert _codes(walked, name) == []
    assert [d.path for d in walked.documents] == ["good.yaml"]
    _assert_scan_went_on(walked)
    named = _scan(root / "good.yaml", root / name)
    assert _codes(named, name) == ["not-a-template"]
    _assert_scan_went_on(named)


# ------------------------------------------------------------------------------------------------
# generated inputs


def _root(tmp_path: Path) -> Path:
    return _dir_with(tmp_path)


def test_binary_file_named_yaml(tmp_path: Path) -> None:
    root = _root(tmp_path)
    (root / "blob.yaml").write_bytes(bytes(range(256)) * 16)
    result = _scan(root)
    assert _codes(result, "blob.yaml") == ["binary"]
    _assert_scan_went_on(result)


def test_non_utf8_bytes(tmp_path: Path) -> None:
    root = _root(tmp_path)
    text = ("AWSTemplateFormatVersion: '2010-09-09'\nDescription: caf\xe9 cr\xe8me\n"
            "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n")
    (root / "latin1.yaml").write_bytes(text.encode("latin-1"))
    result = _scan(root)
    assert _codes(result, "latin1.yaml") == ["encoding"]
    assert "UTF-8" in next(d.message for d in result.diagnostics if d.path == "latin1.yaml")
    _assert_scan_went_on(result)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be-bom", "utf-8-sig"])
def test_template_with_a_bom_loads(tmp_path: Path, encoding: str) -> None:
    root = _root(tmp_path)
    text = GOOD.read_text(encoding="utf-8").replace("GoodFunction", "BomFunction")
    raw = b"\xfe\xff" + text.encode("utf-16-be") if encoding == "utf-16-be-bom" else text.encode(encoding)
    (root / "bom.yaml").write_bytes(raw)
    result = _scan(root)
    assert _codes(result, "bom.yaml") == []
    assert (PUBLIC_URL, "bom.yaml", GOOD_FINDING[2]) in _found(result)
    _assert_scan_went_on(result)


def test_empty_and_whitespace_files(tmp_path: Path) -> None:
    root = _root(tmp_path)
    (root / "blank.yaml").write_text("\n\n   \n")
    (root / "null.json").write_text("null")
    (root / "resources-null.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n")
    result = _scan(root)
    assert _codes(result, "blank.yaml") == []
    assert _codes(result, "null.json") == []
    assert _codes(result, "resources-null.yaml") == ["not-a-template"]
    _assert_scan_went_on(result)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_symlink_loops_are_not_followed(tmp_path: Path) -> None:
    root = _root(tmp_path)
    (root / "sub").mkdir()
    (root / "sub" / "up").symlink_to("..")
    (root / "self.yaml").symlink_to("self.yaml")
    result = _scan(root)
    assert _codes(result, "sub/up") == ["symlink-loop"]
    assert _codes(result, "self.yaml") == ["symlink-broken"]
    assert [d.path for d in result.documents] == ["good.yaml"]
    _assert_scan_went_on(result)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_links_out_of_the_root_are_not_followed(tmp_path: Path) -> None:
    root = _root(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text(GOOD.read_text(encoding="utf-8").replace("GoodFunction", "OutsideSecret"))
    (root / "elsewhere").symlink_to(outside, target_is_directory=True)
    (root / "linked.yaml").symlink_to(outside / "secret.yaml")
    result = _scan(root)
    assert _codes(result, "elsewhere") == ["symlink-outside-root"]
    assert _codes(result, "linked.yaml") == ["symlink-outside-root"]
    assert [d.path for d in result.documents] == ["good.yaml"]
    assert "OutsideSecret" not in render(result, Format.JSON)
    _assert_scan_went_on(result)


def test_local_definition_outside_the_root_is_not_read(tmp_path: Path) -> None:
    root = _root(tmp_path)
    (tmp_path / "private-openapi.yaml").write_text("openapi: 3.0.1\ninfo: {title: private-marker, version: '1'}\n")
    (root / "api.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::Api\n"
        "    Properties:\n      StageName: prod\n      DefinitionUri: ../private-openapi.yaml\n")
    result = _scan(root)
    assert _codes(result, "api.yaml") == ["definition-outside-root"]
    assert "private-marker" not in render(result, Format.JSON)
    _assert_scan_went_on(result)


def _huge_template(count: int) -> str:
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", "Resources:"]
    for i in range(count - 2):
        kind = i % 4
        if kind == 0:
            lines += [f"  Queue{i}:", "    Type: AWS::SQS::Queue", "    Properties:",
                      f"      RedrivePolicy: {{deadLetterTargetArn: !GetAtt Queue{(i + 4) % (count - 2)}.Arn, "
                      "maxReceiveCount: 3}"]
        elif kind == 1:
            lines += [f"  Role{i}:", "    Type: AWS::IAM::Role", "    Properties:",
                      "      AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Action: 'sts:AssumeRole', "
                      "Principal: {Service: lambda.amazonaws.com}}]}",
                      f"      Policies: [{{PolicyName: p, PolicyDocument: {{Statement: [{{Effect: Allow, "
                      f"Action: 'sqs:SendMessage', Resource: !GetAtt Queue{i - 1}.Arn}}]}}}}]"]
        elif kind == 2:
            lines += [f"  Fn{i}:", "    Type: AWS::Lambda::Function", "    Properties:", "      Runtime: python3.12",
                      "      Handler: index.handler", f"      Role: !GetAtt Role{i - 1}.Arn",
                      "      Code: {ZipFile: 'def handler(e, c): return 1'}",
                      f"      Environment: {{Variables: {{QUEUE: !Ref Queue{i - 2}}}}}"]
        else:
            lines += [f"  Mapping{i}:", "    Type: AWS::Lambda::EventSourceMapping", "    Properties:",
                      f"      FunctionName: !Ref Fn{i - 1}", f"      EventSourceArn: !GetAtt Queue{i - 3}.Arn"]
    lines += ["  LastFunctionUrl:", "    Type: AWS::Lambda::Url", "    Properties:",
              "      TargetFunctionArn: !GetAtt Fn2.Arn", "      AuthType: NONE",
              "  Tail:", "    Type: AWS::SNS::Topic"]
    return "\n".join(lines) + "\n"


def test_twenty_thousand_resources_complete(tmp_path: Path) -> None:
    root = _root(tmp_path)
    (root / "huge.yaml").write_text(_huge_template(20_000))
    result = _scan(root)
    assert _codes(result, "huge.yaml") == []
    assert result.application is not None
    assert sum(1 for r in result.application.resources if r.doc == "huge.yaml") == 20_000
    assert (PUBLIC_URL, "huge.yaml", _line_of(root / "huge.yaml", "AuthType: NONE")) in _found(result)
    _assert_scan_went_on(result)


def _nested(depth: int, leaf: str = "1") -> str:
    return "{k: " * depth + leaf + "}" * depth


_SAM_DEEP = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  DeepFunction:
    Type: AWS::Serverless::Function
    Metadata:
      Notes: {meta}
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: x
      FunctionUrlConfig:
        AuthType: NONE
      Policies:
        - Statement:
            - Effect: Allow
              Action: s3:GetObject
              Resource: '*'
              Condition: {cond}
"""


def test_nesting_at_the_limit_goes_through_every_stage(tmp_path: Path) -> None:
    """The loader's depth limit is one every later stage (SAM expansion, the model, rules) survives."""
    root = _root(tmp_path)
    # the Condition value sits at depth 9 (template, Resources, DeepFunction, Properties, Policies, item,
    # Statement, item, Condition); Metadata.Notes at depth 5
    (root / "deep.yaml").write_text(_SAM_DEEP.format(meta=_nested(MAX_DEPTH - 5), cond=_nested(MAX_DEPTH - 9)))
    result = _scan(root)
    assert _codes(result, "deep.yaml") == []
    assert (PUBLIC_URL, "deep.yaml", _line_of(root / "deep.yaml", "AuthType: NONE")) in _found(result)
    _assert_scan_went_on(result)


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_nesting_past_the_limit_is_a_parse_error(tmp_path: Path, suffix: str) -> None:
    root = _root(tmp_path)
    deep: object = 1
    for _ in range(MAX_DEPTH * 4):
        deep = [deep]
    template = {"AWSTemplateFormatVersion": "2010-09-09",
                "Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"Tags": deep}}}}
    (root / f"deep{suffix}").write_text(json.dumps(template) if suffix == ".json" else
                                        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Q:\n"
                                        "    Type: AWS::SQS::Queue\n    Properties:\n      Tags: "
                                        + json.dumps(deep) + "\n")
    result = _scan(root)
    assert _codes(result, f"deep{suffix}") == ["parse-error"]
    _assert_scan_went_on(result)


def test_yaml_tags_are_never_executed(tmp_path: Path) -> None:
    root = _root(tmp_path)
    marker = tmp_path / "executed"
    (root / "tags.yaml").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\n"
        f"Description: !!python/object/apply:os.system ['touch {marker}']\n"
        "Resources:\n"
        "  Q:\n"
        "    Type: AWS::SQS::Queue\n"
        f"    Properties: !!python/object/apply:subprocess.call [['touch', '{marker}']]\n")
    result = _scan(root)
    assert not marker.exists()
    assert "tags.yaml" in {d.path for d in result.documents}
    _assert_scan_went_on(result)


# ------------------------------------------------------------------------------------------------
# hostile text


def _no_control_characters(text: str) -> None:
    assert "\x1b" not in text
    assert "\r" not in text
    assert "\x07" not in text
    assert "\x00" not in text


def test_hostile_names_are_escaped_in_the_text_report(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    root = _dir_with(tmp_path, "hostile-name.json")
    result = _scan(root)
    hostile = [f for f in result.findings if f.location.path == "hostile-name.json" and f.rule_id == PUBLIC_URL]
    assert [f.resource for f in hostile] == ["Url\x1b[2Jx"]  # the data keeps what the author wrote
    _assert_scan_went_on(result)
    text = render(result, Format.TEXT)
    _no_control_characters(text)
    assert "Url\\x1b[2Jx" in text
    assert main(["scan", str(root), "--no-config", "--color", "never"]) == EXIT_FINDINGS
    _no_control_characters(capsys.readouterr().out)


def test_hostile_diagnostics_are_escaped_in_the_text_report(tmp_path: Path) -> None:
    root = _root(tmp_path)
    (root / "evil\x1b[31m.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  - \x1b[2J\n")
    (root / "evil2.yaml").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  \"Bad\\e[2J\\r\":\n    Properties: {}\n")
    result = _scan(root)
    assert {d.code for d in result.diagnostics} == {"parse-error", "bad-resource"}
    _no_control_characters(render(result, Format.TEXT))
    _assert_scan_went_on(result)


# ------------------------------------------------------------------------------------------------
# the command line


def _exit(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:  # argparse rejects some options itself
        return exc.code if isinstance(exc.code, int) else -1


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda root: None, id="empty-directory"),
        pytest.param(lambda root: (root / "k8s.yaml").write_text((BAD / "k8s-deployment.yaml").read_text()),
                     id="only-other-yaml"),
        pytest.param(lambda root: (root / "broken.yaml").write_text((BAD / "malformed.yaml").read_text()),
                     id="only-broken-template"),
    ],
)
def test_cli_nothing_scannable_exits_two(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         make: Callable[[Path], object]) -> None:
    root = tmp_path / "root"
    root.mkdir()
    make(root)
    assert _exit(["scan", str(root), "--no-config"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "nothing to scan" in err


@pytest.mark.parametrize("content", [None, "not json at all", "[1, 2, 3]", "\xff\xfe\x00garbage"])
def test_cli_unreadable_baseline_exits_two(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           content: str | None) -> None:
    root = _root(tmp_path)
    baseline = tmp_path / "baseline.json"
    if content is not None:
        baseline.write_text(content, encoding="latin-1")
    assert _exit(["scan", str(root), "--no-config", "--baseline", str(baseline)]) == EXIT_USAGE
    assert "baseline" in capsys.readouterr().err


@pytest.mark.parametrize("token", ["RMT-NOPE-999", "NOT-A-FAMILY", "lambda,bogus"])
def test_cli_unknown_select_token_exits_two(tmp_path: Path, capsys: pytest.CaptureFixture[str], token: str) -> None:
    root = _root(tmp_path)
    assert _exit(["scan", str(root), "--no-config", "--select", token]) == EXIT_USAGE
    assert "matches no rule" in capsys.readouterr().err
    assert _exit(["scan", str(root), "--no-config", "--ignore", token]) == EXIT_USAGE


def test_language_extensions_foreach_is_reported_and_the_rest_analysed(tmp_path: Path) -> None:
    """``Fn::ForEach`` (AWS::LanguageExtensions) is not expanded; it must not make SAM reject the template."""
    result = _scan(_dir_with(tmp_path, "foreach.yaml"))
    doc = BAD / "foreach.yaml"
    assert _codes(result, "foreach.yaml") == ["foreach-not-expanded"]
    assert (PUBLIC_URL, "foreach.yaml", _line_of(doc, "FunctionUrlConfig")) in _found(result)
    _assert_scan_went_on(result)
