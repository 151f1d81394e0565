"""The code stage on hostile and odd inputs, resolution and cross-file taint (fixtures cover each rule)."""

from __future__ import annotations

from pathlib import Path

from remit.api import scan
from remit.code.facts import SinkKind
from remit.options import ScanOptions

TEMPLATE = """Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: {code}
      Handler: {handler}
      FunctionUrlConfig: {{AuthType: NONE}}
"""


def _app(tmp_path: Path, files: dict[str, bytes | str], code: str = "src/", handler: str = "app.handler") -> Path:
    (tmp_path / "template.yaml").write_text(TEMPLATE.format(code=code, handler=handler))
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return tmp_path


def _codes(root: Path) -> list[str]:
    return sorted(d.code for d in scan([root], ScanOptions(strict=True)).diagnostics if d.code.startswith("code-"))


def test_syntax_error_is_a_diagnostic(tmp_path: Path) -> None:
    assert _codes(_app(tmp_path, {"src/app.py": "def handler(event, context:\n"})) == ["code-syntax-error"]


def test_binary_file_is_a_diagnostic(tmp_path: Path) -> None:
    assert _codes(_app(tmp_path, {"src/app.py": b"\x00\x01binary"})) == ["code-binary"]


def test_huge_file_is_a_diagnostic(tmp_path: Path) -> None:
    assert _codes(_app(tmp_path, {"src/app.py": "x = 1\n" * 200_000})) == ["code-file-too-large"]


def test_code_outside_the_root_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "app.py").write_text("import os\ndef handler(event, context):\n    os.system(event['body'])\n")
    root = tmp_path / "root"
    root.mkdir()
    (root / "src").symlink_to(outside)
    _app(root, {})
    result = scan([root], ScanOptions(strict=True))
    assert [d.code for d in result.diagnostics if d.code.startswith("code-")] == ["code-not-resolved"]
    assert not [f for f in result.findings if f.rule_id.startswith("RMT-CODE")]


def test_symlink_loop_does_not_hang(tmp_path: Path) -> None:
    root = _app(tmp_path, {"src/app.py": "def handler(event, context):\n    return 1\n"})
    (root / "src" / "loop").symlink_to(root / "src")
    scan([root], ScanOptions(strict=True))


def test_flow_through_a_package_with_relative_import(tmp_path: Path) -> None:
    root = _app(tmp_path, {
        "src/app.py": "from lib.run import go\ndef handler(event, context):\n    return go(event['body'])\n",
        "src/lib/__init__.py": "",
        "src/lib/run.py": "from .shell import sh\ndef go(x):\n    return sh('echo ' + x)\n",
        "src/lib/shell.py": "import subprocess\ndef sh(cmd):\n    return subprocess.run(cmd, shell=True)\n",
    })
    an = scan([root], ScanOptions(strict=True)).analysis
    assert an is not None
    flows = [f for fc in an.code.functions.values() for f in fc.flows]
    assert [(f.sink, f.location.path, f.location.line) for f in flows] == [(SinkKind.COMMAND, "src/lib/shell.py", 3)]
    assert next(s.location.path for s in flows[0].steps) == "src/app.py"
    fc = next(iter(an.code.functions.values()))
    assert {"src/app.py", "src/lib/run.py", "src/lib/shell.py"} <= set(fc.files)
    assert "subprocess" in fc.imports
    assert "lib" not in fc.imports


def test_recursion_terminates(tmp_path: Path) -> None:
    root = _app(tmp_path, {"src/app.py": "import os\ndef f(x):\n    return g(x)\ndef g(x):\n    return f(x)\n"
                                         "def handler(event, context):\n    os.system(f(event['body']))\n"})
    scan([root], ScanOptions(strict=True))
