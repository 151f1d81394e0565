"""RMT-SECRET-004 on what its annotated fixture cannot hold: binary key stores and links out of the root."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from remit.api import scan
from remit.options import ScanOptions
from remit.rules.secrets import secret_files

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: src/
      Handler: app.handler
"""
KEY = "-----BEGIN PRIVATE KEY-----\n" + "QUJD" * 40 + "\n-----END PRIVATE KEY-----\n"


def _repo(root: Path) -> Path:
    (root / "src").mkdir(parents=True)
    (root / "template.yaml").write_text(TEMPLATE)
    (root / "src" / "app.py").write_text("def handler(event, context):\n    return 1\n")
    return root


def _findings(root: Path) -> list[tuple[str, int, str]]:
    result = scan([root], ScanOptions(select=("RMT-SECRET-004",), strict=True))
    return [(f.location.path, f.location.line, f.message) for f in result.findings]


def test_key_store_in_package(tmp_path: Path) -> None:
    root = _repo(tmp_path / "repo")
    (root / "src" / "client.p12").write_bytes(bytes(range(256)) * 2)
    (root / "src" / "stub.pfx").write_bytes(b"\x30\x03")  # too small to hold a key
    found = _findings(root)
    assert [(path, line) for path, line, _ in found] == [("src/client.p12", 1)]
    assert "PKCS#12 key store (512 bytes)" in found[0][2]
    assert "ships in Fn's deployment package" in found[0][2]


def test_link_out_of_the_root_is_not_read(tmp_path: Path) -> None:
    root = _repo(tmp_path / "repo")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "server.key").write_text(KEY)
    (root / "src" / "server.key").symlink_to(outside / "server.key")
    (root / "keys").symlink_to(outside, target_is_directory=True)
    assert _findings(root) == []


def test_value_is_never_quoted(tmp_path: Path) -> None:
    root = _repo(tmp_path / "repo")
    (root / "src" / "server.key").write_text(KEY)
    (root / ".env.production").write_text("DB_PASSWORD=Zr8kqT3vLw0p\n")
    found = _findings(root)
    assert sorted((path, line) for path, line, _ in found) == [(".env.production", 1), ("src/server.key", 1)]
    assert not any("QUJDQUJD" in message or "Zr8kqT3vLw0p" in message for _, _, message in found)


def test_a_code_directory_is_walked_once_unless_the_repository_walk_skips_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The repository walk covers ``src/``; a package staged under a directory it skips (``cdk.out``, a
    virtualenv) is walked on its own, and a repository walk cut short leaves every package to its own walk."""
    root = _repo(tmp_path / "repo")
    (root / "src" / "server.key").write_text(KEY)
    walked: list[str] = []
    real_walk = secret_files._walk

    def counted(top: Path, under: Path, truncated: list[bool]) -> Any:
        walked.append(top.relative_to(under).as_posix())
        return real_walk(top, under, truncated)

    monkeypatch.setattr(secret_files, "_walk", counted)
    assert [path for path, _, _ in _findings(root)] == ["src/server.key"]
    assert walked == ["."]
    staged = tmp_path / "staged"
    (staged / "cdk.out" / "asset").mkdir(parents=True)
    (staged / "template.yaml").write_text(TEMPLATE.replace("CodeUri: src/", "CodeUri: cdk.out/asset/"))
    (staged / "cdk.out" / "asset" / "server.key").write_text(KEY)
    walked.clear()
    assert [path for path, _, _ in _findings(staged)] == ["cdk.out/asset/server.key"]
    assert walked == [".", "cdk.out/asset"]
    monkeypatch.setattr(secret_files, "MAX_ENTRIES", 2)  # the repository has more: its walk stops early
    walked.clear()
    assert [path for path, _, _ in _findings(root)] == ["src/server.key"]
    assert walked == [".", "src"]
