"""``remit policy``: each function's least-privilege policy, ready to paste into the template."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from remit.cli import EXIT_CLEAN, EXIT_USAGE, main

from .conftest import FIXTURES, ROOT

EXAMPLE = ROOT / "examples" / "orders-app"
PERM = FIXTURES / "rules" / "RMT-PERM-001"


class _Tags(yaml.SafeLoader):
    """Reads CloudFormation short tags back as their long forms."""


for _tag, _key in (("!GetAtt", "Fn::GetAtt"), ("!Sub", "Fn::Sub"), ("!Ref", "Ref")):
    _Tags.add_constructor(_tag, lambda loader, node, key=_key: {key: loader.construct_scalar(node)})


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_policy_per_function(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "policy", str(EXAMPLE), "--function", "ThumbnailFunction", "-f", "json")
    assert code == EXIT_CLEAN
    [fn] = json.loads(out)["functions"]
    assert fn["function"] == "ThumbnailFunction"
    assert fn["complete"] is True
    assert fn["role_generated_by_sam"]
    statements = {s["Sid"]: s for s in fn["policy"]["Statement"]}
    s3 = statements["S3UploadsBucket"]
    assert s3["Action"] == ["s3:GetObject", "s3:PutObject"]
    assert s3["Resource"] == {"Fn::Sub": "${UploadsBucket.Arn}/*"}
    assert all(s["Effect"] == "Allow" for s in fn["policy"]["Statement"])
    because = {s["sid"]: s["because"] for s in fn["statements"]}
    assert because["S3UploadsBucket"] == ["src/thumbnails/app.py:16 s3.download_file",
                                          "src/thumbnails/app.py:19 s3.upload_file"]


def test_sam_policies_are_pasteable(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "policy", str(EXAMPLE), "--function", "OrdersFunction", "--format", "sam")
    assert code == EXIT_CLEAN
    block = yaml.load(out, Loader=_Tags)
    statements = block["Policies"][0]["Statement"]
    table = next(s for s in statements if s["Resource"] == {"Fn::GetAtt": "OrdersTable.Arn"})
    assert table["Action"] == ["dynamodb:PartiQLSelect", "dynamodb:Scan"]
    # SAM adds the logs permissions to roles it generates: not repeated in the SAM form
    assert not any(a.startswith("logs:") for s in statements for a in s["Action"])
    # an unresolved bucket stays "*", with the reason in a comment
    assert '# Resource is "*": Bucket: the code computes it' in out


def test_yaml_policy_document(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "policy", str(EXAMPLE), "--function", "ReportsFunction")
    assert code == EXIT_CLEAN
    doc = yaml.load(out, Loader=_Tags)
    assert doc["PolicyName"] == "ReportsFunction-least-privilege"
    statements = doc["PolicyDocument"]["Statement"]
    resources = [s["Resource"] for s in statements]
    assert {"Ref": "PaymentProviderSecret"} in resources
    assert {"Fn::Sub": "${ReportsBucket.Arn}/latest.json"} in resources
    assert any(a.startswith("logs:") for s in statements for a in s["Action"])


def test_incomplete_analysis_is_said(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "policy", str(PERM), "--function", "DynamicFunction")
    assert code == EXIT_CLEAN
    assert "# INCOMPLETE" in out
    assert "getattr(sns, operation) at src/dynamic/app.py:10" in out
    assert "incomplete (code not fully understood): DynamicFunction" in err


def test_every_function_by_default_and_output_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "out" / "policy.json"
    code, out, _ = run(capsys, "policy", str(PERM), "-f", "json", "-o", str(target))
    assert code == EXIT_CLEAN
    assert out == ""
    names = [f["function"] for f in json.loads(target.read_text())["functions"]]
    assert names[:2] == ["WideFunction", "HelperFunction"]
    assert "WriterFunction" in names


def test_shared_role_functions_list_their_own_needs(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "policy", str(PERM), "--function", "WriterFunction", "-f", "json")
    [fn] = json.loads(out)["functions"]
    actions = {a for s in fn["policy"]["Statement"] for a in s["Action"]}
    assert "s3:PutObject" in actions
    assert "s3:GetObject" not in actions
    assert fn["role"] == "SharedRole"


@pytest.mark.parametrize("argv", [
    ["policy", str(EXAMPLE), "--function", "NoSuchFunction"],
    ["policy", str(EXAMPLE), "--format", "xml"],
])
def test_usage_errors(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    assert code == EXIT_USAGE
    assert "remit: error" in capsys.readouterr().err


def test_nothing_to_read(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    code, _, err = run(capsys, "policy", str(tmp_path))
    assert code == EXIT_USAGE
    assert "nothing to read" in err


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["policy", "--help"])
    out = capsys.readouterr().out
    assert "--function NAME" in out
    assert "{yaml,sam,json}" in out
    assert "ready to paste" in out
